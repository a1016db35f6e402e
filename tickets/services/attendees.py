"""Who a ticket admits: organizers correct names and e-mails, and the audit log says so."""

from django.db import transaction

from core.audit import record
from core.models import AuditAction
from tickets.exceptions import TicketsError
from tickets.models import Ticket, TicketStatus

NAME_MAX = 200


def correct_attendee(*, ticket: Ticket, name: str, email: str, actor) -> Ticket:
    """Change the attendee's name and e-mail on a valid ticket; records which fields changed
    (never their values) in the audit log. Returns the ticket as saved."""
    name, email = name.strip(), email.strip()
    if len(name) > NAME_MAX:
        raise TicketsError(f"A name has at most {NAME_MAX} characters.", field="attendee_name")
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status != TicketStatus.VALID:
            raise TicketsError(
                "Only a valid ticket's attendee can be corrected.", code="ticket_void"
            )
        changed = [
            field
            for field, value in (("attendee_name", name), ("attendee_email", email))
            if getattr(locked, field) != value
        ]
        if not changed:
            return locked
        locked.attendee_name, locked.attendee_email = name, email
        locked.save(update_fields=[*changed, "updated_at"])
        record(
            actor=actor,
            action=AuditAction.CHANGED,
            subject_type="tickets.ticket",
            subject_id=str(locked.pk),
            detail=",".join(changed),
        )
    return locked
