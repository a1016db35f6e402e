"""Stripe webhooks: signatures, each event once, state only forward, every event type we use.

Payloads are signed with Stripe's real scheme (tests/tickets/conftest.py) and handed to the
service; a few go through the HTTP endpoint to see the answers Stripe gets.
"""

import datetime as dt
import threading
import time

import psycopg
import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from tests.factories import PassTypeFactory
from tests.tickets.conftest import signed_webhook, stripe_event
from tickets.exceptions import InvalidWebhook, WebhookNotApplied
from tickets.models import (
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    StripeEvent,
    TicketStatus,
)
from tickets.services.ordering import LineRequest, place_order
from tickets.services.webhooks import handle_stripe_webhook

pytestmark = pytest.mark.django_db


def pending_order(quantity: int = 2, price: int = 12500, **pass_kwargs) -> Order:
    pass_type = PassTypeFactory(phase__price=price, **pass_kwargs)
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, quantity)],
        email="buyer@example.com",
    )
    return order


def intent_payment(order: Order, intent_id: str = "pi_test_1") -> Payment:
    return Payment.objects.create(
        order=order,
        flow=Payment.Flow.PAYMENT_SHEET,
        attempt=order.payments.count() + 1,
        amount=order.total,
        currency=order.currency,
        stripe_payment_intent_id=intent_id,
        client_secret=f"{intent_id}_secret_x",
    )


def session_payment(order: Order, session_id: str = "cs_test_1") -> Payment:
    return Payment.objects.create(
        order=order,
        flow=Payment.Flow.CHECKOUT,
        attempt=order.payments.count() + 1,
        amount=order.total,
        currency=order.currency,
        stripe_checkout_session_id=session_id,
        checkout_url=f"https://checkout.stripe.test/{session_id}",
    )


def intent_succeeded(order: Order, intent_id: str = "pi_test_1", **fields) -> dict:
    intent = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": order.total,
        "amount_received": order.total,
        "currency": order.currency,
        "status": "succeeded",
        "metadata": {"order_code": order.code},
        **fields,
    }
    return stripe_event("payment_intent.succeeded", intent)


def session_event(order: Order, event_type: str, session_id="cs_test_1", **fields) -> dict:
    session = {
        "id": session_id,
        "object": "checkout.session",
        "amount_total": order.total,
        "currency": order.currency,
        "client_reference_id": order.code,
        "metadata": {"order_code": order.code},
        "payment_intent": "pi_from_checkout",
        "payment_status": "paid",
        "status": "complete",
        **fields,
    }
    return stripe_event(event_type, session)


def charge_refunded(intent_id: str, refunds: list[tuple[str, int]], amount: int) -> dict:
    charge = {
        "id": "ch_test_1",
        "object": "charge",
        "amount": amount,
        "amount_refunded": sum(value for _, value in refunds),
        "payment_intent": intent_id,
        "refunds": {
            "object": "list",
            "data": [
                {"id": refund_id, "object": "refund", "amount": value, "status": "succeeded"}
                for refund_id, value in refunds
            ],
        },
    }
    return stripe_event("charge.refunded", charge)


def test_payment_intent_succeeded_fulfils_the_order_once_even_when_delivered_twice(
    deliver, django_capture_on_commit_callbacks
):
    order = pending_order(quantity=2)
    payment = intent_payment(order)
    event = intent_succeeded(order)

    with django_capture_on_commit_callbacks(execute=True):
        first = deliver(event)
    with django_capture_on_commit_callbacks(execute=True):
        second = deliver(event)

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (first, second) == ("fulfilled", "duplicate")
    assert (order.status, order.tickets.count()) == (OrderStatus.PAID, 2)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert StripeEvent.objects.get().stripe_event_id == event["id"]
    assert len(mail.outbox) == 1


def test_the_same_payment_reported_by_two_events_in_any_order_is_fulfilled_once(
    deliver, django_capture_on_commit_callbacks
):
    order = pending_order(quantity=1)
    session_payment(order)

    with django_capture_on_commit_callbacks(execute=True):
        outcomes = [
            deliver(session_event(order, "checkout.session.completed")),
            deliver(intent_succeeded(order, "pi_from_checkout")),
        ]

    order.refresh_from_db()
    assert outcomes == ["fulfilled", "already_fulfilled"]
    assert (order.status, order.tickets.count(), order.payments.count()) == ("paid", 1, 1)
    assert order.payments.get().stripe_payment_intent_id == "pi_from_checkout"
    assert len(mail.outbox) == 1


def test_a_failure_reported_after_the_success_does_not_move_state_back(deliver):
    order = pending_order()
    payment = intent_payment(order)
    deliver(intent_succeeded(order))

    outcome = deliver(stripe_event("payment_intent.payment_failed", {"id": "pi_test_1"}))

    order.refresh_from_db()
    payment.refresh_from_db()
    assert outcome == "unchanged"
    assert (order.status, payment.status) == (OrderStatus.PAID, PaymentStatus.SUCCEEDED)


def test_payment_failed_marks_the_attempt_failed_and_the_order_stays_payable(deliver):
    order = pending_order()
    payment = intent_payment(order)

    outcome = deliver(stripe_event("payment_intent.payment_failed", {"id": "pi_test_1"}))

    order.refresh_from_db()
    payment.refresh_from_db()
    assert outcome == "payment_failed"
    assert (order.status, payment.status) == (OrderStatus.PENDING, PaymentStatus.FAILED)


def test_intent_we_never_recorded_is_found_by_its_order_code_and_recorded(deliver):
    order = pending_order(quantity=1)

    outcome = deliver(intent_succeeded(order, "pi_unknown_to_us"))

    payment = order.payments.get()
    assert outcome == "fulfilled"
    assert (payment.stripe_payment_intent_id, payment.status) == ("pi_unknown_to_us", "succeeded")


def test_amount_that_does_not_match_the_order_is_not_fulfilled(deliver):
    order = pending_order(quantity=1, price=12500)
    intent_payment(order)

    outcome = deliver(intent_succeeded(order, amount=100, amount_received=100))

    order.refresh_from_db()
    assert outcome == "not_fulfilled"
    assert (order.status, order.tickets.count()) == (OrderStatus.PENDING, 0)


def test_checkout_completed_but_unpaid_waits_for_the_async_payment(deliver):
    order = pending_order(quantity=1)
    session_payment(order)

    waiting = deliver(session_event(order, "checkout.session.completed", payment_status="unpaid"))
    order.refresh_from_db()
    status_while_waiting = order.status
    paid = deliver(session_event(order, "checkout.session.async_payment_succeeded"))

    order.refresh_from_db()
    assert (waiting, status_while_waiting) == ("awaiting_payment", OrderStatus.PENDING)
    assert (paid, order.status, order.tickets.count()) == ("fulfilled", OrderStatus.PAID, 1)


def test_checkout_async_payment_failed_marks_the_attempt_failed(deliver):
    order = pending_order(quantity=1)
    payment = session_payment(order)

    outcome = deliver(session_event(order, "checkout.session.async_payment_failed"))

    payment.refresh_from_db()
    assert (outcome, payment.status) == ("payment_failed", PaymentStatus.FAILED)


@pytest.mark.parametrize(
    ("hold_left", "order_status"),
    [(dt.timedelta(minutes=5), OrderStatus.PENDING), (-dt.timedelta(minutes=1), "expired")],
    ids=["hold-still-running", "hold-ended"],
)
def test_checkout_session_expired_expires_the_order_only_once_its_hold_ended(
    deliver, hold_left, order_status
):
    order = pending_order(quantity=1)
    payment = session_payment(order)
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now() + hold_left)

    outcome = deliver(session_event(order, "checkout.session.expired", status="expired"))

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (outcome, payment.status, order.status) == (
        "payment_expired",
        PaymentStatus.EXPIRED,
        order_status,
    )


def test_refund_made_in_stripes_dashboard_is_recorded_once_and_voids_the_tickets(deliver):
    order = pending_order(quantity=2)
    intent_payment(order)
    deliver(intent_succeeded(order))
    full = [("re_dashboard_1", order.total)]

    first = deliver(charge_refunded("pi_test_1", full, order.total))
    second = deliver(charge_refunded("pi_test_1", full, order.total))

    order.refresh_from_db()
    assert (first, second) == ("refund_recorded", "unchanged")
    assert Refund.objects.get().stripe_refund_id == "re_dashboard_1"
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, order.total)
    assert set(order.tickets.values_list("status", flat=True)) == {TicketStatus.VOID}


def test_partial_dashboard_refunds_add_up_and_keep_the_order_paid(deliver):
    order = pending_order(quantity=2, price=10000)
    intent_payment(order)
    deliver(intent_succeeded(order))

    deliver(charge_refunded("pi_test_1", [("re_1", 5000)], order.total))
    deliver(charge_refunded("pi_test_1", [("re_1", 5000), ("re_2", 2500)], order.total))

    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == (OrderStatus.PAID, 7500)
    assert Refund.objects.count() == 2
    assert set(order.tickets.values_list("status", flat=True)) == {TicketStatus.VALID}


def test_dispute_flags_the_order(deliver):
    order = pending_order(quantity=1)
    intent_payment(order)
    deliver(intent_succeeded(order))
    dispute = {"id": "dp_1", "object": "dispute", "payment_intent": "pi_test_1", "amount": 1}

    outcome = deliver(stripe_event("charge.dispute.created", dispute))

    order.refresh_from_db()
    assert outcome == "dispute_flagged"
    assert order.disputed_at is not None
    assert order.status == OrderStatus.PAID


def test_event_types_we_do_not_handle_are_acknowledged_and_ignored(deliver):
    outcome = deliver(stripe_event("customer.created", {"id": "cus_1", "object": "customer"}))

    assert outcome == "ignored"
    assert StripeEvent.objects.count() == 0


def test_bad_signature_is_refused(webhook_settings):
    order = pending_order()
    payload, _ = signed_webhook(intent_succeeded(order))
    _, other_signature = signed_webhook(intent_succeeded(order), secret="whsec_someone_else")

    with pytest.raises(InvalidWebhook):
        handle_stripe_webhook(payload=payload, signature=other_signature)

    assert StripeEvent.objects.count() == 0


def test_tampered_body_is_refused(webhook_settings):
    order = pending_order(quantity=2, price=12500)
    payload, signature = signed_webhook(intent_succeeded(order))

    with pytest.raises(InvalidWebhook):
        handle_stripe_webhook(payload=payload.replace(b"25000", b"2500"), signature=signature)


def test_stale_timestamp_is_refused_even_with_a_valid_signature(webhook_settings):
    order = pending_order()
    stale = int(time.time()) - webhook_settings.GREENROOM_WEBHOOK_TOLERANCE_SECONDS - 5

    payload, signature = signed_webhook(intent_succeeded(order), timestamp=stale)

    with pytest.raises(InvalidWebhook):
        handle_stripe_webhook(payload=payload, signature=signature)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


@pytest.mark.parametrize(
    ("signature_kind", "status", "body"),
    [
        ("good", 200, {"outcome": "fulfilled"}),
        ("bad", 400, {"code": "invalid_signature"}),
        ("missing", 400, {"code": "invalid_signature"}),
    ],
)
def test_webhook_endpoint_answers_200_with_the_outcome_or_400(
    client, webhook_settings, signature_kind, status, body
):
    order = pending_order(quantity=1)
    intent_payment(order)
    payload, signature = signed_webhook(intent_succeeded(order))
    headers = {
        "good": {"HTTP_STRIPE_SIGNATURE": signature},
        "bad": {"HTTP_STRIPE_SIGNATURE": signature[:-4] + "0000"},
        "missing": {},
    }[signature_kind]

    response = client.post(
        "/api/v1/webhooks/stripe/", data=payload, content_type="application/json", **headers
    )

    assert response.status_code == status
    assert {key: response.json()[key] for key in body} == body


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_database_failure_mid_fulfilment_rolls_back_and_the_redelivery_fulfils_once(
    deliver, settings
):
    """A real database failure: another session holds a lock on the tickets table, so the
    ticket insert hits the lock timeout after the order was already marked paid."""
    settings.GREENROOM_INVENTORY_LOCK_TIMEOUT_MS = 300
    order = pending_order(quantity=2)
    intent_payment(order)
    event = intent_succeeded(order)
    params = connection.get_connection_params()
    locked, release = threading.Event(), threading.Event()

    def hold_tickets_table():
        with psycopg.connect(**params) as other, other.cursor() as cursor:
            cursor.execute("LOCK TABLE tickets_ticket IN SHARE MODE")
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=hold_tickets_table)
    holder.start()
    assert locked.wait(10)
    try:
        with pytest.raises(WebhookNotApplied):
            deliver(event)
        order.refresh_from_db()
        assert (order.status, order.paid_at, order.tickets.count()) == ("pending", None, 0)
        assert order.payments.get().status == PaymentStatus.CREATED
        assert StripeEvent.objects.count() == 0
    finally:
        release.set()
        holder.join()

    assert deliver(event) == "fulfilled"
    assert deliver(event) == "duplicate"
    order.refresh_from_db()
    assert (order.status, order.tickets.count()) == (OrderStatus.PAID, 2)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "envelope",
    [
        {"data": []},
        {"type": ["payment_intent.succeeded"]},
        {"data": {"object": "pi_test_1"}},
        {"id": None},
    ],
    ids=["data-a-list", "type-a-list", "object-not-an-object", "no-event-id"],
)
def test_a_signed_body_that_is_not_an_event_is_refused_with_400(client, webhook_settings, envelope):
    order = pending_order(quantity=1)
    payload, signature = signed_webhook({**intent_succeeded(order), **envelope})

    response = client.post(
        "/api/v1/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid_signature")


def test_a_signed_checkout_session_without_an_id_is_acknowledged_and_ignored(deliver):
    order = pending_order(quantity=1)
    event = session_event(order, "checkout.session.completed")
    del event["data"]["object"]["id"]

    outcome = deliver(event)

    assert outcome == "ignored"
    assert (order.payments.count(), StripeEvent.objects.count()) == (0, 0)


def test_payment_in_another_currency_with_the_same_figure_is_not_fulfilled(deliver):
    order = pending_order(quantity=1, price=2500)
    intent_payment(order)

    outcome = deliver(intent_succeeded(order, amount=2500, amount_received=2500, currency="jpy"))

    order.refresh_from_db()
    assert outcome == "not_fulfilled"
    assert (order.status, order.tickets.count()) == (OrderStatus.PENDING, 0)


def test_a_currency_mismatch_is_recorded_on_the_payment(deliver):
    order = pending_order(quantity=1, price=2500)
    payment = intent_payment(order)

    deliver(intent_succeeded(order, amount=2500, amount_received=2500, currency="jpy"))

    payment.refresh_from_db()
    assert payment.problem == "Stripe reported ¥2,500 received, but the order is $25.00."


def test_a_checkout_session_paid_in_another_currency_is_not_fulfilled(deliver):
    order = pending_order(quantity=1, price=2500)
    session_payment(order)

    outcome = deliver(session_event(order, "checkout.session.completed", currency="jpy"))

    order.refresh_from_db()
    assert outcome == "not_fulfilled"
    assert order.status == OrderStatus.PENDING


def test_a_signature_dated_far_in_the_future_is_refused(webhook_settings):
    order = pending_order()
    ahead = int(time.time()) + webhook_settings.GREENROOM_WEBHOOK_TOLERANCE_SECONDS + 3600

    payload, signature = signed_webhook(intent_succeeded(order), timestamp=ahead)

    with pytest.raises(InvalidWebhook):
        handle_stripe_webhook(payload=payload, signature=signature)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
