"""The changelog page's layout: each release's changes grouped by kind, as people read them."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import pgettext_lazy

from agenda.models import ScheduleRelease
from agenda.releases import ChangeKind
from events.models import Session

# The page's headings, in the page's language (the kinds' own labels are the admin's English).
KIND_HEADINGS = {
    ChangeKind.NEW: pgettext_lazy("changelog", "New sessions"),
    ChangeKind.CANCELLED: pgettext_lazy("changelog", "Cancelled"),
    ChangeKind.MOVED: pgettext_lazy("changelog", "Moved"),
    ChangeKind.STAGE_CHANGED: pgettext_lazy("changelog", "Changed stage"),
    ChangeKind.RETITLED: pgettext_lazy("changelog", "Retitled"),
    ChangeKind.SPEAKERS_CHANGED: pgettext_lazy("changelog", "Speakers changed"),
    ChangeKind.REINSTATED: pgettext_lazy("changelog", "Back on the agenda"),
    ChangeKind.REMOVED: pgettext_lazy("changelog", "Removed from the agenda"),
}


@dataclass(frozen=True)
class ReleasedSession:
    """A session as a release showed it."""

    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    stage: str
    speakers: str
    cancelled: bool

    @classmethod
    def from_snapshot(cls, state: dict | None) -> "ReleasedSession | None":
        if state is None:
            return None
        return cls(
            title=state["title"],
            starts_at=dt.datetime.fromisoformat(state["starts_at"]),
            ends_at=dt.datetime.fromisoformat(state["ends_at"]),
            stage=state["stage"]["name"],
            speakers=", ".join(speaker["name"] for speaker in state["speakers"]),
            cancelled=state["status"] == Session.Status.CANCELLED,
        )


@dataclass(frozen=True)
class ChangeLine:
    """One session in a group: linked while it is still on the public agenda."""

    session_id: int
    title: str
    linked: bool
    before: ReleasedSession | None
    after: ReleasedSession | None


@dataclass(frozen=True)
class ChangeGroup:
    kind: str
    heading: str
    lines: list[ChangeLine]


@dataclass(frozen=True)
class ReleaseEntry:
    release: ScheduleRelease
    groups: list[ChangeGroup]


def changelog(releases: Iterable[ScheduleRelease]) -> list[ReleaseEntry]:
    """Releases loaded as `agenda.selectors.event_releases` loads them, with their changes
    grouped by kind in the kinds' order; a session with several kinds is in each group."""
    entries = []
    for release in releases:
        by_kind: dict[str, list[ChangeLine]] = {}
        for change in release.changes.all():
            line = ChangeLine(
                session_id=change.session_key,
                title=change.title,
                linked=change.session is not None and change.session.is_published,
                before=ReleasedSession.from_snapshot(change.before),
                after=ReleasedSession.from_snapshot(change.after),
            )
            for kind in change.kinds:
                by_kind.setdefault(kind, []).append(line)
        groups = [
            ChangeGroup(kind=kind.value, heading=str(KIND_HEADINGS[kind]), lines=by_kind[kind])
            for kind in ChangeKind
            if kind in by_kind
        ]
        entries.append(ReleaseEntry(release=release, groups=groups))
    return entries
