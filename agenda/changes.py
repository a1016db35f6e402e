"""The one declaration of what counts as a change to an event's agenda, and its readers.

Every part an app shows of an event's agenda and lineup is listed once in `PARTS`, with how it
reaches a session and a speaker. The agenda's version (its ETag), the sessions and speakers
deltas and the bundle delta all read this list, so a part cannot count for one and be missed
by another. Deletions leave tombstones of the kinds registered here; a deleted row has no
`updated_at` left to compare, so the rows that tie sessions to speakers and tags report
their removal too, which is how a deleted session's speakers, and a tag no session uses any
more, reach the deltas. Each part also says how one of its rows reaches the events whose
agenda shows it (`events`), from which `watched_rows` derives every kind of row whose writes
move an event's stored version (agenda.signals).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import F, Func, Model, Q, QuerySet, Subquery

from agenda.models import ScheduleRelease
from core.models import Tombstone
from core.selectors import deleted_ids
from core.tombstones import register_kind
from events.models import Event, Session, Stage, Tag
from speakers.models import LineupEntry, Organization, SessionSpeaker, Speaker, SpeakerLink

SESSION_DELETED = register_kind("session", "Session")
STAGE_DELETED = register_kind("stage", "Stage")
LINEUP_ENTRY_DELETED = register_kind("speaker", "Speaker in an event's lineup")
SPEAKER_LEFT_SESSION = register_kind("session_speaker", "Speaker taken off a session")
TAG_LEFT_SESSION = register_kind("session_tag", "Tag taken off a session")


def involved_speakers(event: Event) -> QuerySet[Speaker]:
    """Speakers in the event's lineup or in any of its sessions."""
    return Speaker.objects.filter(
        Q(pk__in=LineupEntry.objects.filter(event=event).values("speaker_id"))
        | Q(pk__in=SessionSpeaker.objects.filter(session__event=event).values("speaker_id"))
    )


@dataclass(frozen=True)
class Part:
    """A kind of row an app shows of the agenda.

    `model`: the kind of row. `events`: lookups from such a row to the events whose agenda
    shows it (together, exactly the events whose `rows` hold it; "pk" for the event itself).
    `rows(event)`: the rows of the event's agenda. `from_session` / `from_speaker`: the lookup
    from a Session / Speaker to this part ("" for the row itself; None when a session or a
    speaker does not show it). `speaker_scope`: the lookup, from the part, to the event that
    scopes a speaker's rows (a lineup entry counts for its own event only).
    """

    model: type[Model]
    events: tuple[str, ...]
    rows: Callable[[Event], QuerySet]
    from_session: str | None = None
    from_speaker: str | None = None
    speaker_scope: str | None = None
    changed_at: str = "updated_at"


SPEAKER_EVENTS = ("lineup_entries__event", "session_roles__session__event")

PARTS = (
    Part(model=Event, events=("pk",), rows=lambda event: Event.objects.filter(pk=event.pk)),
    Part(
        model=Stage,
        events=("event",),
        rows=lambda event: Stage.objects.filter(event=event),
        from_session="stage",
    ),
    Part(
        model=Session,
        events=("event",),
        rows=lambda event: Session.objects.filter(event=event),
        from_session="",
        from_speaker="session_roles__session",
        speaker_scope="event",
    ),
    Part(
        model=Tag,
        events=("sessions__event",),
        rows=lambda event: Tag.objects.filter(sessions__event=event),
        from_session="tags",
    ),
    Part(
        model=Speaker,
        events=SPEAKER_EVENTS,
        rows=lambda event: involved_speakers(event),
        from_session="session_speakers__speaker",
        from_speaker="",
    ),
    Part(
        model=Organization,
        events=tuple(f"speakers__{lookup}" for lookup in SPEAKER_EVENTS),
        rows=lambda event: Organization.objects.filter(speakers__in=involved_speakers(event)),
        from_session="session_speakers__speaker__organization",
        from_speaker="organization",
    ),
    Part(
        model=SpeakerLink,
        events=tuple(f"speaker__{lookup}" for lookup in SPEAKER_EVENTS),
        rows=lambda event: SpeakerLink.objects.filter(speaker__in=involved_speakers(event)),
        from_speaker="links",
    ),
    Part(
        model=LineupEntry,
        events=("event",),
        rows=lambda event: LineupEntry.objects.filter(event=event),
        from_speaker="lineup_entries",
        speaker_scope="event",
    ),
    Part(
        model=Tombstone,
        events=("event_id",),
        rows=lambda event: Tombstone.objects.filter(event_id=event.pk),
        changed_at="deleted_at",
    ),
    # A release changes no session but the frab exports' `version` and the changelog.
    Part(
        model=ScheduleRelease,
        events=("event",),
        rows=lambda event: ScheduleRelease.objects.filter(event=event),
    ),
)


def watched_rows() -> dict[type[Model], set[str]]:
    """Every kind of row whose writes can change what some part of an event's agenda holds,
    with the lookups from such a row to those events.

    The parts' own rows, and every row their `events` lookups pass through: a speaker given a
    session (a SessionSpeaker saved) joins that event's agenda, as a tag put on a session does.
    A many-to-many step is watched on its table (`through`), which sends m2m_changed only.
    """
    watched: dict[type[Model], set[str]] = {}
    for part in PARTS:
        for lookup in part.events:
            model, steps = part.model, lookup.split("__")
            for index, step in enumerate(steps):
                rest = "__".join(steps[index:])
                watched.setdefault(model, set()).add(rest)
                field = model._meta.pk if step == "pk" else model._meta.get_field(step)
                if not field.is_relation:
                    break
                if field.many_to_many:
                    through = (
                        field.through if hasattr(field, "through") else field.remote_field.through
                    )
                    near = next(
                        f for f in through._meta.fields if f.related_model is field.related_model
                    )
                    watched.setdefault(through, set()).add(
                        "__".join([near.name, *steps[index + 1 :]])
                    )
                model = field.related_model
    return watched


def _latest(queryset: QuerySet, field: str) -> Subquery:
    """The largest `field` over `queryset`, as a subquery (MAX without GROUP BY)."""
    return Subquery(
        queryset.order_by().annotate(latest=Func(F(field), function="MAX")).values("latest")[:1]
    )


def last_changed(event: Event) -> dt.datetime:
    """When any part of the event's agenda last changed, deletions included: one query."""
    parts = Event.objects.filter(pk=event.pk).values_list(
        *(_latest(part.rows(event), part.changed_at) for part in PARTS)
    )
    return max(value for value in parts.get() if value is not None)


def _changed_after(lookup: str, since: dt.datetime, part: Part, **scope) -> Q:
    prefix = f"{lookup}__" if lookup else ""
    return Q(**{f"{prefix}{part.changed_at}__gt": since, **scope})


def sessions_changed_since(sessions: QuerySet[Session], since: dt.datetime) -> QuerySet[Session]:
    """Sessions any part of which (their row, stage, tags, speakers…) changed after `since`."""
    changed = [
        _changed_after(part.from_session, since, part)
        for part in PARTS
        if part.from_session is not None
    ]
    return sessions.filter(reduce(or_, changed)).distinct()


def speakers_changed_since(
    event: Event, speakers: QuerySet[Speaker], since: dt.datetime
) -> QuerySet[Speaker]:
    """Speakers any part of which changed after `since`, or who were taken off one of the
    event's sessions (a deleted session's speakers among them)."""
    changed = []
    for part in PARTS:
        if part.from_speaker is None:
            continue
        scope = {}
        if part.speaker_scope:
            scope = {f"{part.from_speaker}__{part.speaker_scope}": event}
        changed.append(_changed_after(part.from_speaker, since, part, **scope))
    taken_off = deleted_ids(event_id=event.pk, kind=SPEAKER_LEFT_SESSION, since=since)
    changed.append(Q(pk__in=taken_off))
    return speakers.filter(reduce(or_, changed)).distinct()


def session_ids_removed_since(event: Event, since: dt.datetime) -> list[int]:
    """Sessions deleted or withdrawn from the agenda after `since`."""
    withdrawn = event.sessions.filter(is_published=False, updated_at__gt=since)
    removed = set(withdrawn.values_list("pk", flat=True))
    removed |= deleted_ids(event_id=event.pk, kind=SESSION_DELETED, since=since)
    return sorted(removed)


def speaker_ids_removed_since(
    event: Event, since: dt.datetime, *, still_public: QuerySet[Speaker]
) -> list[int]:
    """Speakers who left `still_public` (the event's public lineup) after `since`."""
    touched = set(
        LineupEntry.objects.filter(event=event, updated_at__gt=since).values_list(
            "speaker_id", flat=True
        )
    )
    touched |= set(
        SessionSpeaker.objects.filter(
            session__event=event, session__updated_at__gt=since
        ).values_list("speaker_id", flat=True)
    )
    for kind in (LINEUP_ENTRY_DELETED, SPEAKER_LEFT_SESSION):
        touched |= deleted_ids(event_id=event.pk, kind=kind, since=since)
    public = set(still_public.filter(pk__in=touched).values_list("pk", flat=True))
    return sorted(touched - public)


def stage_ids_removed_since(event: Event, since: dt.datetime) -> list[int]:
    return sorted(deleted_ids(event_id=event.pk, kind=STAGE_DELETED, since=since))


def tag_slugs_removed_since(
    event: Event, since: dt.datetime, *, still_used: QuerySet[Session]
) -> list[str]:
    """Tags (by slug, as apps know them) that some session of the event lost after `since`
    (taken off, or the session withdrawn or deleted) and that no session in `still_used` (the
    public agenda) carries."""
    lost = Q(pk__in=deleted_ids(event_id=event.pk, kind=TAG_LEFT_SESSION, since=since))
    lost |= Q(sessions__in=event.sessions.filter(is_published=False, updated_at__gt=since))
    removed = Tag.objects.filter(lost).exclude(sessions__in=still_used).distinct()
    return sorted(removed.values_list("slug", flat=True))
