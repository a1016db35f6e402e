"""The sales summary's figures, exact for a small event, and its fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import EventFactory, PassTypeFactory, PricePhaseFactory, PromoCodeFactory
from tests.tickets.test_admin import expire, mark_paid, order_for, refund_recorded
from tickets.reports import Holds, PassSales, PhaseSales, PromoUse, sales_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_with_sales():
    """General Admission (early bird for the first 2, then regular) and Expo, with:
    A: 2 GA early bird, paid (19000)        B: 1 GA regular with MOBILITY20, paid (10000)
    C: 1 Expo, held (4500)                   D: 1 Expo, paid, 10.00 refunded (4500)
    E: 1 Expo, paid then fully refunded      F: 1 Expo, hold lapsed (counts nowhere)
    """
    event = EventFactory()
    general = PassTypeFactory(
        event=event, name="General Admission", position=1,
        phase__name="Regular", phase__price=12500, phase__position=2,
    )  # fmt: skip
    PricePhaseFactory(pass_type=general, name="Early bird", price=9500, max_sold=2, position=1)
    expo = PassTypeFactory(event=event, name="Expo", position=2, capacity=None, phase__price=4500)
    promo = PromoCodeFactory(event=event, code="MOBILITY20", value=20, max_uses=100)
    promo.pass_types.add(general)
    PromoCodeFactory(event=event, code="UNUSED")

    mark_paid(order_for(general, 2))
    mark_paid(order_for(general, 1, promo_code="mobility20"))
    order_for(expo, 1)
    refund_recorded(mark_paid(order_for(expo, 1)), 1000)
    refund_recorded(mark_paid(order_for(expo, 1)), 4500, full=True)
    expire(order_for(expo, 1))
    return event, general, expo


def test_sales_summary_revenue_is_paid_totals_less_refunds(event_with_sales):
    event, _, _ = event_with_sales

    summary = sales_summary(event=event, now=timezone.now())

    assert (summary.currency, summary.paid_orders) == ("usd", 3)
    assert (summary.gross, summary.refunded, summary.revenue) == (38000, 5500, 32500)


def test_sales_summary_counts_passes_by_type_and_by_phase(event_with_sales):
    event, general, expo = event_with_sales

    summary = sales_summary(event=event, now=timezone.now())

    assert summary.by_pass == [
        PassSales(general.pk, "General Admission", 100, sold=3, held=0, amount=29000),
        PassSales(expo.pk, "Expo", None, sold=1, held=1, amount=4500),
    ]
    assert summary.by_phase == [
        PhaseSales("General Admission", "Early bird", sold=2, amount=19000),
        PhaseSales("General Admission", "Regular", sold=1, amount=10000),
        PhaseSales("Expo", "Regular", sold=1, amount=4500),
    ]


def test_sales_summary_reports_promo_use_and_pending_holds(event_with_sales):
    event, _, _ = event_with_sales

    summary = sales_summary(event=event, now=timezone.now())

    assert summary.promo_use == [
        PromoUse("MOBILITY20", paid_orders=1, discount=2500, held_orders=0, max_uses=100),
        PromoUse("UNUSED", paid_orders=0, discount=0, held_orders=0, max_uses=None),
    ]
    assert summary.holds == Holds(orders=1, passes=1, amount=4500)


def test_sales_summary_of_an_event_without_sales_is_all_zero():
    event = EventFactory()

    summary = sales_summary(event=event, now=timezone.now())

    assert (summary.gross, summary.refunded, summary.revenue, summary.paid_orders) == (0, 0, 0, 0)
    assert (summary.by_pass, summary.by_phase, summary.promo_use) == ([], [], [])
    assert summary.holds == Holds(0, 0, 0)


def test_sales_summary_takes_the_same_queries_however_many_orders(event_with_sales):
    event, general, _ = event_with_sales
    with CaptureQueriesContext(connection) as few:
        sales_summary(event=event, now=timezone.now())
    for _ in range(20):
        mark_paid(order_for(general, 1))

    with CaptureQueriesContext(connection) as many:
        sales_summary(event=event, now=timezone.now())

    assert len(many) == len(few) == 6
