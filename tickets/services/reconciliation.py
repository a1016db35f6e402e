"""Reconciliation: catching up with what Stripe or the broker did not tell us in time, and
checking the inventory counters against the orders.

Run by beat (tickets/tasks.py); every function is safe to run twice and to overlap itself.
"""

import datetime as dt
import logging

from django.utils import timezone

from events.models import Event
from tickets import inventory, stripe_gateway
from tickets.exceptions import PaymentProviderUnavailable
from tickets.models import InventoryPool, Order, OrderStatus, PassType, Payment, PaymentStatus
from tickets.services.fulfilment import fulfil_order
from tickets.services.order_states import expire_held_orders
from tickets.services.queueing import queue_confirmation, queue_unfulfilled_refund
from tickets.services.refunds import refundable_amount

logger = logging.getLogger(__name__)

# How far back reconciliation looks for payments Stripe may have taken without telling us.
RECONCILE_WINDOW = dt.timedelta(hours=24)
ENDED = (OrderStatus.EXPIRED, OrderStatus.CANCELLED)


def expire_holds(*, now: dt.datetime | None = None) -> int:
    """Expire pending orders past their hold, then close their open Checkout Sessions;
    returns how many orders expired.

    Stripe keeps a session open for at least 30 minutes; our hold is shorter, so we expire
    the session ourselves once the order is gone.
    """
    now = now or timezone.now()
    expired = expire_held_orders(now=now)
    if not stripe_gateway.is_configured():
        return expired
    open_sessions = Payment.objects.filter(
        flow=Payment.Flow.CHECKOUT, status=PaymentStatus.CREATED, order__status__in=ENDED
    ).exclude(stripe_checkout_session_id="")
    for payment in open_sessions:
        try:
            stripe_gateway.expire_checkout_session(payment.stripe_checkout_session_id)
        except PaymentProviderUnavailable:
            continue  # completed meanwhile, or Stripe is away: the next run tries again
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.CREATED).update(
            status=PaymentStatus.EXPIRED, updated_at=now
        )
    return expired


def reconcile_pending_orders(*, now: dt.datetime | None = None) -> int:
    """Ask Stripe about intents of orders past their hold that never heard back.

    Succeeded → fulfil (kept if the passes are still there, else refunded); otherwise the
    order expires. Also queues again refunds of late payments that did not go through and
    confirmations that paid orders never got. Returns the number of orders fulfilled.
    """
    now = now or timezone.now()
    queue_missing_confirmations(paid_since=now - RECONCILE_WINDOW)
    if not stripe_gateway.is_configured():
        return 0
    fulfilled = sum(_fulfil_if_paid(payment) for payment in _unanswered_intents(now))
    expire_held_orders(now=now)
    for order in Order.objects.filter(
        status__in=ENDED, paid_at__isnull=False, updated_at__gte=now - RECONCILE_WINDOW
    ):
        if refundable_amount(order) > 0:
            queue_unfulfilled_refund(order.pk)
    return fulfilled


def _unanswered_intents(now: dt.datetime):
    return (
        Payment.objects.filter(
            status=PaymentStatus.CREATED,
            problem="",  # a mismatch recorded once waits for a person, not for the next run
            order__hold_expires_at__lte=now,
            order__hold_expires_at__gte=now - RECONCILE_WINDOW,
            order__status__in=(OrderStatus.PENDING, *ENDED),
        )
        .exclude(stripe_payment_intent_id="")
        .select_related("order")
    )


def _fulfil_if_paid(payment: Payment) -> bool:
    try:
        intent = stripe_gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    except PaymentProviderUnavailable:
        return False  # the next run asks again
    if intent.status != "succeeded":
        return False
    return fulfil_order(
        order=payment.order,
        payment=payment,
        amount_received=intent.amount_received,
        currency_received=intent.currency,
    )


def queue_missing_confirmations(*, paid_since: dt.datetime) -> int:
    """Queue the confirmation of every order paid since `paid_since` that has not had it yet
    (the broker was down when it was paid, or sending failed); returns how many.

    Safe to repeat and to overlap a confirmation still in the queue: the e-mail task sends
    once per order (tickets/emails.py).
    """
    order_ids = list(
        Order.objects.filter(
            status=OrderStatus.PAID, confirmation_sent_at__isnull=True, paid_at__gte=paid_since
        ).values_list("pk", flat=True)
    )
    for order_id in order_ids:
        queue_confirmation(order_id)
    return len(order_ids)


def check_inventory_counters(*, repair: bool, event: Event | None = None) -> list[inventory.Drift]:
    """Compare the inventory counters (of `event`, or of every event) with the orders; returns
    the counters that disagree (with `repair`: that disagreed, and now agree).

    Every write goes through the inventory engine, so drift means something wrote orders
    around it (a raw UPDATE, a restored backup, GREENROOM_REFUND_RETURNS_INVENTORY changed
    after refunds): logged as an error. A counter not made yet for a pass type or pool
    nobody has ordered is not drift; the first order makes it.
    """
    pass_types = PassType.objects.all() if event is None else PassType.objects.filter(event=event)
    pools = (
        InventoryPool.objects.all() if event is None else InventoryPool.objects.filter(event=event)
    )
    drift = inventory.find_drift(
        pass_types.values_list("pk", flat=True), pools.values_list("pk", flat=True)
    )
    if drift and repair:
        _, drift = inventory.repair_counters(
            [found.pass_type_id for found in drift if found.pass_type_id],
            [found.pool_id for found in drift if found.pool_id],
        )
    for found in drift:
        logger.error("Inventory counter %s%s", found, " (repaired)" if repair else "")
    return drift
