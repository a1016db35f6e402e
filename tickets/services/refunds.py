"""Refunds: money back through Stripe, recorded once per Stripe refund id.

The Stripe call happens outside any transaction; the record is written afterwards under the
order's row lock, keyed by Stripe's refund id, so the same refund reported again (by a retried
call or by Stripe's `charge.refunded` webhook) is recorded once.
"""

import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from tickets import stripe_gateway
from tickets.exceptions import TicketsError
from tickets.models import Order, OrderStatus, Payment, PaymentStatus, Refund
from tickets.services.order_states import add_refund, void_tickets
from tickets.services.queueing import (
    after_commit,
    queue_refund_confirmation,
    queue_refund_notice,
)

logger = logging.getLogger(__name__)


def refundable_amount(order: Order) -> int:
    """What may still go back: what was received minus what was already refunded."""
    return order.total - order.refunded_amount if order.paid_at else 0


def refund_order(
    *,
    order: Order,
    amount: int | None = None,
    reason: str = "",
    user=None,
    void_ticket_ids: Sequence[int] = (),
) -> Refund:
    """Refund the whole order (`amount=None`) or part of it, through Stripe; a partial refund
    voids the order's tickets in `void_ticket_ids` (a full one voids them all)."""
    order = Order.objects.get(pk=order.pk)
    left = refundable_amount(order)
    if left <= 0:
        raise TicketsError("Nothing is left to refund on this order.", code="nothing_to_refund")
    amount = left if amount is None else amount
    if not 1 <= amount <= left:
        raise TicketsError(
            f"A refund must be between 1 and {left} (what is left of the payment).",
            field="amount",
            extra={"refundable": left},
            code="invalid_refund_amount",
        )
    payment = _captured_payment(order)
    # The same order, refunded-so-far and amount give the same key: a double submit of the
    # admin form makes one refund at Stripe, which is then recorded once.
    result = stripe_gateway.create_refund(
        payment_intent_id=payment.stripe_payment_intent_id,
        amount=amount,
        idempotency_key=stripe_gateway.idempotency_key(
            order, "refund", order.refunded_amount, amount
        ),
    )
    return record_stripe_refund(
        order=order,
        payment=payment,
        stripe_refund_id=result.id,
        amount=result.amount,
        reason=reason,
        user=user,
        void_ticket_ids=void_ticket_ids,
    )


def _captured_payment(order: Order) -> Payment:
    payment = (
        order.payments.filter(status=PaymentStatus.SUCCEEDED)
        .exclude(stripe_payment_intent_id="")
        .order_by("-attempt")
        .first()
    )
    if payment is None:
        raise TicketsError(
            "This order has no card payment that could be refunded.", code="nothing_to_refund"
        )
    return payment


def record_stripe_refund(
    *,
    order: Order,
    payment: Payment,
    stripe_refund_id: str,
    amount: int,
    reason: str = "",
    user=None,
    void_ticket_ids: Sequence[int] = (),
) -> Refund:
    """Record a refund made at Stripe (by us or in Stripe's dashboard) once per refund id.

    A full refund of a paid order marks it refunded and voids its tickets (their passes go
    back on sale when GREENROOM_REFUND_RETURNS_INVENTORY is on); a partial one voids the
    tickets of `void_ticket_ids`.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        existing = Refund.objects.filter(stripe_refund_id=stripe_refund_id).first()
        if existing is not None:
            # Stripe's webhook may have recorded our refund first; the tickets it voids are ours.
            void_tickets(locked, void_ticket_ids, now=now)
            return existing
        refund = Refund.objects.create(
            order=locked,
            payment=payment,
            stripe_refund_id=stripe_refund_id,
            amount=amount,
            reason=reason[:200],
            created_by=user,
        )
        refunded = locked.refunded_amount + amount
        if refunded > locked.total:
            logger.error(
                "Order %s: Stripe refunded %s in all, more than its total %s",
                locked.code,
                refunded,
                locked.total,
            )
            refunded = locked.total
        void_tickets(locked, void_ticket_ids, now=now)
        add_refund(locked, refunded=refunded, now=now)
        if locked.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
            # A late payment given back (the order was never paid) is told by its own notice.
            after_commit(queue_refund_confirmation, refund.pk)
    return refund


def refund_unfulfilled_payment(*, order_id: int) -> Refund | None:
    """Give back a payment that arrived after the hold ended, when the passes were gone, and
    tell the buyer (once the refund is recorded).

    Safe to run twice: once the money is back there is nothing left to refund.
    """
    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.status == OrderStatus.PAID or refundable_amount(order) <= 0:
        return None
    refund = refund_order(order=order, reason="Sold out after the hold ended; refunded in full.")
    after_commit(queue_refund_notice, order.pk)
    return refund


def refund_duplicate_payment(*, payment_id: int) -> Refund | None:
    """Give back a payment that arrived for an order another payment had already paid.

    The order's own figures stay as they are (they count the payment that paid it); the
    refund is recorded against the duplicate payment. Safe to run twice.
    """
    payment = (
        Payment.objects.select_related("order")
        .filter(pk=payment_id, status=PaymentStatus.SUCCEEDED)
        .exclude(stripe_payment_intent_id="")
        .first()
    )
    if payment is None or payment.refunds.exists():
        return None
    result = stripe_gateway.create_refund(
        payment_intent_id=payment.stripe_payment_intent_id,
        amount=payment.amount,
        idempotency_key=stripe_gateway.idempotency_key(payment.order, "duplicate", payment.pk),
    )
    refund, _ = Refund.objects.get_or_create(
        stripe_refund_id=result.id,
        defaults={
            "order": payment.order,
            "payment": payment,
            "amount": result.amount,
            "reason": "Paid twice: the second payment is returned.",
        },
    )
    return refund
