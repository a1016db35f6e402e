"""Pricing rules as pure functions: phase windows, quotas, next step, discounts."""

import datetime as dt

import pytest

from tickets import pricing
from tickets.models import PricePhase, PromoCode

SWITCH = dt.datetime(2030, 5, 1, 7, 0, tzinfo=dt.UTC)
TICK = dt.timedelta(microseconds=1)


def phases() -> list[PricePhase]:
    return [
        PricePhase(pk=1, name="Early bird", price=9900, ends_at=SWITCH, max_sold=100, position=1),
        PricePhase(pk=2, name="Regular", price=12500, starts_at=SWITCH, position=2),
        PricePhase(
            pk=3, name="Late", price=15000, starts_at=SWITCH + dt.timedelta(days=30), position=3
        ),
    ]


@pytest.mark.parametrize(
    ("now", "sold", "expected"),
    [
        (SWITCH - TICK, 0, "Early bird"),
        (SWITCH, 0, "Regular"),
        (SWITCH - TICK, 99, "Early bird"),
        (SWITCH - TICK, 100, None),  # quota used up before Regular opens: nothing on sale
        (SWITCH + dt.timedelta(days=30) - TICK, 500, "Regular"),
        (SWITCH + dt.timedelta(days=30), 500, "Regular"),  # Regular has no end: still first
    ],
    ids=["before-switch", "at-switch", "last-early-bird", "quota-gone", "day-before-late",
         "late-opens-but-regular-has-no-end"],
)  # fmt: skip
def test_current_phase(now, sold, expected):
    phase = pricing.current_phase(phases(), now=now, sold=sold)

    assert (phase.name if phase else None) == expected


def test_next_phase_is_the_following_step_not_yet_ended():
    early, regular, late = phases()

    assert pricing.next_phase(phases(), after=early, now=SWITCH - TICK) == regular
    assert pricing.next_phase(phases(), after=regular, now=SWITCH) == late
    assert pricing.next_phase(phases(), after=late, now=SWITCH) is None


@pytest.mark.parametrize(
    ("kind", "value", "price", "expected"),
    [
        ("percent", 20, 12500, 2500),
        ("percent", 33, 999, 329),  # rounded down: the buyer never pays a fraction of a cent
        ("percent", 100, 12500, 12500),
        ("fixed", 2500, 12500, 2500),
        ("fixed", 20000, 12500, 12500),  # never more than the price
    ],
)
def test_unit_discount(kind, value, price, expected):
    promo = PromoCode(kind=kind, value=value)

    assert pricing.unit_discount(promo, unit_price=price) == expected


def test_no_promo_no_discount():
    assert pricing.unit_discount(None, unit_price=12500) == 0


@pytest.mark.parametrize(
    ("now", "valid"),
    [(SWITCH - TICK, False), (SWITCH, True), (SWITCH + dt.timedelta(days=1) - TICK, True),
     (SWITCH + dt.timedelta(days=1), False)],
)  # fmt: skip
def test_promo_validity_window_is_half_open(now, valid):
    promo = PromoCode(valid_from=SWITCH, valid_until=SWITCH + dt.timedelta(days=1))

    assert pricing.promo_is_valid_at(promo, now=now) is valid
