"""Writes of the agenda: scheduling sessions with their speakers, publishing, cancelling,
releasing the schedule, bookmarks.

Every change the public sees of a session is told to the apps above as a domain event
(core.domain_events), inside the change's transaction.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import router, transaction
from django.db.models import F, Prefetch, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from agenda.exceptions import AgendaError, ReleaseVersionTaken
from agenda.models import AgendaVersion, Bookmark, ReleaseChange, ScheduleRelease
from agenda.releases import (
    EDIT_KINDS,
    change_kinds,
    compare_snapshots,
    published_snapshot,
    session_event_data,
    session_snapshot,
)
from agenda.selectors import published_sessions
from core.domain_events import publish, utc_iso
from events.models import Event, Session, Stage
from events.services import check_session_slot
from speakers.exceptions import SpeakersError
from speakers.models import SessionSpeaker, Speaker
from speakers.services import check_speakers_available


@dataclass(frozen=True)
class SpeakerSlot:
    """A speaker's place in a session being scheduled."""

    speaker: Speaker
    role: str = SessionSpeaker.Role.SPEAKER
    position: int = 1


def _check_slots_distinct(slots: Sequence[SpeakerSlot]) -> None:
    speaker_ids = [slot.speaker.pk for slot in slots]
    positions = [slot.position for slot in slots]
    if len(set(speaker_ids)) != len(speaker_ids):
        raise SpeakersError(
            "A speaker appears twice in this session.",
            field="speakers",
            code="speaker_listed_twice",
        )
    if len(set(positions)) != len(positions):
        raise SpeakersError(
            "Two speakers share one position on stage.", field="speakers", code="position_taken"
        )


@transaction.atomic
def schedule_session(*, session: Session, speakers: Sequence[SpeakerSlot]) -> Session:
    """Save a session with its speakers, refusing any clash with the rest of the agenda.

    Locks are taken in one fixed order (the stage, then speakers by id) so that two organizers
    editing the agenda at once queue up instead of both passing the checks or deadlocking.
    """
    _check_slots_distinct(speakers)
    Stage.objects.select_for_update().filter(pk=session.stage_id).first()
    speaker_ids = sorted(slot.speaker.pk for slot in speakers)
    list(Speaker.objects.select_for_update().filter(pk__in=speaker_ids).order_by("pk"))

    check_session_slot(session=session)
    check_speakers_available(session=session, speakers=[slot.speaker for slot in speakers])
    before = _public_snapshot_in_database(session)
    session.save()

    wanted = {(slot.speaker.pk, slot.role, slot.position) for slot in speakers}
    current = set(session.session_speakers.values_list("speaker_id", "role", "position"))
    if wanted != current:
        # Rewriting the rows at once lets organizers swap two speakers' positions without
        # passing through a state that breaks the unique (session, position) constraint.
        session.session_speakers.all().delete()
        SessionSpeaker.objects.bulk_create(
            SessionSpeaker(session=session, speaker_id=speaker_id, role=role, position=position)
            for speaker_id, role, position in sorted(wanted, key=lambda row: row[2])
        )
    if session.is_published:
        ordered = [slot.speaker for slot in sorted(speakers, key=lambda slot: slot.position)]
        _publish_edit(session, before=before, after=session_snapshot(session, ordered))
    return session


def _public_snapshot_in_database(session: Session) -> dict | None:
    """The session as the public sees it before this save (None: new, or not published)."""
    if session.pk is None:
        return None
    stored = _sessions_with_speakers(
        Session.objects.filter(pk=session.pk, is_published=True)
    ).first()
    return published_snapshot(stored) if stored else None


def _sessions_with_speakers(sessions: QuerySet[Session]) -> QuerySet[Session]:
    speakers = SessionSpeaker.objects.select_related("speaker").order_by("position")
    return sessions.select_related("stage", "event").prefetch_related(
        Prefetch("session_speakers", queryset=speakers)
    )


def _publish_edit(session: Session, *, before: dict | None, after: dict) -> None:
    """`session.created` for a session that reaches the agenda; `session.changed` with the
    kinds of change for a published one edited in what the public sees."""
    if before is None:
        data = session_event_data(session, changes=[])
        publish("session.created", event_id=session.event_id, data=data)
        return
    changes = [kind for kind in change_kinds(before, after) if kind in EDIT_KINDS]
    if changes:
        data = session_event_data(session, changes=changes)
        publish("session.changed", event_id=session.event_id, data=data)


@transaction.atomic
def set_sessions_published(sessions: QuerySet[Session], *, published: bool) -> int:
    """Publish or withdraw sessions; returns how many changed. `updated_at` moves for sync;
    each session that reaches the agenda is told as `session.created`."""
    changing = list(sessions.exclude(is_published=published).values_list("pk", flat=True))
    count = Session.objects.filter(pk__in=changing).update(
        is_published=published, updated_at=timezone.now()
    )
    if published:
        for session in _sessions_with_speakers(Session.objects.filter(pk__in=changing)):
            data = session_event_data(session, changes=[])
            publish("session.created", event_id=session.event_id, data=data)
    return count


def _set_status(session: Session, status: str) -> bool:
    """Give the session `status` (under a lock on its row); returns whether it changed."""
    locked = Session.objects.select_for_update().select_related("stage", "event").get(pk=session.pk)
    if locked.status == status:
        return False
    session.status = locked.status = status
    # A plain save moves `updated_at`, which is how the ETag and delta sync see the change.
    locked.save(update_fields=["status", "updated_at"])
    session.updated_at = locked.updated_at
    session.stage, session.event = locked.stage, locked.event
    session.is_published = locked.is_published
    return True


@transaction.atomic
def cancel_session(*, session: Session) -> bool:
    """Cancel a session: it keeps its id and its place in every export, marked cancelled.
    Returns whether it was scheduled; a published one is told as `session.cancelled`."""
    if not _set_status(session, Session.Status.CANCELLED):
        return False
    if session.is_published:
        data = session_event_data(session, changes=["cancelled"])
        publish("session.cancelled", event_id=session.event_id, data=data)
    return True


@transaction.atomic
def reinstate_session(*, session: Session) -> bool:
    """Put a cancelled session back on the agenda as scheduled; returns whether it was
    cancelled. A published one is told as `session.changed` with status `scheduled` (and no
    kind of change: its time, stage, title and speakers are what they were)."""
    if not _set_status(session, Session.Status.SCHEDULED):
        return False
    if session.is_published:
        data = session_event_data(session, changes=[])
        publish("session.changed", event_id=session.event_id, data=data)
    return True


def check_release_version(*, event: Event, version: str) -> str:
    """The version name, stripped; raises AgendaError if it is empty or already released."""
    version = version.strip()
    if not version:
        raise AgendaError(
            "Name the version you release.", field="version", code="release_version_required"
        )
    if ScheduleRelease.objects.filter(event=event, version=version).exists():
        raise ReleaseVersionTaken(
            f"{event.name} already has a release named “{version}”; choose another name.",
            field="version",
        )
    return version


@transaction.atomic
def release_schedule(*, event: Event, version: str, note: str = "", by=None) -> ScheduleRelease:
    """Release the event's schedule as it is now: a snapshot of its published sessions, and
    what changed since the previous release (nothing recorded for the first one). Told to the
    apps above as `schedule.released`."""
    # One release at a time per event, so that each is compared with the one before it.
    Event.objects.select_for_update().filter(pk=event.pk).first()
    version = check_release_version(event=event, version=version)
    previous = event.schedule_releases.only("snapshot").first()
    snapshot = [published_snapshot(session) for session in published_sessions(event)]
    changes = compare_snapshots(previous.snapshot, snapshot) if previous else []
    release = ScheduleRelease.objects.create(
        event=event,
        version=version,
        note=note.strip(),
        released_by=by,
        session_count=len(snapshot),
        snapshot=snapshot,
    )
    ReleaseChange.objects.bulk_create(
        ReleaseChange(
            release=release,
            session_id=change.session_id if change.after else None,
            session_key=change.session_id,
            title=change.title,
            kinds=change.kinds,
            before=change.before,
            after=change.after,
        )
        for change in changes
    )
    data = {
        "id": release.pk,
        "event": event.slug,
        "version": release.version,
        "note": release.note,
        "released_at": utc_iso(release.released_at),
        "changes": len(changes),
    }
    publish("schedule.released", event_id=event.pk, data=data)
    return release


def add_bookmark(*, user, session: Session) -> tuple[Bookmark, bool]:
    """Put a session on a person's agenda; returns the bookmark and whether it is new."""
    return Bookmark.objects.get_or_create(user=user, session=session)


def remove_bookmark(*, user, session_id: int) -> bool:
    """Take a session off a person's agenda; returns whether it was there."""
    deleted, _ = Bookmark.objects.filter(user=user, session_id=session_id).delete()
    return bool(deleted)


def move_agenda_versions(event_ids: Iterable[int], *, using: str | None = None) -> None:
    """Give each event's agenda a new stored version, in the caller's transaction.

    The counter makes every write a new version even within one clock tick; `changed_at`
    (Last-Modified) never goes back. The row is created first if need be and then always
    moved, so of two writers creating it at once neither write is lost.
    """
    ids = sorted({event_id for event_id in event_ids if event_id is not None})
    if not ids:
        return
    now = timezone.now()
    versions = AgendaVersion.objects.using(using or router.db_for_write(AgendaVersion))
    with transaction.atomic(using=versions.db, savepoint=False):
        versions.bulk_create(
            [AgendaVersion(event_id=event_id, changed_at=now) for event_id in ids],
            ignore_conflicts=True,
        )
        versions.filter(event_id__in=ids).update(
            counter=F("counter") + 1, changed_at=Greatest("changed_at", Value(now))
        )
