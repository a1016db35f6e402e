"""Complimentary tickets: an organizer gives passes for free, with a reason.

A comp is an order paid at zero, issued at once: it takes its seats like any sold pass (under
the same inventory locks, never past capacity), gets the normal confirmation e-mail with the
tickets, and is counted apart in the sales figures by its `comp_reason`.
"""

from collections.abc import Sequence

from django.db import OperationalError, transaction
from django.utils import timezone

from core.audit import record, subject_type_of
from core.models import AuditAction
from events.models import Event
from tickets import inventory
from tickets.exceptions import InventoryBusy, SoldOut, TicketsError
from tickets.models import Order, OrderLine, PassType
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
    try:
        with transaction.atomic():
            inventory.set_lock_timeout()
            (locked,) = inventory.lock_inventory(PassType.objects.filter(pk=pass_type.pk))
            now = timezone.now()
            stock = inventory.stock([locked], now=now)
            if not stock.fits([locked], {locked.pk: quantity}):
                left = stock.left(locked).count
                raise SoldOut(
                    f"Only {left} {locked.name} passes are left to give.",
                    field="quantity",
                    extra={"available": {str(locked.pk): left}},
                )
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
                pass_type=locked,
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
    except OperationalError as error:
        if inventory.is_lock_timeout(error):
            raise InventoryBusy("Many people are buying right now; try again.") from error
        raise
    return order
