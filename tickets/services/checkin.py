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
from dataclasses import dataclass, field, replace

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core import domain_events
from events.models import Event
from tickets.exceptions import CheckInNotUndoable
from tickets.models import CheckInScan, Order, OrderStatus, Ticket, TicketStatus
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
    """What the door app shows: admit, admitted before, refused, another event's, or unknown."""

    CHECKED_IN = "checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    VOID = "void"
    OTHER_EVENT = "other_event"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class CheckInResult:
    """The answer to one scan; `checked_in_at` is the first scan's time once admitted, and
    `checked_in_by` the person whose scan admitted (when that scan was logged)."""

    outcome: CheckInOutcome
    ticket: Ticket | None = None
    checked_in_at: dt.datetime | None = None
    attendee_name: str = ""
    pass_name: str = ""
    checked_in_by: object | None = field(default=None, compare=False)
    event_name: str = field(default="", compare=False)
    scan: CheckInScan | None = field(default=None, compare=False)


UNDO_WINDOW = dt.timedelta(seconds=60)


def check_in(*, code: str, staff_user, event: Event | None = None) -> CheckInResult:
    """Admit the ticket a door app scanned (its QR payload or bare code), and log the scan.

    With `event`, only that event's tickets admit: another event's ticket answers
    `other_event`, with the other event's name but nothing of its attendee. The scan log row
    (who, when, what it answered) is written in the same transaction as the admission.
    """
    with transaction.atomic():
        result = _check_in(code=code, event=event)
        scan = CheckInScan.objects.create(
            ticket=result.ticket,
            event=event or (result.ticket.order.event if result.ticket else None),
            outcome=result.outcome.value,
            scanned_by=staff_user,
            # An admission's scan carries the ticket's `checked_in_at` exactly: undo matches it.
            scanned_at=result.checked_in_at
            if result.outcome == CheckInOutcome.CHECKED_IN
            else timezone.now(),
        )
        if result.outcome == CheckInOutcome.CHECKED_IN:
            _publish_checked_in(result.ticket)
    if result.outcome == CheckInOutcome.CHECKED_IN:
        logger.info("Ticket %s checked in by user %s", result.ticket.pk, staff_user.pk)
        result = replace(result, checked_in_by=staff_user)
    elif result.outcome == CheckInOutcome.ALREADY_CHECKED_IN:
        result = replace(result, checked_in_by=_admitted_by(result.ticket))
    return replace(result, scan=scan)


def _check_in(*, code: str, event: Event | None) -> CheckInResult:
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
        ticket = Ticket.objects.select_related("order__event", "pass_type").get(code=ticket_code)
    except Ticket.DoesNotExist:
        return CheckInResult(CheckInOutcome.NOT_FOUND)
    if event is not None and ticket.order.event_id != event.pk:
        # The other event's name helps the door send the person on; nothing of theirs shows.
        return CheckInResult(CheckInOutcome.OTHER_EVENT, event_name=ticket.order.event.name)
    if admitted:
        outcome = CheckInOutcome.CHECKED_IN
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
        event_name=ticket.order.event.name,
    )


def _publish_checked_in(ticket: Ticket) -> None:
    """Tell the apps above (webhooks) a ticket was admitted: which, when; not who holds it."""
    domain_events.publish(
        "ticket.checked_in",
        event_id=ticket.order.event_id,
        data={
            "id": ticket.pk,
            "order_id": ticket.order_id,
            "event": ticket.order.event.slug,
            "pass_type": {"id": ticket.pass_type_id, "name": ticket.pass_type.name},
            "checked_in_at": domain_events.utc_iso(ticket.checked_in_at),
        },
    )


def _admitted_by(ticket: Ticket):
    """Who scanned the ticket in: the logged admission behind its `checked_in_at`, if any."""
    scan = (
        CheckInScan.objects.filter(
            ticket=ticket,
            outcome=CheckInOutcome.CHECKED_IN,
            undone_at__isnull=True,
            scanned_at=ticket.checked_in_at,
        )
        .select_related("scanned_by")
        .first()
    )
    return scan.scanned_by if scan else None


def undo_check_in(*, scan_id: int, staff_user, now: dt.datetime | None = None) -> CheckInScan:
    """Take back an admission within a minute of it, by the person who scanned it.

    The ticket goes back to not checked in only while its `checked_in_at` is still this scan's
    (one conditional UPDATE, as for checking in), so an undo never reverts someone else's
    admission; the scan is stamped as undone, by whom and when, in the same transaction.
    """
    now = now or timezone.now()
    with transaction.atomic():
        try:
            scan = CheckInScan.objects.select_for_update().get(pk=scan_id)
        except CheckInScan.DoesNotExist:
            raise CheckInNotUndoable("No such scan.", code="undo_not_admission") from None
        if scan.outcome != CheckInOutcome.CHECKED_IN or scan.ticket_id is None:
            raise CheckInNotUndoable(
                "Only a scan that checked a ticket in can be undone.", code="undo_not_admission"
            )
        if scan.undone_at is not None:
            raise CheckInNotUndoable(
                "This check-in was undone already.", code="undo_already_undone"
            )
        if scan.scanned_by_id != staff_user.pk:
            raise CheckInNotUndoable(
                "Only the person who scanned the ticket can undo it.", code="undo_not_yours"
            )
        if now - scan.scanned_at > UNDO_WINDOW:
            raise CheckInNotUndoable(
                "A check-in can be undone for one minute only.", code="undo_expired"
            )
        reverted = Ticket.objects.filter(pk=scan.ticket_id, checked_in_at=scan.scanned_at).update(
            checked_in_at=None, updated_at=now
        )
        if not reverted:
            raise CheckInNotUndoable(
                "The ticket's check-in is no longer this scan's.", code="undo_not_latest"
            )
        scan.undone_at, scan.undone_by = now, staff_user
        scan.save(update_fields=["undone_at", "undone_by"])
    logger.info("Check-in of ticket %s undone by user %s", scan.ticket_id, staff_user.pk)
    return scan
