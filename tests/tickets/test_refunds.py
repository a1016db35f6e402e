"""Refunds through localstripe: full and partial, amounts and statuses, voided tickets, passes
back on sale, and the webhook for a refund we made recorded once."""

import pytest
from django.utils import timezone

from tests.factories import PassTypeFactory
from tests.tickets.conftest import localstripe_call, stripe_event
from tickets.exceptions import TicketsError
from tickets.inventory import passes_taken
from tickets.models import OrderStatus, Refund, TicketStatus
from tickets.services.ordering import LineRequest, place_order
from tickets.services.refunds import refund_order

pytestmark = pytest.mark.django_db


def test_full_refund_voids_the_tickets_and_puts_the_passes_back_on_sale(
    paid_order, phone, organizer
):
    pass_type = PassTypeFactory(phase__price=12500, capacity=5)
    order = paid_order(pass_type, 2)
    taken_before = passes_taken([pass_type.pk], now=timezone.now())

    refund = refund_order(order=order, reason="Cannot come", user=organizer)

    order.refresh_from_db()
    intent_id = order.payments.get().stripe_payment_intent_id
    assert (refund.amount, refund.reason, refund.created_by) == (25000, "Cannot come", organizer)
    assert (order.status, order.refunded_amount, order.refunded_at is not None) == (
        OrderStatus.REFUNDED,
        25000,
        True,
    )
    assert set(order.tickets.values_list("status", flat=True)) == {TicketStatus.VOID}
    assert all(ticket.voided_at for ticket in order.tickets.all())
    assert taken_before == {pass_type.pk: 2}
    assert passes_taken([pass_type.pk], now=timezone.now()) == {}
    assert [(r["id"], r["amount"]) for r in phone.refunds(intent_id)] == [
        (refund.stripe_refund_id, 25000)
    ]


def test_full_refund_keeps_the_passes_sold_when_the_setting_says_so(paid_order, settings):
    settings.GREENROOM_REFUND_RETURNS_INVENTORY = False
    pass_type = PassTypeFactory(phase__price=12500, capacity=5)
    order = paid_order(pass_type, 2)

    refund_order(order=order)

    assert passes_taken([pass_type.pk], now=timezone.now()) == {pass_type.pk: 2}


def test_partial_refunds_add_up_and_the_last_one_makes_the_order_refunded(paid_order):
    order = paid_order(PassTypeFactory(phase__price=10000), 2)

    first = refund_order(order=order, amount=5000)
    order.refresh_from_db()
    after_first = (order.status, order.refunded_amount)
    second = refund_order(order=order)  # the rest

    order.refresh_from_db()
    assert (first.amount, second.amount) == (5000, 15000)
    assert after_first == (OrderStatus.PAID, 5000)
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, 20000)


def test_partial_refund_leaves_the_tickets_valid(paid_order):
    order = paid_order(PassTypeFactory(phase__price=10000), 2)

    refund_order(order=order, amount=1)

    assert set(order.tickets.values_list("status", flat=True)) == {TicketStatus.VALID}


@pytest.mark.parametrize("amount", [0, 20001])
def test_refund_outside_what_was_paid_is_refused(paid_order, amount):
    order = paid_order(PassTypeFactory(phase__price=10000), 2)

    with pytest.raises(TicketsError) as caught:
        refund_order(order=order, amount=amount)

    assert (caught.value.code, caught.value.extra) == (
        "invalid_refund_amount",
        {"refundable": 20000},
    )
    assert Refund.objects.count() == 0


def test_nothing_to_refund_on_an_unpaid_or_fully_refunded_order(paid_order):
    pass_type = PassTypeFactory(phase__price=10000)
    unpaid, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email="a@example.com"
    )
    refunded = paid_order(pass_type, 1)
    refund_order(order=refunded)

    codes = []
    for order in (unpaid, refunded):
        with pytest.raises(TicketsError) as caught:
            refund_order(order=order)
        codes.append(caught.value.code)

    assert codes == ["nothing_to_refund", "nothing_to_refund"]


def test_charge_refunded_webhook_for_our_own_refund_is_not_recorded_twice(
    paid_order, deliver, phone
):
    order = paid_order(PassTypeFactory(phase__price=10000), 1)
    refund = refund_order(order=order, amount=4000)
    intent_id = order.payments.get().stripe_payment_intent_id
    charge = phone.intent(intent_id)["latest_charge"]

    outcome = deliver(stripe_event("charge.refunded", charge))

    order.refresh_from_db()
    assert outcome == "unchanged"
    assert list(Refund.objects.values_list("stripe_refund_id", flat=True)) == [
        refund.stripe_refund_id
    ]
    assert order.refunded_amount == 4000


def test_charge_refunded_webhook_without_refund_list_asks_stripe(paid_order, deliver, phone):
    """Recent API versions leave `refunds` out of the charge: we list them at Stripe."""
    order = paid_order(PassTypeFactory(phase__price=10000), 1)
    intent_id = order.payments.get().stripe_payment_intent_id
    charge = phone.intent(intent_id)["latest_charge"]
    made_in_dashboard = localstripe_call(
        phone.base, "POST", "/v1/refunds", {"payment_intent": intent_id, "amount": 10000}
    )
    charge.pop("refunds", None)

    outcome = deliver(stripe_event("charge.refunded", charge))

    order.refresh_from_db()
    assert outcome == "refund_recorded"
    assert Refund.objects.get().stripe_refund_id == made_in_dashboard["id"]
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, 10000)


def test_a_refund_reads_as_money_in_the_admin_and_logs():
    pass_type = PassTypeFactory(phase__price=7600)
    order, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email="buyer@example.com"
    )

    refund = Refund(order=order, amount=7600, stripe_refund_id="re_display")

    assert str(refund) == f"$76.00 back on {order.code}"
