"""Writes of the notices app: recording programme changes for the people who bookmarked the
session, their consent to be told, and the devices they want push notifications on."""

import datetime as dt
import ipaddress
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Bookmark
from core.domain_events import DomainEvent
from notices import tasks
from notices.exceptions import NoticesError
from notices.links import user_for_unsubscribe_token
from notices.models import ChangeKind, ProgrammeNotice, PushSubscription
from notices.push import keys_are_usable
from privacy.models import Consent, ConsentPurpose
from privacy.selectors import refusing_user_ids
from privacy.services import record_consent

SESSION_EVENTS = {"session.changed", "session.cancelled"}
# A person whose digest is due later than this from now is covered by the task already
# waiting; one due sooner gets a task of its own, so a change committed while the waiting task
# is already sending is not left behind (running a digest with nothing pending is a no-op).
# A task that runs late can still miss one; beat's sweep of overdue notices sends it then.
SCHEDULING_MARGIN = dt.timedelta(seconds=60)


def record_programme_change(happened: DomainEvent) -> list[ProgrammeNotice]:
    """Subscriber of session events: owe a notice to each person who bookmarked the session
    and has not turned notices off, and schedule their digest after the batching window.

    Only moves, stage changes and cancellations are told; a new title or speaker alone is not.
    Runs in the publisher's transaction: the notices and the change commit together, and the
    digest tasks (keyed by user id alone) are queued only once they did.
    """
    if happened.type not in SESSION_EVENTS:
        return []
    changes = set(happened.data.get("changes", []))
    if happened.type == "session.cancelled":
        changes.add(ChangeKind.CANCELLED)
    kinds = [kind.value for kind in ChangeKind if kind.value in changes]
    if not kinds:
        return []
    session_id = happened.data["id"]
    bookmarkers = Bookmark.objects.filter(session_id=session_id).values("user_id")
    refusing = refusing_user_ids(ConsentPurpose.PROGRAMME_CHANGES, user_ids=bookmarkers)
    user_ids = set(bookmarkers.values_list("user_id", flat=True)) - refusing
    window = dt.timedelta(seconds=settings.NOTICES_BATCH_WINDOW)
    now = timezone.now()
    covered = set(
        ProgrammeNotice.objects.filter(
            user_id__in=user_ids,
            sent_at__isnull=True,
            changed_at__gt=now - window + SCHEDULING_MARGIN,
        ).values_list("user_id", flat=True)
    )
    notices = ProgrammeNotice.objects.bulk_create(
        ProgrammeNotice(user_id=user_id, session_id=session_id, kinds=kinds, changed_at=now)
        for user_id in sorted(user_ids)
    )
    for user_id in sorted(user_ids - covered):
        transaction.on_commit(
            partial(
                tasks.send_programme_digest.apply_async,
                args=[user_id],
                countdown=settings.NOTICES_BATCH_WINDOW,
            )
        )
    return notices


def set_programme_notices(*, user, on: bool) -> Consent:
    """Turn the person's programme-change notices (e-mail and push) on or off; kept as a
    consent answer, so the history of what they chose stays with their other consents."""
    return record_consent(user=user, purpose=ConsentPurpose.PROGRAMME_CHANGES, granted=on)


def unsubscribe(*, token: str):
    """The one-click unsubscribe of a digest's link: notices off for the token's account."""
    user = user_for_unsubscribe_token(token)
    set_programme_notices(user=user, on=False)
    return user


def _refuse_unfit_endpoint(endpoint: str) -> None:
    """Push services are public HTTPS servers: refuse anything else, so a person cannot make the
    site post to addresses inside our own network."""
    parts = urlsplit(endpoint)
    try:
        private = not ipaddress.ip_address(parts.hostname or "").is_global
    except ValueError:
        private = parts.hostname in {None, "", "localhost"}
    if parts.scheme != "https" or private:
        raise NoticesError(
            _("This is not a push service's address."), code="invalid_endpoint", field="endpoint"
        )


def save_push_subscription(*, user, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Keep a browser's push subscription for the person; a device that subscribes again (or
    passes to another account) keeps one row, with the latest keys and owner."""
    _refuse_unfit_endpoint(endpoint)
    if not keys_are_usable(p256dh=p256dh, auth=auth):
        raise NoticesError(
            _("This subscription's keys cannot be used for push."), code="invalid_subscription"
        )
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth}
    )
    return subscription


def remove_push_subscription(*, user, endpoint: str) -> bool:
    """Stop pushing to one of the person's devices; False if it was not theirs or not known."""
    deleted, _details = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted > 0
