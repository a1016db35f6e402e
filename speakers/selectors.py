"""Reads of speakers shared by the admin, exports and (later) the API."""

import datetime as dt
from collections.abc import Iterator

from django.db.models import F, Func, Prefetch, Q, QuerySet, Subquery

from config.api.conditional import ContentVersion
from events.models import Event, Session, Stage, Tag, Tombstone, TombstoneKind
from events.selectors import deleted_ids, public_events
from speakers.models import (
    InvitationStatus,
    LineupEntry,
    Organization,
    SessionSpeaker,
    Speaker,
    SpeakerLink,
)

EXPORT_COLUMNS = ("name", "job_title", "company", "bio", "email", "phone", "links")


def speaker_export_rows(speakers: QuerySet[Speaker]) -> Iterator[tuple[str, ...]]:
    """One row per speaker in EXPORT_COLUMNS order; the CSV importer reads the same columns."""
    yield EXPORT_COLUMNS
    for speaker in speakers.select_related("organization").prefetch_related("links"):
        yield (
            speaker.name,
            speaker.job_title,
            speaker.organization.name if speaker.organization else "",
            speaker.bio,
            speaker.email,
            speaker.phone,
            " ".join(link.url for link in speaker.links.all()),
        )


def published_sessions(event: Event) -> QuerySet[Session]:
    """The public agenda of an event: published sessions with stage, tags and speakers loaded.

    Speakers come in stage order as `session.session_speakers.all()` (each with `.speaker` and
    its `.organization`), so walking the agenda costs a fixed number of queries.
    """
    speakers = SessionSpeaker.objects.select_related("speaker__organization").order_by("position")
    return (
        event.sessions.filter(is_published=True)
        .select_related("stage", "event")
        .prefetch_related("tags", Prefetch("session_speakers", queryset=speakers))
        .order_by("starts_at", "stage__position", "pk")
    )


def _latest(queryset: QuerySet, field: str = "updated_at") -> Subquery:
    """The largest `field` over `queryset`, as a subquery (MAX without GROUP BY)."""
    return Subquery(
        queryset.order_by().annotate(latest=Func(F(field), function="MAX")).values("latest")[:1]
    )


def agenda_version(event: Event) -> ContentVersion:
    """When anything an app shows of the event's agenda and lineup last changed: one query.

    Covers the event, its stages, sessions (and so speaker assignments, which rewrite the
    session), tags, speakers with their organizations and links, lineup entries, deletions.
    """
    speaker_ids = Speaker.objects.filter(
        Q(pk__in=LineupEntry.objects.filter(event=event).values("speaker_id"))
        | Q(pk__in=SessionSpeaker.objects.filter(session__event=event).values("speaker_id"))
    ).values("pk")
    parts = Event.objects.filter(pk=event.pk).values_list(
        "updated_at",
        _latest(Stage.objects.filter(event=event)),
        _latest(Session.objects.filter(event=event)),
        _latest(Tag.objects.filter(sessions__event=event)),
        _latest(Speaker.objects.filter(pk__in=speaker_ids)),
        _latest(Organization.objects.filter(speakers__in=speaker_ids)),
        _latest(SpeakerLink.objects.filter(speaker__in=speaker_ids)),
        _latest(LineupEntry.objects.filter(event=event)),
        _latest(Tombstone.objects.filter(event_id=event.pk), "deleted_at"),
    )
    changes = [value for value in parts.get() if value is not None]
    return ContentVersion(max(changes))


def public_lineup(event: Event) -> QuerySet[Speaker]:
    """Speakers announced for the event: confirmed in its lineup or in a published session."""
    return Speaker.objects.filter(
        Q(lineup_entries__event=event, lineup_entries__status=InvitationStatus.CONFIRMED)
        | Q(session_roles__session__event=event, session_roles__session__is_published=True)
    ).distinct()


def lineup_with_sessions(event: Event, speakers: QuerySet[Speaker]) -> QuerySet[Speaker]:
    """Speakers with their organization, links and their roles in this event's published
    sessions (as `event_roles`) loaded, for a fixed number of queries."""
    roles = (
        SessionSpeaker.objects.filter(session__event=event, session__is_published=True)
        .select_related("session__event", "session__stage")
        .order_by("session__starts_at")
    )
    return (
        speakers.select_related("organization")
        .prefetch_related("links", Prefetch("session_roles", queryset=roles, to_attr="event_roles"))
        .order_by("name", "pk")
    )


def sessions_changed_since(sessions: QuerySet[Session], since: dt.datetime) -> QuerySet[Session]:
    """Sessions whose own row, stage, tags or speakers changed after `since`."""
    return sessions.filter(
        Q(updated_at__gt=since)
        | Q(stage__updated_at__gt=since)
        | Q(tags__updated_at__gt=since)
        | Q(session_speakers__speaker__updated_at__gt=since)
        | Q(session_speakers__speaker__organization__updated_at__gt=since)
    ).distinct()


def session_ids_removed_since(event: Event, since: dt.datetime) -> list[int]:
    """Sessions deleted or withdrawn from the agenda after `since`."""
    withdrawn = event.sessions.filter(is_published=False, updated_at__gt=since)
    removed = set(withdrawn.values_list("pk", flat=True))
    removed |= deleted_ids(event=event, kind=TombstoneKind.SESSION, since=since)
    return sorted(removed)


def speakers_changed_since(
    event: Event, speakers: QuerySet[Speaker], since: dt.datetime
) -> QuerySet[Speaker]:
    """Lineup speakers whose profile, organization, lineup entry or sessions changed."""
    return speakers.filter(
        Q(updated_at__gt=since)
        | Q(organization__updated_at__gt=since)
        | Q(lineup_entries__event=event, lineup_entries__updated_at__gt=since)
        | Q(session_roles__session__event=event, session_roles__session__updated_at__gt=since)
        | Q(links__updated_at__gt=since)
    ).distinct()


def speaker_ids_removed_since(event: Event, since: dt.datetime) -> list[int]:
    """Speakers who left the event's public lineup after `since`."""
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
    touched |= deleted_ids(event=event, kind=TombstoneKind.SPEAKER, since=since)
    still_public = set(public_lineup(event).filter(pk__in=touched).values_list("pk", flat=True))
    return sorted(touched - still_public)


def public_speaker_profiles() -> QuerySet[Speaker]:
    """Speakers announced for some public event, with their published sessions there loaded
    (as `public_roles`)."""
    events = public_events()
    roles = (
        SessionSpeaker.objects.filter(session__is_published=True, session__event__in=events)
        .select_related("session__event", "session__stage")
        .order_by("session__starts_at")
    )
    announced = Q(
        lineup_entries__status=InvitationStatus.CONFIRMED, lineup_entries__event__in=events
    ) | Q(session_roles__session__is_published=True, session_roles__session__event__in=events)
    return (
        Speaker.objects.filter(pk__in=Speaker.objects.filter(announced).values("pk"))
        .select_related("organization")
        .prefetch_related(
            "links", Prefetch("session_roles", queryset=roles, to_attr="public_roles")
        )
    )


def bookmarked_sessions(user) -> QuerySet[Session]:
    """The published sessions on a person's agenda, across public events, in time order."""
    return (
        Session.objects.filter(bookmarks__user=user, is_published=True, event__in=public_events())
        .select_related("stage", "event")
        .prefetch_related(
            "tags",
            Prefetch(
                "session_speakers",
                queryset=SessionSpeaker.objects.select_related("speaker__organization").order_by(
                    "position"
                ),
            ),
        )
        .order_by("starts_at", "pk")
    )
