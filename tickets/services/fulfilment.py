"""Fulfilment: a received payment turns a pending order into a paid one with tickets, once.

One transaction under the order's row lock: a second call (a webhook delivered twice, two
events for one payment) finds the order paid and does nothing. A payment that lands after the
hold ended re-takes the inventory locks in the global order and keeps the order only if the
passes are still there; otherwise the money goes back (a task, after commit) and the buyer is
told.
"""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from tickets.models import (
    InventoryPool,
    Order,
    OrderStatus,
    PassType,
    Payment,
    PaymentStatus,
    Ticket,
)
from tickets.selectors import passes_taken, pool_seats_taken
from tickets.services.ordering import _set_lock_timeout

logger = logging.getLogger(__name__)


def fulfil_order(*, order: Order, payment: Payment | None, amount_received: int) -> bool:
    """Mark the order paid and issue its tickets; False when there was nothing (more) to do.

    Returns False too for a payment that does not match the order's total (logged for a
    person to look at) and for a late payment that is being refunded because the passes
    were sold meanwhile.
    """
    now = timezone.now()
    with transaction.atomic():
        _set_lock_timeout()
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status in (OrderStatus.PAID, OrderStatus.REFUNDED) or locked.paid_at:
            if payment is not None and payment.status != PaymentStatus.SUCCEEDED:
                if not _is_paying_payment(locked, payment):
                    # Paid twice (say in the app and in a browser tab): give the second back.
                    logger.warning("Order %s was paid twice: refunding payment %s.",
                                   locked.code, payment.pk)  # fmt: skip
                    transaction.on_commit(
                        partial(_schedule_duplicate_refund, payment.pk), robust=True
                    )
                _mark_succeeded(payment, now)
            return False
        if amount_received != locked.total:
            logger.error(
                "Order %s: payment of %s does not match its total %s; not fulfilled.",
                locked.code,
                amount_received,
                locked.total,
            )
            return False
        if payment is not None:
            _mark_succeeded(payment, now)
        late = locked.status != OrderStatus.PENDING or locked.hold_expires_at <= now
        if late and not _still_room_for(locked, now=now):
            _keep_unfulfilled(locked, now=now)
            transaction.on_commit(partial(_schedule_refund, locked.pk), robust=True)
            return False
        locked.status = OrderStatus.PAID
        locked.paid_at = now
        locked.save(update_fields=["status", "paid_at", "updated_at"])
        _issue_tickets(locked)
        # A broker that is down only logs here (the log names the function and the order id):
        # the order stays paid, and reconciliation queues the confirmation later.
        transaction.on_commit(partial(_schedule_confirmation, locked.pk), robust=True)
    return True


def _is_paying_payment(order: Order, payment: Payment) -> bool:
    """Whether `payment` is the one that paid the order (its success was not yet recorded)."""
    return not order.payments.filter(status=PaymentStatus.SUCCEEDED).exclude(pk=payment.pk).exists()


def _mark_succeeded(payment: Payment, now) -> None:
    Payment.objects.filter(pk=payment.pk).update(
        status=PaymentStatus.SUCCEEDED, succeeded_at=now, updated_at=now
    )
    payment.status = PaymentStatus.SUCCEEDED
    payment.succeeded_at = now


def _still_room_for(order: Order, *, now) -> bool:
    """Whether paid + held + this order fits every inventory row it draws on (under lock).

    Locks pools, then pass types, each by id: the same global order as placing an order.
    The order itself no longer holds anything (its hold ended), so the counts exclude it.
    """
    lines = list(order.lines.all())
    wanted = {line.pass_type_id: line.quantity for line in lines}
    pool_ids = sorted(
        InventoryPool.objects.filter(pass_types__in=list(wanted)).values_list("pk", flat=True)
    )
    pools = list(InventoryPool.objects.select_for_update().filter(pk__in=pool_ids).order_by("pk"))
    pass_types = list(
        PassType.objects.select_for_update().filter(pk__in=sorted(wanted)).order_by("pk")
    )
    taken = passes_taken(wanted, now=now)
    if any(
        pass_type.capacity is not None
        and taken.get(pass_type.pk, 0) + wanted[pass_type.pk] > pass_type.capacity
        for pass_type in pass_types
    ):
        return False
    pool_taken = pool_seats_taken([pool.pk for pool in pools], now=now)
    members = PassType.pools.through.objects.filter(
        inventorypool_id__in=[pool.pk for pool in pools], passtype_id__in=list(wanted)
    ).values_list("inventorypool_id", "passtype_id")
    wanted_by_pool: dict[int, int] = {}
    for pool_id, pass_type_id in members:
        wanted_by_pool[pool_id] = wanted_by_pool.get(pool_id, 0) + wanted[pass_type_id]
    return all(
        pool_taken.get(pool.pk, 0) + wanted_by_pool.get(pool.pk, 0) <= pool.capacity
        for pool in pools
    )


def _keep_unfulfilled(order: Order, *, now) -> None:
    """The money arrived (paid_at) but the order gets no passes: it stays expired/cancelled."""
    order.paid_at = now
    fields = ["paid_at", "updated_at"]
    if order.status == OrderStatus.PENDING:
        order.status = OrderStatus.EXPIRED
        order.expired_at = now
        fields += ["status", "expired_at"]
    order.save(update_fields=fields)
    logger.warning("Order %s was paid after its hold ended and is sold out: refunding.", order.code)


def _issue_tickets(order: Order) -> None:
    tickets = []
    for line in order.lines.order_by("pk"):
        attendees = list(line.attendees or [])
        for index in range(line.quantity):
            attendee = attendees[index] if index < len(attendees) else {}
            tickets.append(
                Ticket(
                    order=order,
                    line=line,
                    pass_type_id=line.pass_type_id,
                    attendee_name=(attendee.get("name") or "")[:200],
                    attendee_email=attendee.get("email") or order.email,
                )
            )
    Ticket.objects.bulk_create(tickets)


def queue_missing_confirmations(*, paid_since) -> int:
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
        _schedule_confirmation(order_id)
    return len(order_ids)


def _schedule_confirmation(order_id: int) -> None:
    from tickets.tasks import send_order_confirmation

    send_order_confirmation.delay(order_id)


def _schedule_duplicate_refund(payment_id: int) -> None:
    from tickets.tasks import refund_duplicate_payment

    refund_duplicate_payment.delay(payment_id)


def _schedule_refund(order_id: int) -> None:
    from tickets.tasks import refund_unfulfilled_payment

    refund_unfulfilled_payment.delay(order_id)
