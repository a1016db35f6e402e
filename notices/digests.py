"""The programme-change digest: one e-mail and one push per person per batching window.

Everything pending for the person is read under a row lock, told as the sessions stand now (three
edits to one session make one entry, showing where and when it is now), and stamped sent in
the same transaction as the e-mail goes out; a second run, even a concurrent one, waits for
the lock and finds nothing left. As with the order e-mails, the stamp commits only after the
mail server took the message: at least once, a duplicate only if the process dies in between.
The push goes out after the commit, outside the lock, at most once.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import Session
from notices import links, push
from notices.models import ChangeKind, ProgrammeNotice
from notices.selectors import programme_notices_on

# How late past its batching window a pending notice must be before the sweep sends it: the
# digest task normally has by then.
OVERDUE_GRACE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class ChangedSession:
    """One bookmarked session in a digest: what happened to it, and how it stands now."""

    session: Session
    kinds: list[str]
    url: str

    @property
    def cancelled(self) -> bool:
        return self.session.status == Session.Status.CANCELLED

    @property
    def what_happened(self) -> str:
        return ", ".join(ChangeKind(kind).label for kind in self.kinds)

    @property
    def summary(self) -> str:
        """One line for a push notification: title, then where and when it is now."""
        if self.cancelled:
            return _("%(title)s is cancelled.") % {"title": self.session.title}
        return f"{self.session.title}: {self.session.local_slot_label()}, {self.session.stage.name}"


def changed_sessions(notices: list[ProgrammeNotice]) -> list[ChangedSession]:
    """The notices collapsed to one entry per session, in the order they first changed; only
    sessions still published are told (an unpublished one has no page to link to)."""
    kinds_by_session: dict[int, set[str]] = {}
    sessions: dict[int, Session] = {}
    for notice in notices:
        kinds_by_session.setdefault(notice.session_id, set()).update(notice.kinds)
        sessions[notice.session_id] = notice.session
    return [
        ChangedSession(
            session=session,
            kinds=[kind.value for kind in ChangeKind if kind.value in kinds_by_session[pk]],
            url=links.session_url(session),
        )
        for pk, session in sessions.items()
        if session.is_published
    ]


class UnfoldedHeader(str):
    """A header value written on one line as it is, up to RFC 5322's 998 characters.

    The email package fits headers into 78 columns, and cuts a long URL with no space in it into
    RFC 2047 encoded words, which mail clients do not decode in List-Unsubscribe (RFC 2369
    fields are structured). An object with `name` and `fold()` is written as it folds itself.
    """

    name: str

    def __new__(cls, name: str, value: str) -> "UnfoldedHeader":
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __reduce__(self):
        # Copied (the locmem backend copies each message) as name and value, not as a str.
        return (UnfoldedHeader, (self.name, str(self)))

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def digest_subject(entries: list[ChangedSession]) -> str:
    if len(entries) == 1:
        return _("Programme change: %(title)s") % {"title": entries[0].session.title}
    return ngettext(
        "Programme changes: %(count)d session you bookmarked",
        "Programme changes: %(count)d sessions you bookmarked",
        len(entries),
    ) % {"count": len(entries)}


def _send_email(user, entries: list[ChangedSession], subject: str) -> None:
    unsubscribe_url = links.unsubscribe_url(user)
    context = {
        "entries": entries,
        "account_url": links.account_url(),
        "unsubscribe_url": unsubscribe_url,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notices/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        # RFC 8058: mail clients offer "unsubscribe" and POST to the link, with no login.
        headers={
            "List-Unsubscribe": UnfoldedHeader("List-Unsubscribe", f"<{unsubscribe_url}>"),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("notices/email/digest.html", context), "text/html")
    message.send()


def _push_payload(entries: list[ChangedSession], subject: str) -> dict:
    """Title, body and link only: the person's device already knows who they are."""
    body = entries[0].summary
    if len(entries) > 1:
        body += " " + ngettext("And %(count)d more.", "And %(count)d more.", len(entries) - 1) % {
            "count": len(entries) - 1
        }
    url = entries[0].url if len(entries) == 1 else links.account_url()
    return {"title": subject, "body": body, "url": url}


def send_programme_digest(*, user_id: int) -> bool:
    """Send the person's pending programme changes as one e-mail and one push; False when there
    was nothing to send (already sent, or notices turned off: then the pending ones are dropped)."""
    with transaction.atomic():
        notices = list(
            ProgrammeNotice.objects.select_for_update(of=("self",))
            .filter(user_id=user_id, sent_at__isnull=True)
            .select_related("user", "session__event", "session__stage")
        )
        if not notices:
            return False
        user = notices[0].user
        pending = ProgrammeNotice.objects.filter(pk__in=[notice.pk for notice in notices])
        if not programme_notices_on(user):
            pending.delete()
            return False
        entries = changed_sessions(notices)
        subject = digest_subject(entries) if entries else ""
        if entries and user.email:
            _send_email(user, entries, subject)
        pending.update(sent_at=timezone.now())
    if entries:
        push.send_push(user_id=user_id, payload=_push_payload(entries, subject))
    return bool(entries)


def send_overdue_digests(*, now: dt.datetime | None = None) -> int:
    """The backstop, run by beat: send the digests of people with notices pending well past the
    batching window, whose task was lost (a broker away when the change committed) or ran just
    before a change it was counted on for; returns how many digests went out."""
    now = now or timezone.now()
    overdue = now - dt.timedelta(seconds=settings.NOTICES_BATCH_WINDOW) - OVERDUE_GRACE
    user_ids = (
        ProgrammeNotice.objects.filter(sent_at__isnull=True, changed_at__lt=overdue)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sum(send_programme_digest(user_id=user_id) for user_id in list(user_ids))
