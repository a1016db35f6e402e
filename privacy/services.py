"""Writes of the privacy app: erasing a person, a buyer or speaker contacts; retention; consents.

Erasure keeps what accounting needs (orders, their lines, amounts, payments and refunds, the
order code) and removes who: the buyer's e-mail becomes a placeholder on the reserved
`.invalid` domain, attendees' names and e-mails are blanked on tickets and order lines, the
order is unlinked from the account and stamped `personal_data_erased_at`. Every function runs
in one transaction and is harmless to run again.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, TextField, Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone

from privacy.exceptions import PrivacyError
from privacy.models import Consent
from privacy.selectors import (
    ErasurePreview,
    erasure_preview,
    events_past_retention,
    future_valid_tickets,
)
from speakers.models import Speaker
from tickets.models import Order, OrderLine, OrderStatus, Ticket, TicketStatus
from tickets.services.ordering import cancel_order

logger = logging.getLogger(__name__)

ERASED_EMAIL_DOMAIN = "erased.invalid"  # RFC 2606: can never be a real mailbox
RETENTION_BATCH_SIZE = 500


@dataclass(frozen=True)
class ErasureResult:
    """What one erasure changed: orders and tickets whose personal data it removed, valid
    tickets for events not yet ended that it voided, and whether it deleted an account."""

    orders_anonymised: int = 0
    tickets_anonymised: int = 0
    tickets_voided: int = 0
    account_erased: bool = False

    def __add__(self, other: "ErasureResult") -> "ErasureResult":
        return ErasureResult(
            orders_anonymised=self.orders_anonymised + other.orders_anonymised,
            tickets_anonymised=self.tickets_anonymised + other.tickets_anonymised,
            tickets_voided=self.tickets_voided + other.tickets_voided,
            account_erased=self.account_erased or other.account_erased,
        )


def erasure_confirmation_required(preview: ErasurePreview) -> PrivacyError:
    """The error that tells a person what erasing their account would do."""
    return PrivacyError(
        "confirmation_required",
        "Erasing your account cannot be undone. Your account, personal agenda, consents and "
        f"API tokens are deleted; your {preview.orders} order(s) are kept for accounting "
        f"without your name or e-mail; {preview.future_tickets} valid ticket(s) for events "
        "that have not ended are voided, without refund. Send "
        '{"confirm": true, "void_future_tickets": true} to go ahead.',
        extra={"orders_to_anonymise": preview.orders, "tickets_to_void": preview.future_tickets},
    )


def erase_person(*, user, void_future_tickets: bool) -> ErasureResult:
    """Erase a signed-in person: their orders anonymised, their account deleted.

    The account is deleted rather than deactivated: once its orders are unlinked nothing
    needs it, and a deleted row can neither sign in again nor leak its name later. Holding
    valid tickets for events not yet ended needs `void_future_tickets`, else
    `confirmation_required` (400) and nothing changes.
    """
    if user.pk is None:  # deleting an account clears its instance's pk: erased already
        return ErasureResult()
    now = timezone.now()
    with transaction.atomic():
        account = get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if account is None:
            return ErasureResult()
        preview = erasure_preview(account, now=now)
        if preview.future_tickets and not void_future_tickets:
            raise erasure_confirmation_required(preview)
        return _erase_account(account, now=now)


def erase_own_account(*, user, confirm: bool, void_future_tickets: bool) -> ErasureResult:
    """Self-service erasure (DELETE /me/): confirmed by the person, refused to staff.

    Staff accounts carry the site's admin history; an administrator removes their staff
    rights first, deliberately, rather than an app doing it with one request.
    """
    if user.is_staff or user.is_superuser:
        raise PrivacyError(
            "account_not_erasable",
            "Staff accounts are not erased through the API; ask a site administrator.",
        )
    if not confirm:
        raise erasure_confirmation_required(erasure_preview(user))
    return erase_person(user=user, void_future_tickets=void_future_tickets)


def erase_buyer(*, email: str) -> ErasureResult:
    """Erase everything held under an e-mail address, on the person's request to an organizer.

    Matched without regard to case: the account with that address (deleted, its future
    tickets voided), orders placed with it (anonymised, their future tickets voided), and on
    other people's orders the tickets and attendee entries that carry it (blanked, the
    tickets stay valid: they belong to whoever bought them).
    """
    email = email.strip()
    if not email:
        raise PrivacyError("invalid", "Give the e-mail address to erase.", field="email")
    now = timezone.now()
    with transaction.atomic():
        accounts = list(
            get_user_model().objects.select_for_update().filter(email__iexact=email).order_by("pk")
        )
        result = ErasureResult()
        for account in accounts:
            result += _erase_account(account, now=now)
        order_ids = Order.objects.filter(email__iexact=email).values_list("pk", flat=True)
        result += _anonymise_orders(list(order_ids), now=now, void_future=True)
        result += ErasureResult(tickets_anonymised=_blank_attendee_tickets(email, now=now))
        _blank_attendee_entries(email)
    return result


def erase_speaker_contacts(*, speaker: Speaker) -> bool:
    """Blank a speaker's private contacts (e-mail, phone); the public profile stays.

    Returns whether anything changed.
    """
    changed = (
        Speaker.objects.filter(pk=speaker.pk)
        .exclude(email="", phone="")
        .update(email="", phone="", updated_at=timezone.now())
    )
    speaker.email = speaker.phone = ""
    return bool(changed)


def anonymise_past_attendees(
    *, now: dt.datetime | None = None, batch_size: int = RETENTION_BATCH_SIZE
) -> int:
    """Erase buyers' and attendees' data of events that ended more than
    GREENROOM_ATTENDEE_RETENTION_DAYS days ago; returns how many orders it anonymised.

    Each batch is its own transaction, so a long backlog neither holds locks for long nor
    loses finished batches if the run stops; the next run picks up where it stopped.
    """
    now = now or timezone.now()
    days = settings.GREENROOM_ATTENDEE_RETENTION_DAYS
    anonymised = 0
    for event in events_past_retention(now=now, days=days):
        while True:
            with transaction.atomic():
                batch = list(
                    Order.objects.select_for_update()
                    .filter(event=event, personal_data_erased_at__isnull=True)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:batch_size]
                )
                if not batch:
                    break
                anonymised += _anonymise_orders(batch, now=now, void_future=False).orders_anonymised
    if anonymised:
        logger.info("Retention: anonymised %s orders.", anonymised)
    return anonymised


def record_consent(*, user, purpose: str, granted: bool) -> Consent:
    """Record a person's answer for a purpose; repeating the current answer adds no row."""
    with transaction.atomic():
        current = (
            Consent.objects.select_for_update()
            .filter(user=user, purpose=purpose)
            .order_by("-recorded_at", "-pk")
            .first()
        )
        if current is not None and current.granted == granted:
            return current
        return Consent.objects.create(user=user, purpose=purpose, granted=granted)


def _erase_account(account, *, now: dt.datetime) -> ErasureResult:
    """Anonymise the account's orders, then delete it with its sessions: its bookmarks,
    consents and API token go with it (they cascade)."""
    order_ids = list(Order.objects.filter(user=account).values_list("pk", flat=True))
    result = _anonymise_orders(order_ids, now=now, void_future=True)
    account_id = account.pk
    account.delete()
    _delete_sessions(account_id)
    _forget_name_in_admin_history(account_id)
    logger.info("Erased account %s and anonymised %s orders.", account_id, len(order_ids))
    return result + ErasureResult(account_erased=True)


def _forget_name_in_admin_history(account_id: int) -> None:
    """Django's admin history keeps each changed object's name (a username, for accounts);
    the entries stay as a record that something was changed, without saying who it was."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_id=str(account_id),
    ).update(object_repr=f"erased account {account_id}", change_message="")


def _delete_sessions(account_id: int) -> None:
    """Delete the stored sessions signed in as the account (database-backed stores; other
    stores only let them expire, unusable since their user is gone)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return
    sessions = store.get_model_class().objects
    signed_in = [
        session.session_key
        for session in sessions.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(account_id)
    ]
    sessions.filter(session_key__in=signed_in).delete()


def _anonymise_orders(
    order_ids: list[int], *, now: dt.datetime, void_future: bool
) -> ErasureResult:
    """Remove the personal data of these orders and their tickets and lines.

    Pending ones are cancelled first: paid later, they would issue tickets to nobody.
    """
    orders = Order.objects.filter(pk__in=order_ids)
    for pending in orders.filter(status=OrderStatus.PENDING):
        cancel_order(order=pending)
    tickets = Ticket.objects.filter(order_id__in=order_ids)
    voided = 0
    if void_future:
        voided = future_valid_tickets(tickets, now=now).update(
            status=TicketStatus.VOID, voided_at=now, updated_at=now
        )
    blanked = _blank(tickets, now=now)
    OrderLine.objects.filter(order_id__in=order_ids).exclude(attendees=[]).update(
        attendees=[], updated_at=now
    )
    anonymised = orders.filter(personal_data_erased_at__isnull=True).update(
        email=Concat(Value("erased-"), Lower("code"), Value(f"@{ERASED_EMAIL_DOMAIN}")),
        user=None,
        idempotency_key="",
        request_fingerprint="",
        personal_data_erased_at=now,
        updated_at=now,
    )
    return ErasureResult(
        orders_anonymised=anonymised, tickets_anonymised=blanked, tickets_voided=voided
    )


def _blank(tickets, *, now: dt.datetime) -> int:
    return tickets.filter(~Q(attendee_name="") | ~Q(attendee_email="")).update(
        attendee_name="", attendee_email="", updated_at=now
    )


def _blank_attendee_tickets(email: str, *, now: dt.datetime) -> int:
    return _blank(Ticket.objects.filter(attendee_email__iexact=email), now=now)


def _blank_attendee_entries(email: str) -> None:
    """Blank the attendee entries carrying `email` in order lines' JSON.

    The JSON is searched as text to find candidates on any database, then each entry is
    compared exactly (without regard to case) before it is blanked.
    """
    candidates = (
        OrderLine.objects.annotate(attendees_text=Cast("attendees", TextField()))
        .filter(attendees_text__icontains=email)
        .select_for_update(of=("self",))
    )
    for line in candidates:
        attendees = [_blank_entry(entry, email) for entry in line.attendees]
        if attendees != line.attendees:
            line.attendees = attendees
            line.save(update_fields=["attendees", "updated_at"])


def _blank_entry(entry: object, email: str) -> object:
    matches = isinstance(entry, dict) and str(entry.get("email", "")).lower() == email.lower()
    return {} if matches else entry
