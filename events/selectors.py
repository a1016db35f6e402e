"""Reads of events and their agenda, shared by the admin and the API."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from config.api.conditional import ContentVersion
from core.extensions import EVENT_SALES_STATUS
from events.models import Event, EventStatus, Session, Stage


def sessions_overlapping(*, starts_at: dt.datetime, ends_at: dt.datetime) -> QuerySet[Session]:
    """Sessions that share some instant with [starts_at, ends_at); touching ends do not overlap."""
    return Session.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


@dataclass(frozen=True)
class AgendaDay:
    """One local day of an event: each stage with its sessions in time order."""

    date: dt.date
    stages: list[tuple[Stage, list[Session]]]

    @property
    def session_count(self) -> int:
        return sum(len(sessions) for _, sessions in self.stages)


def agenda_by_day_and_stage(*, event: Event) -> list[AgendaDay]:
    """Every day of the event with every stage's sessions, days and times in the event's zone."""
    stages = list(event.stages.all())
    sessions_by_key: dict[tuple[dt.date, int], list[Session]] = defaultdict(list)
    sessions = event.sessions.prefetch_related("tags").order_by("starts_at")
    for session in sessions:
        local_day = session.starts_at.astimezone(event.tzinfo).date()
        sessions_by_key[(local_day, session.stage_id)].append(session)
    return [
        AgendaDay(
            date=day,
            stages=[(stage, sessions_by_key.get((day, stage.pk), [])) for stage in stages],
        )
        for day in event.days
    ]


def sessions_on_local_day(queryset: QuerySet[Session], *, day: dt.date) -> QuerySet[Session]:
    """Sessions starting on `day` as the calendar reads in each session's own event zone."""
    condition = Q(pk__in=[])
    for event in Event.objects.filter(sessions__in=queryset).distinct():
        start = dt.datetime.combine(day, dt.time.min, tzinfo=event.tzinfo)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=event.tzinfo)
        condition |= Q(event=event, starts_at__gte=start, starts_at__lt=end)
    return queryset.filter(condition)


def public_events() -> QuerySet[Event]:
    """Events the public may see: published ones, and cancelled ones so apps can say so."""
    return Event.objects.filter(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED])


def not_yet_ended(events: QuerySet[Event]) -> QuerySet[Event]:
    """Events whose last day has not ended in the westernmost zone (UTC-12).

    A date-only bound keeps this one indexed comparison; an event is listed a little past
    its end in eastern zones rather than hidden early anywhere.
    """
    last_zone_today = (timezone.now() - dt.timedelta(hours=12)).date()
    return events.filter(end_date__gte=last_zone_today)


def events_version(events: QuerySet[Event]) -> ContentVersion:
    summary = events.order_by().aggregate(latest=Max("updated_at"), count=Count("pk"))
    return ContentVersion(summary["latest"], token=str(summary["count"]))


def event_detail_version(events: QuerySet[Event]) -> ContentVersion:
    """Version of one event's detail: the event and its stages."""
    summary = events.order_by().aggregate(
        event_changed=Max("updated_at"),
        stage_changed=Max("stages__updated_at"),
        stage_count=Count("stages"),
    )
    changes = [summary[key] for key in ("event_changed", "stage_changed") if summary[key]]
    return ContentVersion(max(changes, default=None), token=str(summary["stage_count"]))


def get_public_event(slug: str) -> Event:
    """A published or cancelled event by slug, or 404."""
    return get_object_or_404(public_events(), slug=slug)


def event_sales_status(event: Event) -> str | None:
    """The sales app's one-word status for the event (core.extensions), if one is registered."""
    for status_of in EVENT_SALES_STATUS:
        return status_of(event, now=timezone.now())
    return None


def event_start(event: Event) -> dt.datetime:
    """When the event begins, in its own zone: its first published session's start, or
    midnight of its first day when none is scheduled yet."""
    first = (event.sessions.filter(is_published=True).order_by().aggregate(first=Min("starts_at")))[
        "first"
    ]
    return (first or event.starts_at).astimezone(event.tzinfo)


def organizer_emails() -> list[str]:
    """Where news for the organizers goes (a speaker's answer…): the addresses of the active
    members of the Organizers group, or the site's own address (DEFAULT_FROM_EMAIL, the team's
    mailbox) when none has one."""
    from events.services import ORGANIZERS_GROUP  # services reads this module: import late

    addresses = (
        get_user_model()
        ._default_manager.filter(is_active=True, groups__name=ORGANIZERS_GROUP)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    return list(addresses) or [settings.DEFAULT_FROM_EMAIL]
