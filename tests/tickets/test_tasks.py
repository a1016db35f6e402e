"""Tasks of the tickets app: safe to run twice; expiry closes Checkout Sessions; reconciliation
asks Stripe (localstripe) about payments we never heard back about."""

import datetime as dt
import time

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import PassTypeFactory
from tests.helpers import wait_for
from tickets import tasks
from tickets.models import Order, OrderStatus, Payment, PaymentStatus
from tickets.services.fulfilment import fulfil_order
from tickets.services.ordering import LineRequest, place_order
from tickets.services.payment import start_payment

pytestmark = pytest.mark.django_db


def buy(pass_type=None, quantity: int = 1) -> Order:
    pass_type = pass_type or PassTypeFactory(phase__price=5000)
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, quantity)],
        email="buyer@example.com",
    )
    return order


def end_hold(order: Order) -> None:
    Order.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


def test_confirmation_task_run_twice_sends_one_email():
    order = buy(quantity=2)
    fulfil_order(order=order, payment=None, amount_received=10000, currency_received=order.currency)

    results = [tasks.send_order_confirmation.delay(order.pk).get() for _ in range(2)]

    order.refresh_from_db()
    assert results == [True, False]
    assert len(mail.outbox) == 1
    assert order.confirmation_sent_at is not None


def test_confirmation_task_sends_nothing_for_an_unpaid_order():
    order = buy()

    assert tasks.send_order_confirmation.delay(order.pk).get() is False
    assert mail.outbox == []


def test_refund_notice_task_run_twice_sends_one_email():
    order = buy()
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.EXPIRED, paid_at=timezone.now(), refunded_amount=order.total
    )

    results = [tasks.send_refund_notice.delay(order.pk).get() for _ in range(2)]

    assert results == [True, False]
    assert len(mail.outbox) == 1


def test_expiry_task_expires_held_orders_and_closes_their_checkout_sessions(checkout_stripe):
    late, on_time = buy(), buy()
    late_payment = start_payment(order=late, flow="checkout")
    on_time_payment = start_payment(order=on_time, flow="checkout")
    end_hold(late)

    expired = [tasks.expire_held_orders_task.delay().get() for _ in range(2)]

    late.refresh_from_db()
    on_time.refresh_from_db()
    late_payment.refresh_from_db()
    on_time_payment.refresh_from_db()
    expire_calls = [r["path"] for r in checkout_stripe["requests"] if r["path"].endswith("/expire")]
    assert expired == [1, 0]
    assert (late.status, on_time.status) == (OrderStatus.EXPIRED, OrderStatus.PENDING)
    assert (late_payment.status, on_time_payment.status) == ("expired", "created")
    assert expire_calls == [
        f"/v1/checkout/sessions/{late_payment.stripe_checkout_session_id}/expire"
    ]


def test_expiry_task_without_stripe_configured_still_expires_orders(settings):
    settings.STRIPE_SECRET_KEY = ""
    order = buy()
    end_hold(order)

    assert tasks.expire_held_orders_task.delay().get() == 1


def test_reconcile_fulfils_a_paid_intent_whose_webhook_never_came(
    stripe_settings, phone, django_capture_on_commit_callbacks
):
    order = buy(quantity=2)
    payment = start_payment(order=order, flow="payment_sheet")
    phone.pay(payment.stripe_payment_intent_id)
    end_hold(order)

    with django_capture_on_commit_callbacks(execute=True):
        fulfilled = tasks.reconcile_pending_orders.delay().get()
    again = tasks.reconcile_pending_orders.delay().get()

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (fulfilled, again) == (1, 0)
    assert (order.status, order.tickets.count()) == (OrderStatus.PAID, 2)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert len(mail.outbox) == 1


def test_reconcile_expires_an_order_whose_intent_was_never_paid(stripe_settings):
    order = buy()
    payment = start_payment(order=order, flow="payment_sheet")
    end_hold(order)

    fulfilled = tasks.reconcile_pending_orders.delay().get()

    order.refresh_from_db()
    assert fulfilled == 0
    assert order.status == OrderStatus.EXPIRED
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CREATED


@pytest.mark.requires_redis
def test_confirmation_through_a_real_worker_is_sent_once_however_often_it_is_queued(
    celery_worker_on_redis,
):
    order = buy(quantity=1)
    # Fulfilment queues the task on commit; a redelivery and an impatient resend queue it again.
    # Which of the three runs sends is up to the worker; that exactly one does is the point.
    fulfil_order(order=order, payment=None, amount_received=5000, currency_received=order.currency)

    results = [tasks.send_order_confirmation.delay(order.pk) for _ in range(2)]
    outcomes = [result.get(timeout=20) for result in results]
    sent = wait_for(lambda: len(mail.outbox) == 1)
    time.sleep(1)  # give the on-commit run, if it is still queued, time to (not) send again

    assert sent
    assert outcomes.count(True) <= 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["buyer@example.com"]
