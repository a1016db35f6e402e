"""What a schedule release records of each session, and the kinds of change between two records.

A snapshot is what the public saw of a session: its id, title, times, stage, speakers in order
and status. A release compares its snapshots with the previous release's; the services compare a
session before and after an edit with the same function, so that "moved" means one thing in the
changelog and in the domain events that notices and webhooks act on.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models

from core.domain_events import utc_iso
from events.models import Session
from speakers.models import Speaker


class ChangeKind(models.TextChoices):
    """Kinds of change, in the order the changelog lists them."""

    NEW = "new", "New"
    CANCELLED = "cancelled", "Cancelled"
    MOVED = "moved", "Moved"
    STAGE_CHANGED = "stage_changed", "Changed stage"
    RETITLED = "retitled", "Retitled"
    SPEAKERS_CHANGED = "speakers_changed", "Speakers changed"
    REINSTATED = "reinstated", "Back on the agenda"
    REMOVED = "removed", "Removed"


# What a published session's edit can change (its status changes only by cancel / reinstate).
EDIT_KINDS = (
    ChangeKind.MOVED,
    ChangeKind.STAGE_CHANGED,
    ChangeKind.RETITLED,
    ChangeKind.SPEAKERS_CHANGED,
)


def session_snapshot(session: Session, speakers: Sequence[Speaker]) -> dict:
    """What the public sees of `session` (its stage loaded) with `speakers` in stage order."""
    return {
        "id": session.pk,
        "title": session.title,
        "starts_at": utc_iso(session.starts_at),
        "ends_at": utc_iso(session.ends_at),
        "stage": {
            "id": session.stage.pk,
            "slug": session.stage.slug,
            "name": session.stage.name,
        },
        "speakers": [{"id": speaker.pk, "name": speaker.name} for speaker in speakers],
        "status": session.status,
    }


def published_snapshot(session: Session) -> dict:
    """The snapshot of a session loaded as `agenda.selectors.published_sessions` loads it."""
    return session_snapshot(session, [entry.speaker for entry in session.session_speakers.all()])


def change_kinds(before: dict | None, after: dict | None) -> list[str]:
    """The kinds of change from snapshot `before` to `after` (None: not on the agenda)."""
    if before is None and after is None:
        return []
    if before is None:
        kinds = {ChangeKind.NEW}
        if after["status"] == Session.Status.CANCELLED:
            kinds.add(ChangeKind.CANCELLED)
    elif after is None:
        kinds = {ChangeKind.REMOVED}
    else:
        kinds = set()
        if before["status"] != after["status"]:
            cancelled = after["status"] == Session.Status.CANCELLED
            kinds.add(ChangeKind.CANCELLED if cancelled else ChangeKind.REINSTATED)
        if (before["starts_at"], before["ends_at"]) != (after["starts_at"], after["ends_at"]):
            kinds.add(ChangeKind.MOVED)
        if before["stage"]["id"] != after["stage"]["id"]:
            kinds.add(ChangeKind.STAGE_CHANGED)
        if before["title"] != after["title"]:
            kinds.add(ChangeKind.RETITLED)
        if [s["id"] for s in before["speakers"]] != [s["id"] for s in after["speakers"]]:
            kinds.add(ChangeKind.SPEAKERS_CHANGED)
    return [kind.value for kind in ChangeKind if kind in kinds]


@dataclass(frozen=True)
class SessionChange:
    """One session's change between two releases."""

    session_id: int
    title: str
    kinds: list[str]
    before: dict | None
    after: dict | None


def compare_snapshots(previous: Sequence[dict], current: Sequence[dict]) -> list[SessionChange]:
    """The sessions that changed from `previous` to `current`: in `current`'s order, then
    those that left the agenda in `previous`'s order."""
    before_by_id = {snapshot["id"]: snapshot for snapshot in previous}
    current_ids = {snapshot["id"] for snapshot in current}
    pairs = [(before_by_id.get(after["id"]), after) for after in current]
    pairs += [(before, None) for before in previous if before["id"] not in current_ids]
    changes = []
    for before, after in pairs:
        kinds = change_kinds(before, after)
        if kinds:
            latest = after or before
            changes.append(SessionChange(latest["id"], latest["title"], kinds, before, after))
    return changes


def session_event_data(session: Session, *, changes: Sequence[str]) -> dict:
    """The payload of a `session.*` domain event (core.domain_events): ids and public fields."""
    return {
        "id": session.pk,
        "event": session.event.slug,
        "title": session.title,
        "starts_at": utc_iso(session.starts_at),
        "ends_at": utc_iso(session.ends_at),
        "stage": {"id": session.stage.pk, "slug": session.stage.slug, "name": session.stage.name},
        "status": session.status,
        "changes": list(changes),
    }
