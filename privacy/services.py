"""Writes of the privacy app: erasing a person (self-service or by an administrator),
retention, consents.

What each app erases is its own business (its `privacy.py`, registered with
core.personal_data); this module decides whether an erasure may go ahead.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core import personal_data
from core.personal_data import ErasurePreview, ErasureResult
from privacy.exceptions import AccountNotErasable, ConfirmationRequired
from privacy.models import Consent

RETENTION_BATCH_SIZE = 500


def erasure_confirmation_required(preview: ErasurePreview) -> ConfirmationRequired:
    """The error that tells a person what erasing their account would do."""
    return ConfirmationRequired(
        "Erasing your account cannot be undone. Your account, personal agenda, consents and "
        f"API tokens are deleted; your {preview.orders} order(s) are kept for accounting "
        f"without your name or e-mail; {preview.future_tickets} valid ticket(s) for events "
        "that have not ended are voided, without refund. Send "
        '{"confirm": true, "void_future_tickets": true} to go ahead.',
        extra={"orders_to_anonymise": preview.orders, "tickets_to_void": preview.future_tickets},
    )


def erase_person(*, user, void_future_tickets: bool) -> ErasureResult:
    """Erase a signed-in person: their orders anonymised, their account deleted.

    Holding valid tickets for events not yet ended needs `void_future_tickets`, else
    `confirmation_required` (400) and nothing changes.
    """
    if user.pk is None:  # deleting an account clears its instance's pk: erased already
        return ErasureResult()
    now = timezone.now()
    with transaction.atomic():
        account = get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if account is None:
            return ErasureResult()
        preview = personal_data.preview_erasure(account, now=now)
        if preview.future_tickets and not void_future_tickets:
            raise erasure_confirmation_required(preview)
        return personal_data.erase_account(account, now=now)


def erase_own_account(*, user, confirm: bool, void_future_tickets: bool) -> ErasureResult:
    """Self-service erasure (DELETE /me/): confirmed by the person, refused to staff.

    Staff accounts carry the site's admin history; an administrator removes their staff
    rights first, deliberately, rather than an app doing it with one request.
    """
    if user.is_staff or user.is_superuser:
        raise AccountNotErasable(
            "Staff accounts are not erased through the API; ask a site administrator."
        )
    if not confirm:
        raise erasure_confirmation_required(personal_data.preview_erasure(user))
    return erase_person(user=user, void_future_tickets=void_future_tickets)


def anonymise_past_attendees(*, now=None, batch_size: int = RETENTION_BATCH_SIZE) -> int:
    """Retention: every app removes personal data of events ended more than
    GREENROOM_ATTENDEE_RETENTION_DAYS days ago; returns how many orders were anonymised."""
    return personal_data.erase_past_events(now=now, batch_size=batch_size)


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
