"""Real concurrent buyers on PostgreSQL: never oversold, never deadlocked, never a 500."""

import threading
from collections import Counter

import pytest
from django.db import connection

from tests.factories import EventFactory, InventoryPoolFactory, PassTypeFactory, PromoCodeFactory
from tickets.exceptions import TicketsError
from tickets.models import Order, OrderLine
from tickets.services.ordering import LineRequest, place_order

pytestmark = [pytest.mark.requires_postgres, pytest.mark.django_db(transaction=True)]


def run_buyers(count: int, buy) -> Counter:
    """Start `count` threads at once; each calls `buy(index)`; count the outcomes."""
    barrier = threading.Barrier(count)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def buyer(index: int) -> None:
        try:
            barrier.wait()
            buy(index)
            outcome = "ordered"
        except TicketsError as error:
            outcome = error.code
        except Exception as error:
            outcome = f"crash: {error!r}"
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=buyer, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_forty_buyers_for_the_last_ten_passes_get_exactly_ten():
    pass_type = PassTypeFactory(capacity=10)

    outcomes = run_buyers(
        40,
        lambda index: place_order(
            event=pass_type.event,
            lines=[LineRequest(pass_type.pk, 1)],
            email=f"buyer{index}@example.com",
        ),
    )

    assert outcomes == Counter({"ordered": 10, "sold_out": 30})
    assert OrderLine.objects.filter(pass_type=pass_type).count() == 10


def test_buyers_of_two_pass_types_sharing_a_pool_never_oversell_it():
    event = EventFactory()
    seats = InventoryPoolFactory(event=event, capacity=10)
    general, student = PassTypeFactory(event=event), PassTypeFactory(event=event)
    general.pools.add(seats)
    student.pools.add(seats)

    def buy(index: int) -> None:
        # Half the buyers ask for both types at once, listed in either order.
        ids = [general.pk, student.pk] if index % 2 else [student.pk, general.pk]
        lines = [LineRequest(ids[0], 1)] + ([LineRequest(ids[1], 1)] if index % 3 == 0 else [])
        place_order(event=event, lines=lines, email=f"buyer{index}@example.com")

    outcomes = run_buyers(40, buy)

    seats_taken = sum(OrderLine.objects.values_list("quantity", flat=True))
    assert seats_taken == 10
    assert set(outcomes) == {"ordered", "sold_out"}


def test_forty_buyers_for_the_last_three_uses_of_a_promo_code_get_three():
    pass_type = PassTypeFactory(capacity=1000)
    PromoCodeFactory(event=pass_type.event, code="LAST3", max_uses=3)

    outcomes = run_buyers(
        40,
        lambda index: place_order(
            event=pass_type.event,
            lines=[LineRequest(pass_type.pk, 1)],
            email=f"buyer{index}@example.com",
            promo_code="last3",
        ),
    )

    assert outcomes == Counter({"ordered": 3, "promo_code_exhausted": 37})
    assert Order.objects.filter(promo_code__code="LAST3").count() == 3


def test_one_buyer_retrying_with_one_idempotency_key_gets_one_order():
    pass_type = PassTypeFactory(capacity=100)

    outcomes = run_buyers(
        10,
        lambda index: place_order(
            event=pass_type.event,
            lines=[LineRequest(pass_type.pk, 2)],
            email="flaky-phone@example.com",
            idempotency_key="8575d6f7-3f92-4795-8e3f-0a3ba0b3c695",
        ),
    )

    assert outcomes == Counter({"ordered": 10})
    assert Order.objects.count() == 1
