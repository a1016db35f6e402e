"""Fulfilment: a received payment turns a pending order into a paid one with tickets, once.

One transaction under the order's row lock: a second call (a webhook delivered twice, two
events for one payment) finds the order paid and does nothing. A pending order's passes are
still counted (tickets/inventory.py), even past its hold until the hold is released, so it is
kept. A payment that lands after the order expired or was cancelled takes its passes on the
counters again and keeps the order only if they are still there; otherwise the money goes
back (a task, after commit) and the buyer is told.
"""

import logging
import re

from django.db import transaction
from django.utils import timezone

from tickets import inventory
from tickets.models import Order, OrderStatus, Payment, PaymentStatus
from tickets.money import format_money
from tickets.sale_rows import pass_types_for_writing
from tickets.services import holds
from tickets.services.order_states import mark_paid
from tickets.services.queueing import (
    after_commit,
    queue_confirmation,
    queue_duplicate_refund,
    queue_unfulfilled_refund,
)

logger = logging.getLogger(__name__)


def fulfil_order(
    *, order: Order, payment: Payment | None, amount_received: int, currency_received: str
) -> bool:
    """Mark the order paid and issue its tickets; False when there was nothing (more) to do.

    Returns False too for a payment that does not match the order's total and currency (the
    mismatch is recorded on the payment, where organizers see it in the admin) and for a late
    payment that is being refunded because the passes were sold meanwhile.
    """
    now = timezone.now()
    with transaction.atomic():
        inventory.set_lock_timeout()
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status in (OrderStatus.PAID, OrderStatus.REFUNDED) or locked.paid_at:
            if payment is not None and payment.status != PaymentStatus.SUCCEEDED:
                if not _is_paying_payment(locked, payment):
                    # Paid twice (say in the app and in a browser tab): give the second back.
                    logger.warning("Order %s was paid twice: refunding payment %s.",
                                   locked.code, payment.pk)  # fmt: skip
                    after_commit(queue_duplicate_refund, payment.pk)
                _mark_succeeded(payment, now)
            return False
        problem = payment_mismatch(locked, amount=amount_received, currency=currency_received)
        if problem:
            logger.error("Order %s: %s Not fulfilled.", locked.code, problem)
            if payment is not None:
                Payment.objects.filter(pk=payment.pk).update(problem=problem, updated_at=now)
                payment.problem = problem
            return False
        if payment is not None:
            _mark_succeeded(payment, now)
        late = locked.status != OrderStatus.PENDING
        if late and not _take_again(locked):
            _keep_unfulfilled(locked, now=now)
            after_commit(queue_unfulfilled_refund, locked.pk)
            return False
        mark_paid(locked, now=now)
        # A broker that is down only logs here: the order stays paid, and reconciliation
        # queues the confirmation later.
        after_commit(queue_confirmation, locked.pk)
    return True


def payment_mismatch(order: Order, *, amount: int, currency: str) -> str:
    """What is wrong with receiving `amount` in `currency` for `order`, or an empty string.

    Currencies compare with their amounts: 2500 yen are not 25.00 dollars.
    """
    if (amount, currency.lower()) == (order.total, order.currency.lower()):
        return ""
    is_code = re.fullmatch("[A-Za-z]{3}", currency) is not None
    received = format_money(amount, currency) if is_code else f"{amount} in no known currency"
    return (
        f"Stripe reported {received} received, but the order is "
        f"{format_money(order.total, order.currency)}."
    )


def _is_paying_payment(order: Order, payment: Payment) -> bool:
    """Whether `payment` is the one that paid the order (its success was not yet recorded)."""
    return not order.payments.filter(status=PaymentStatus.SUCCEEDED).exclude(pk=payment.pk).exists()


def _mark_succeeded(payment: Payment, now) -> None:
    Payment.objects.filter(pk=payment.pk).update(
        status=PaymentStatus.SUCCEEDED, succeeded_at=now, updated_at=now
    )
    payment.status = PaymentStatus.SUCCEEDED
    payment.succeeded_at = now


def _take_again(order: Order) -> bool:
    """Count the passes of an order that no longer holds them again, if they are still there
    (the event's ended holds released first when the counters say no room)."""
    wanted = dict(order.lines.values_list("pass_type_id", "quantity"))

    def write() -> bool:
        # A savepoint: a refused take leaves the counters it had changed as they were.
        with transaction.atomic():
            inventory.take(pass_types_for_writing(wanted), wanted)
        return True

    try:
        return holds.write_with_room(
            event=order.event, write=write, refusal=lambda shortage, stock: PassesGone()
        )
    except PassesGone:
        return False


class PassesGone(Exception):
    """The passes of a late order were sold meanwhile."""


def _keep_unfulfilled(order: Order, *, now) -> None:
    """The money arrived (paid_at) but the order gets no passes: it stays expired/cancelled."""
    Order.objects.filter(pk=order.pk).update(paid_at=now, updated_at=now)
    logger.warning("Order %s was paid after its hold ended and is sold out: refunding.", order.code)
