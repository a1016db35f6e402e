"""Placing orders: inventory, sales windows, limits, promo codes, prices, idempotency."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import (
    EventFactory,
    InventoryPoolFactory,
    PassTypeFactory,
    PricePhaseFactory,
    PromoCodeFactory,
)
from tickets.exceptions import TicketsError
from tickets.models import Order, OrderStatus
from tickets.services.order_states import cancel_order, expire_held_orders
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db

RETRY_KEY = "618f871e-1d17-4d35-b575-3e28503683a6"  # Idempotency-Keys are random UUIDs

NOW = timezone.now


def buy(pass_type, quantity=1, **kwargs) -> Order:
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, quantity)],
        email=kwargs.pop("email", "buyer@example.com"),
        **kwargs,
    )
    return order


def refused(pass_type, quantity=1, **kwargs) -> TicketsError:
    with pytest.raises(TicketsError) as caught:
        buy(pass_type, quantity, **kwargs)
    return caught.value


def test_order_is_pending_with_a_hold_and_frozen_prices(settings):
    settings.GREENROOM_HOLD_MINUTES = 15
    pass_type = PassTypeFactory(phase__price=12500, phase__name="Regular")

    order = buy(pass_type, 2)

    line = order.lines.get()
    assert (order.status, order.subtotal, order.total, order.currency) == (
        "pending",
        25000,
        25000,
        "usd",
    )
    assert (line.unit_price, line.phase_name, line.quantity) == (12500, "Regular", 2)
    hold = order.hold_expires_at - order.created_at
    assert dt.timedelta(minutes=14, seconds=59) < hold <= dt.timedelta(minutes=15)


def test_last_passes_can_be_bought_and_then_it_is_sold_out_with_what_is_left():
    pass_type = PassTypeFactory(capacity=3)
    buy(pass_type, 2)

    error = refused(pass_type, 2)

    assert (error.code, error.extra) == ("sold_out", {"available": {str(pass_type.pk): 1}})
    assert buy(pass_type, 1).status == "pending"


def test_shared_pool_limits_passes_of_every_type_in_it():
    event = EventFactory()
    seats = InventoryPoolFactory(event=event, capacity=3)
    general = PassTypeFactory(event=event, capacity=10)
    student = PassTypeFactory(event=event, capacity=10)
    general.pools.add(seats)
    student.pools.add(seats)
    buy(general, 2)

    error = refused(student, 2)

    assert error.code == "sold_out"
    assert error.extra["available"][str(student.pk)] == 1


def test_expired_hold_and_cancelled_orders_give_passes_back():
    pass_type = PassTypeFactory(capacity=2)
    held = buy(pass_type, 1)
    cancelled = buy(pass_type, 1)
    Order.objects.filter(pk=held.pk).update(hold_expires_at=NOW() - dt.timedelta(seconds=1))
    cancel_order(order=cancelled)

    assert buy(pass_type, 2).status == "pending"


def test_expiring_holds_moves_each_order_once():
    pass_type = PassTypeFactory()
    order = buy(pass_type)
    later = order.hold_expires_at + dt.timedelta(seconds=1)

    first, second = expire_held_orders(now=later), expire_held_orders(now=later)

    order.refresh_from_db()
    assert (first, second, order.status) == (1, 0, "expired")
    assert order.expired_at == later


def test_hold_still_running_is_not_expired():
    order = buy(PassTypeFactory())

    assert expire_held_orders(now=order.hold_expires_at - dt.timedelta(seconds=1)) == 0


@pytest.mark.parametrize(
    ("window", "code"),
    [
        ({"sales_start": dt.timedelta(hours=1)}, "sales_closed"),
        ({"sales_end": -dt.timedelta(seconds=1)}, "sales_closed"),
    ],
    ids=["not-yet", "over"],
)
def test_sales_window_is_enforced(window, code):
    pass_type = PassTypeFactory(**{name: NOW() + offset for name, offset in window.items()})

    assert refused(pass_type).code == code


def test_per_order_limit_is_enforced():
    pass_type = PassTypeFactory(max_per_order=4)

    error = refused(pass_type, 5)

    assert (error.code, error.extra["max_per_order"]) == ("exceeds_order_limit", 4)


def test_draft_event_sells_nothing():
    assert refused(PassTypeFactory(event__status="draft")).code == "sales_closed"


def test_hidden_pass_needs_a_code_that_unlocks_it():
    pass_type = PassTypeFactory(visibility="hidden")
    promo = PromoCodeFactory(event=pass_type.event, code="FOUNDERS", unlocks_hidden=True)
    promo.pass_types.add(pass_type)

    assert refused(pass_type).code == "pass_not_available"
    assert buy(pass_type, promo_code="founders").promo_code == promo


def test_order_is_priced_from_the_phase_current_when_it_is_placed():
    pass_type = PassTypeFactory(phase=None)
    switch = NOW() + dt.timedelta(seconds=2)
    PricePhaseFactory(
        pass_type=pass_type, name="Early bird", price=9900, ends_at=switch, position=1
    )
    PricePhaseFactory(
        pass_type=pass_type, name="Regular", price=12500, starts_at=switch, position=2
    )

    early = buy(pass_type).lines.get()

    assert (early.phase_name, early.unit_price) == ("Early bird", 9900)


def test_phase_for_the_first_n_passes_ends_when_they_are_taken():
    pass_type = PassTypeFactory(phase=None)
    PricePhaseFactory(pass_type=pass_type, name="Early bird", price=9900, max_sold=2, position=1)
    PricePhaseFactory(pass_type=pass_type, name="Regular", price=12500, position=2)
    buy(pass_type, 2)

    assert buy(pass_type).lines.get().phase_name == "Regular"


@pytest.mark.parametrize(
    ("kind", "value", "expected_total"),
    [("percent", 20, 20000), ("fixed", 2500, 20000), ("fixed", 99999, 0), ("percent", 100, 0)],
)
def test_promo_code_discount(kind, value, expected_total):
    pass_type = PassTypeFactory(phase__price=12500)
    PromoCodeFactory(event=pass_type.event, code="SAVE", kind=kind, value=value)

    order = buy(pass_type, 2, promo_code="SAVE")

    assert (order.subtotal, order.total) == (25000, expected_total)


@pytest.mark.parametrize(
    ("promo", "code"),
    [
        ({"valid_until": -dt.timedelta(seconds=1)}, "promo_code_expired"),
        ({"valid_from": dt.timedelta(hours=1)}, "invalid_promo_code"),
        ({"max_uses": 0}, "promo_code_exhausted"),
    ],
    ids=["expired", "not-yet-valid", "exhausted"],
)
def test_promo_code_out_of_bounds_is_refused(promo, code):
    pass_type = PassTypeFactory()
    fields = {
        name: NOW() + value if isinstance(value, dt.timedelta) else value
        for name, value in promo.items()
    }
    PromoCodeFactory(event=pass_type.event, code="SAVE", **fields)

    assert refused(pass_type, promo_code="SAVE").code == code


def test_promo_code_for_another_pass_is_refused():
    pass_type = PassTypeFactory()
    promo = PromoCodeFactory(event=pass_type.event, code="EXPO")
    promo.pass_types.add(PassTypeFactory(event=pass_type.event))

    assert refused(pass_type, promo_code="EXPO").code == "invalid_promo_code"


def test_unknown_promo_code_is_refused():
    assert refused(PassTypeFactory(), promo_code="NOPE").code == "invalid_promo_code"


def test_promo_code_uses_count_pending_holds_but_not_expired_ones():
    pass_type = PassTypeFactory()
    PromoCodeFactory(event=pass_type.event, code="ONCE", max_uses=1)
    first = buy(pass_type, promo_code="ONCE")

    held_error = refused(pass_type, promo_code="ONCE")
    Order.objects.filter(pk=first.pk).update(status=OrderStatus.EXPIRED)

    assert held_error.code == "promo_code_exhausted"
    assert buy(pass_type, promo_code="once").status == "pending"


def test_same_idempotency_key_returns_the_first_order():
    pass_type = PassTypeFactory()

    first, created = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email="a@example.com",
        idempotency_key=RETRY_KEY,
    )  # fmt: skip
    again, created_again = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email="a@example.com",
        idempotency_key=RETRY_KEY,
    )  # fmt: skip

    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Order.objects.count() == 1


def test_idempotency_key_reused_for_another_request_is_refused():
    pass_type = PassTypeFactory()
    buy(pass_type, 1, email="a@example.com", idempotency_key=RETRY_KEY)

    assert refused(pass_type, 2, email="a@example.com", idempotency_key=RETRY_KEY).code == (
        "idempotency_key_reused"
    )


def test_cancelling_a_paid_order_is_refused():
    order = buy(PassTypeFactory())
    Order.objects.filter(pk=order.pk).update(status="paid", paid_at=NOW())

    with pytest.raises(TicketsError) as caught:
        cancel_order(order=order)

    assert caught.value.code == "order_not_cancellable"


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [LineRequest(1, 0)],
        [LineRequest(1, 1), LineRequest(1, 2)],
        [LineRequest(1, 1, ({}, {}))],
    ],
    ids=["no-lines", "zero", "repeated-pass", "more-attendees-than-passes"],
)
def test_malformed_order_is_refused_before_touching_inventory(lines):
    event = EventFactory()

    with pytest.raises(TicketsError) as caught:
        place_order(event=event, lines=lines, email="a@example.com")

    assert caught.value.code == "invalid"
    assert Order.objects.count() == 0
