"""An order's state changes, one function each: expire, cancel, mark paid, refund.

    pending ──hold ends──▶ expired
    pending ──buyer/erasure──▶ cancelled
    pending ──payment received──▶ paid ──refunded in full──▶ refunded

Every path that moves an order (the API, webhooks, reconciliation, the admin, erasure) calls
these, so each transition stamps the same fields and does the same follow-up work, including
the inventory counters: an order that stops taking passes gives them back in the same
transaction (tickets/inventory.py).
"""

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.api.fields import money
from core import domain_events
from tickets import inventory
from tickets.exceptions import OrderNotCancellable
from tickets.models import Order, OrderStatus, Ticket, TicketStatus


def expire_held_orders(
    *,
    now: dt.datetime | None = None,
    orders: QuerySet[Order] | None = None,
    wait_for_locked: bool = False,
) -> int:
    """Move pending orders past their hold (of `orders`, all by default) to expired: their
    passes go back on sale. Returns how many moved.

    The orders are locked first, skipping any another transaction holds (a payment being
    fulfilled decides for itself), so a second run, or two workers at once, expire each order
    once, and its passes go back to the counters once. Batches of EXPIRY_BATCH orders, one
    transaction each, keep the end of a large sale's holds from locking the counters long.

    `wait_for_locked`: wait for the orders another transaction holds instead (in id order), so
    a buyer told "no room" sees a hold another buyer is releasing as released, not as sold.
    """
    now = now or timezone.now()
    orders = Order.objects.all() if orders is None else orders
    expired = 0
    while True:
        with transaction.atomic():
            ended = list(
                orders.filter(status=OrderStatus.PENDING, hold_expires_at__lte=now)
                .select_for_update(skip_locked=not wait_for_locked, of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[:EXPIRY_BATCH]
            )
            if ended:
                Order.objects.filter(pk__in=ended).update(
                    status=OrderStatus.EXPIRED, expired_at=now, updated_at=now
                )
                inventory.give_back(ended)
        expired += len(ended)
        if len(ended) < EXPIRY_BATCH:
            return expired


EXPIRY_BATCH = 500


def cancel_order(*, order: Order) -> Order:
    """Cancel a pending order, which releases its hold; cancelling twice is harmless."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == OrderStatus.CANCELLED:
            return locked
        if locked.status != OrderStatus.PENDING:
            raise OrderNotCancellable(
                f"A {locked.get_status_display().lower()} order cannot be cancelled.",
            )
        locked.status = OrderStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_at", "updated_at"])
        inventory.give_back([locked.pk])
        publish_order_event("order.cancelled", locked)
    return locked


def mark_paid(locked: Order, *, now: dt.datetime) -> None:
    """A locked, unpaid order becomes paid and gets one ticket per pass. Its passes must be
    counted already: a pending order's are; an ended one's are taken again by the caller."""
    locked.status = OrderStatus.PAID
    locked.paid_at = now
    locked.save(update_fields=["status", "paid_at", "updated_at"])
    tickets = []
    for line in locked.lines.order_by("pk"):
        attendees = list(line.attendees or [])
        for index in range(line.quantity):
            attendee = attendees[index] if index < len(attendees) else {}
            tickets.append(
                Ticket(
                    order=locked,
                    line=line,
                    pass_type_id=line.pass_type_id,
                    attendee_name=(attendee.get("name") or "")[:200],
                    attendee_email=attendee.get("email") or locked.email,
                )
            )
    Ticket.objects.bulk_create(tickets)
    publish_order_event("order.paid", locked)


def void_tickets(locked: Order, ticket_ids: Sequence[int], *, now: dt.datetime) -> int:
    """Void the locked order's valid tickets among `ticket_ids` (people a partial refund no
    longer admits); their passes stay counted as sold, since the order's lines still hold
    them. Returns how many were voided; voiding again is harmless."""
    return locked.tickets.filter(pk__in=ticket_ids, status=TicketStatus.VALID).update(
        status=TicketStatus.VOID, voided_at=now, updated_at=now
    )


def add_refund(locked: Order, *, refunded: int, now: dt.datetime) -> None:
    """A locked order records `refunded` (minor units, in all); refunded in full, a paid order
    becomes refunded and its tickets void (their passes go back on sale when
    GREENROOM_REFUND_RETURNS_INVENTORY is on)."""
    locked.refunded_amount = refunded
    locked.refunded_at = now
    fields = ["refunded_amount", "refunded_at", "updated_at"]
    if refunded == locked.total and locked.status == OrderStatus.PAID:
        locked.status = OrderStatus.REFUNDED
        fields.append("status")
        locked.tickets.filter(status=TicketStatus.VALID).update(
            status=TicketStatus.VOID, voided_at=now, updated_at=now
        )
    locked.save(update_fields=fields)
    if "status" in fields and settings.GREENROOM_REFUND_RETURNS_INVENTORY:
        inventory.give_back([locked.pk])
    if locked.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
        # Money given back for a late payment the order never kept is no refund of a sale.
        publish_order_event("order.refunded", locked)


def publish_order_event(event_type: str, order: Order) -> None:
    """Tell the apps above (webhooks) what became of the order: its reference, status and
    amounts, nothing of the buyer or the attendees."""
    domain_events.publish(
        event_type,
        event_id=order.event_id,
        data={
            "id": order.pk,
            "code": order.code,
            "event": order.event.slug,
            "status": order.status,
            "total": money(order.total, order.currency),
            "refunded": money(order.refunded_amount, order.currency),
        },
    )
