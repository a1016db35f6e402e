"""Celery tasks of the tickets app: thin, take ids, safe to run twice.

Beat runs `expire_held_orders_task` every minute and `reconcile_pending_orders` every five.
"""

import datetime as dt
import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from tickets import emails, payments
from tickets.exceptions import PaymentProviderUnavailable
from tickets.models import Order, OrderStatus, Payment, PaymentStatus
from tickets.services import ordering, refunds
from tickets.services.fulfilment import fulfil_order, queue_missing_confirmations

logger = logging.getLogger(__name__)

# How far back reconciliation looks for payments Stripe may have taken without telling us.
RECONCILE_WINDOW = dt.timedelta(hours=24)


@shared_task
def send_order_confirmation(order_id: int) -> bool:
    return emails.send_order_confirmation(order_id=order_id)


@shared_task
def send_refund_notice(order_id: int) -> bool:
    return emails.send_refund_notice(order_id=order_id)


@shared_task
def refund_unfulfilled_payment(order_id: int) -> bool:
    """Refund a late payment for passes that sold out meanwhile, then tell the buyer."""
    refund = refunds.refund_unfulfilled_payment(order_id=order_id)
    if refund is not None:
        transaction.on_commit(lambda: send_refund_notice.delay(order_id))
    return refund is not None


@shared_task
def refund_duplicate_payment(payment_id: int) -> bool:
    """Return a second payment for an order that was already paid."""
    return refunds.refund_duplicate_payment(payment_id=payment_id) is not None


@shared_task
def expire_held_orders_task() -> int:
    """Expire pending orders past their hold, then close their open Checkout Sessions.

    Stripe keeps a session open for at least 30 minutes; our hold is shorter, so we expire
    the session ourselves once the order is gone.
    """
    expired = ordering.expire_held_orders()
    if payments.is_configured():
        open_sessions = Payment.objects.filter(
            flow=Payment.Flow.CHECKOUT,
            status=PaymentStatus.CREATED,
            order__status__in=[OrderStatus.EXPIRED, OrderStatus.CANCELLED],
        ).exclude(stripe_checkout_session_id="")
        for payment in open_sessions:
            try:
                payments.expire_checkout_session(payment.stripe_checkout_session_id)
            except PaymentProviderUnavailable:
                continue  # completed meanwhile, or Stripe is away: the next run tries again
            Payment.objects.filter(pk=payment.pk, status=PaymentStatus.CREATED).update(
                status=PaymentStatus.EXPIRED, updated_at=timezone.now()
            )
    return expired


@shared_task
def reconcile_pending_orders() -> int:
    """Ask Stripe about intents of orders past their hold that never heard back.

    Succeeded → fulfil (kept if the passes are still there, else refunded); otherwise the
    order expires. Also retries refunds of late payments that did not go through, and queues
    confirmations that paid orders never got. Returns the number of orders fulfilled.
    """
    now = timezone.now()
    queue_missing_confirmations(paid_since=now - RECONCILE_WINDOW)
    if not payments.is_configured():
        return 0
    fulfilled = 0
    candidates = Payment.objects.filter(
        status=PaymentStatus.CREATED,
        order__hold_expires_at__lte=now,
        order__hold_expires_at__gte=now - RECONCILE_WINDOW,
        order__status__in=[OrderStatus.PENDING, OrderStatus.EXPIRED, OrderStatus.CANCELLED],
    ).exclude(stripe_payment_intent_id="")
    for payment in candidates.select_related("order"):
        try:
            intent = payments.retrieve_payment_intent(payment.stripe_payment_intent_id)
        except PaymentProviderUnavailable:
            continue
        if intent.status == "succeeded":
            fulfilled += fulfil_order(
                order=payment.order, payment=payment, amount_received=intent.amount_received
            )
    ordering.expire_held_orders(now=now)
    unrefunded = Order.objects.filter(
        status__in=[OrderStatus.EXPIRED, OrderStatus.CANCELLED],
        paid_at__isnull=False,
        updated_at__gte=now - RECONCILE_WINDOW,
    )
    for order in unrefunded:
        if refunds.refundable_amount(order) > 0:
            try:
                refund_unfulfilled_payment.delay(order.pk)
            except PaymentProviderUnavailable:
                logger.warning("Refund of order %s failed; retrying later.", order.code)
    return fulfilled
