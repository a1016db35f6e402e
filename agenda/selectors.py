"""Reads of the agenda and its lineup, shared by the API, exports and the admin."""

import datetime as dt

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.shortcuts import get_object_or_404

from agenda.changes import last_changed
from agenda.models import AgendaVersion, ReleaseChange, ScheduleRelease
from config.api.conditional import ContentVersion
from events.models import Event, Session, Tag
from events.selectors import public_events
from speakers.models import InvitationStatus, SessionSpeaker, Speaker


def agenda_version(event: Event) -> ContentVersion:
    """The stored version of what an app shows of the event's agenda and lineup (moved by
    every write to a part agenda.changes declares, see agenda.signals): one small query.

    An event without one (written before versions were stored, or loaded in bulk) gets one
    from when its parts last changed, kept unless a write stored a version meanwhile.
    """
    stored = AgendaVersion.objects.filter(event_id=event.pk).values_list("changed_at", "counter")
    found = stored.first()
    if found is None:
        AgendaVersion.objects.bulk_create(
            [AgendaVersion(event_id=event.pk, changed_at=last_changed(event))],
            ignore_conflicts=True,
        )
        found = stored.get()
    changed_at, counter = found
    return ContentVersion(changed_at, token=str(counter))


def get_public_event_with_agenda_version(slug: str) -> Event:
    """A public event by slug, or 404, with the counter of its stored agenda version as
    `agenda_counter` (None before it has one): what keys a cached rendering of its agenda,
    read with the event in one query."""
    counter = AgendaVersion.objects.filter(event_id=OuterRef("pk")).values("counter")[:1]
    return get_object_or_404(public_events().annotate(agenda_counter=Subquery(counter)), slug=slug)


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


def published_sessions_on_day(
    event: Event, day: dt.date, *, stage_slug: str = "", tag_slug: str = ""
) -> QuerySet[Session]:
    """The published sessions starting on `day` as the calendar reads in the event's zone,
    optionally on one stage and with one tag, loaded as `published_sessions` loads them."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=event.tzinfo)
    sessions = published_sessions(event).filter(
        starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
    )
    if stage_slug:
        sessions = sessions.filter(stage__slug=stage_slug)
    if tag_slug:
        sessions = sessions.filter(pk__in=Session.objects.filter(tags__slug=tag_slug).values("pk"))
    return sessions


def get_published_session(event: Event, session_id: int) -> Session:
    """One published session of the event, loaded as `published_sessions` loads them, or 404."""
    return get_object_or_404(published_sessions(event), pk=session_id)


def agenda_tags(event: Event) -> QuerySet[Tag]:
    """The tags on the event's published sessions, by name: what the agenda can be filtered by."""
    used = Session.objects.filter(event=event, is_published=True)
    return Tag.objects.filter(sessions__in=used).distinct().order_by("name", "pk")


def public_lineup(event: Event) -> QuerySet[Speaker]:
    """Speakers announced for the event: confirmed in its lineup or in a published session."""
    return Speaker.objects.filter(
        Q(lineup_entries__event=event, lineup_entries__status=InvitationStatus.CONFIRMED)
        | Q(session_roles__session__event=event, session_roles__session__is_published=True)
    ).distinct()


def featured_speakers(event: Event) -> QuerySet[Speaker]:
    """The event's announced speakers as a front page shows them: with a photo first, by name."""
    no_photo = ExpressionWrapper(Q(headshot=""), output_field=BooleanField())
    return (
        public_lineup(event)
        .select_related("organization")
        .annotate(no_photo=no_photo)
        .order_by("no_photo", "name", "pk")
    )


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


def announced_speakers(event: Event) -> QuerySet[Speaker]:
    """The event's public lineup by name, with organizations: one query for a list of people."""
    return public_lineup(event).select_related("organization").order_by("name", "pk")


def get_announced_speaker(event: Event, slug: str) -> Speaker:
    """A speaker of the event's public lineup by slug, loaded as `lineup_with_sessions` loads
    them, or 404: someone not announced for this event has no page under it."""
    return get_object_or_404(lineup_with_sessions(event, public_lineup(event)), slug=slug)


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


def bookmarked_session_ids(user, *, event: Event) -> set[int]:
    """The ids of the event's sessions on a person's agenda (none for an anonymous visitor):
    which bookmark stars of a page are lit, in one query."""
    if not user.is_authenticated:
        return set()
    sessions = bookmarked_sessions(user).filter(event=event).prefetch_related(None)
    return set(sessions.values_list("pk", flat=True))


def latest_release_version(event: Event) -> str | None:
    """The version name of the event's latest schedule release (None before the first)."""
    return event.schedule_releases.values_list("version", flat=True).first()


def event_releases(event: Event) -> QuerySet[ScheduleRelease]:
    """The event's releases, newest first, with their changes (and the sessions still
    published among them, for links) loaded: two queries, without the snapshots."""
    changes = ReleaseChange.objects.select_related("session").order_by("pk")
    return (
        event.schedule_releases.defer("snapshot")
        .select_related("event")
        .prefetch_related(Prefetch("changes", queryset=changes))
        .order_by("-released_at", "-pk")
    )
