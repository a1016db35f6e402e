"""Complimentary tickets: an organizer gives passes for free, with a reason.

A comp is an order paid at zero, issued at once: it takes its seats like any sold pass (on
the same inventory counters, never past capacity), gets the normal confirmation e-mail with the
tickets, and is counted apart in the sales figures by its `comp_reason`.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from core.audit import record, subject_type_of
from core.models import AuditAction
from events.models import Event
from tickets import inventory
from tickets.exceptions import SoldOut, TicketsError
from tickets.models import Order, OrderLine, PassType
from tickets.sale_rows import pass_types_for_writing
from tickets.services import holds
from tickets.services.order_states import mark_paid
from tickets.services.queueing import after_commit, queue_confirmation

MAX_COMPS = 50  # passes in one comp order: a guest list, not a bulk import


def issue_comps(
    *,
    event: Event,
    pass_type: PassType,
    quantity: int,
    email: str,
    reason: str,
    attendee_names: Sequence[str] = (),
    actor,
) -> Order:
    """Issue `quantity` free passes of `pass_type` to `email`; returns the paid order."""
    reason = reason.strip()
    if not reason:
        raise TicketsError("Say why these tickets are free.", field="reason")
    if not 1 <= quantity <= MAX_COMPS:
        raise TicketsError(f"Issue from 1 to {MAX_COMPS} passes at once.", field="quantity")
    if pass_type.event_id != event.pk:
        raise TicketsError("That pass is not one of this event's.", field="pass_type")
    names = [name.strip()[:200] for name in attendee_names if name.strip()][:quantity]
    wanted = {pass_type.pk: quantity}

    def write() -> Order:
        with transaction.atomic():
            inventory.set_lock_timeout()
            loaded = pass_types_for_writing([pass_type.pk])
            inventory.counted_stock(loaded, wanted)
            now = timezone.now()
            order = Order.objects.create(
                event=event,
                email=email,
                currency=event.currency,
                subtotal=0,
                total=0,
                hold_expires_at=now,
                comp_reason=reason[:200],
            )
            OrderLine.objects.create(
                order=order,
                pass_type=pass_type,
                quantity=quantity,
                unit_price=0,
                phase_name="Complimentary",
                attendees=[{"name": name} for name in names],
            )
            mark_paid(order, now=now)
            record(
                actor=actor,
                action=AuditAction.CHANGED,
                subject_type=subject_type_of(Order),
                subject_id=order.code,
                object_count=quantity,
                detail="complimentary tickets issued",
            )
            after_commit(queue_confirmation, order.pk)
            inventory.take(loaded, wanted)  # the last statement: locked until the commit
        return order

    def refusal(shortage: inventory.NoRoomCounted, stock: inventory.Stock) -> SoldOut:
        left = stock.left(shortage.pass_types[0]).count
        return SoldOut(
            f"Only {left} {pass_type.name} passes are left to give.",
            field="quantity",
            extra={"available": {str(pass_type.pk): left}},
        )

    return holds.write_with_room(event=event, write=write, refusal=refusal)
