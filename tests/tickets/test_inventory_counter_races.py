"""Real concurrent buyers on PostgreSQL against the inventory counters: exact prices at a phase
boundary, ended holds released once, counters equal to the orders afterwards."""

from collections import Counter

import pytest
from django.utils import timezone

from tests.factories import PassTypeFactory, PricePhaseFactory
from tests.tickets.test_ordering_races import run_buyers
from tickets import inventory
from tickets.models import InventoryCounter, Order, OrderLine, OrderStatus
from tickets.services.ordering import LineRequest, place_order

pytestmark = [pytest.mark.requires_postgres, pytest.mark.django_db(transaction=True)]


def one_pass_each(pass_type):
    """What buyer number `index` does: order one pass under their own e-mail."""
    return lambda index: place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email=f"b{index}@example.com"
    )


def test_buyers_racing_past_an_early_bird_limit_get_exactly_that_many_early_bird_passes():
    pass_type = PassTypeFactory(capacity=100, phase=None)
    PricePhaseFactory(pass_type=pass_type, name="Early bird", price=9900, max_sold=5, position=1)
    PricePhaseFactory(pass_type=pass_type, name="Regular", price=12500, position=2)

    outcomes = run_buyers(
        30,
        one_pass_each(pass_type),
    )

    phases = Counter(OrderLine.objects.values_list("phase_name", flat=True))
    assert outcomes == Counter({"ordered": 30})
    assert phases == Counter({"Early bird": 5, "Regular": 25})


def test_buyers_racing_for_passes_of_an_ended_hold_release_it_once_and_never_oversell():
    pass_type = PassTypeFactory(capacity=10)
    ended, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 10)], email="slow@example.com"
    )
    Order.objects.filter(pk=ended.pk).update(hold_expires_at=timezone.now())

    outcomes = run_buyers(
        20,
        one_pass_each(pass_type),
    )

    ended.refresh_from_db()
    assert outcomes == Counter({"ordered": 10, "sold_out": 10})
    assert ended.status == OrderStatus.EXPIRED
    assert InventoryCounter.objects.get(pass_type=pass_type).taken == 10
    assert inventory.find_drift([pass_type.pk], []) == []
