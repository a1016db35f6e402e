"""Writes of the agenda: scheduling sessions with their speakers, publishing, bookmarks."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import router, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from agenda.models import AgendaVersion, Bookmark
from events.models import Session, Stage
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
    return session


def set_sessions_published(sessions: QuerySet[Session], *, published: bool) -> int:
    """Publish or withdraw sessions; returns how many changed. `updated_at` moves for sync."""
    return sessions.exclude(is_published=published).update(
        is_published=published, updated_at=timezone.now()
    )


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
