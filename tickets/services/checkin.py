"""Checking tickets in at the door: one scan admits, every later scan says when it did.

Two door phones can scan the same code in the same instant (a screenshot shared with a
friend). Reading the ticket and then saving it would let both see "not checked in yet" and
both admit. Instead one conditional UPDATE sets `checked_in_at` only where it is still empty,
so the database decides: exactly one scan changes the row, and every other one then reads the
first scan's time back.
"""

import datetime as dt
import enum
import logging
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef
from django.utils import timezone

from events.models import Event
from tickets.models import Order, OrderStatus, Ticket, TicketStatus
from tickets.qr import parse_qr_payload

logger = logging.getLogger(__name__)

DOOR_STAFF_GROUP = "Door staff"
CHECK_IN_PERMISSION = "tickets.check_in_ticket"


def can_check_in(user) -> bool:
    """Whether this person may scan tickets: door staff, organizers and superusers."""
    return user.is_authenticated and user.has_perm(CHECK_IN_PERMISSION)


def ensure_door_staff_group() -> Group:
    """The group for volunteers at the door: they may check tickets in and nothing else."""
    group, _ = Group.objects.get_or_create(name=DOOR_STAFF_GROUP)
    app_label, codename = CHECK_IN_PERMISSION.split(".")
    group.permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return group


class CheckInOutcome(enum.StrEnum):
    """What the door app shows: admit, admitted before, refused, or unknown."""

    CHECKED_IN = "checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    VOID = "void"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class CheckInResult:
    """The answer to one scan; `checked_in_at` is the first scan's time once admitted."""

    outcome: CheckInOutcome
    ticket: Ticket | None = None
    checked_in_at: dt.datetime | None = None
    attendee_name: str = ""
    pass_name: str = ""


def check_in(*, code: str, staff_user, event: Event | None = None) -> CheckInResult:
    """Admit the ticket a door app scanned (its QR payload or bare code).

    With `event`, only that event's tickets are known here: door staff scan for one event, and
    another event's ticket answers `not_found` rather than telling them whose it is.
    """
    ticket_code = parse_qr_payload(code)
    if ticket_code is None:
        return CheckInResult(CheckInOutcome.NOT_FOUND)

    now = timezone.now()
    # Only a paid order's tickets admit (refunds void them; this also covers a refund that
    # has not voided its tickets yet). The order is matched in a correlated EXISTS rather than
    # a join, so the UPDATE stays a single-table statement: PostgreSQL re-checks all of its
    # conditions on the row a concurrent scan has just changed, and skips it.
    admissible_order = Order.objects.filter(pk=OuterRef("order_id"), status=OrderStatus.PAID)
    if event is not None:
        admissible_order = admissible_order.filter(event=event)
    admitted = Ticket.objects.filter(
        Exists(admissible_order),
        code=ticket_code,
        status=TicketStatus.VALID,
        checked_in_at__isnull=True,
    ).update(checked_in_at=now, updated_at=now)

    try:
        ticket = Ticket.objects.select_related("order", "pass_type").get(code=ticket_code)
    except Ticket.DoesNotExist:
        return CheckInResult(CheckInOutcome.NOT_FOUND)
    if event is not None and ticket.order.event_id != event.pk:
        return CheckInResult(CheckInOutcome.NOT_FOUND)
    if admitted:
        outcome = CheckInOutcome.CHECKED_IN
        logger.info("Ticket %s checked in by user %s", ticket.pk, staff_user.pk)
    elif (
        ticket.status == TicketStatus.VALID
        and ticket.order.status == OrderStatus.PAID
        and ticket.checked_in_at is not None
    ):
        outcome = CheckInOutcome.ALREADY_CHECKED_IN
    else:
        # Void, or its order is not (or no longer) paid: refused, whatever happened before.
        outcome = CheckInOutcome.VOID
    return CheckInResult(
        outcome,
        ticket=ticket,
        checked_in_at=ticket.checked_in_at,
        attendee_name=ticket.attendee_name,
        pass_name=ticket.pass_type.name,
    )
