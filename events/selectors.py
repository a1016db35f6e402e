"""Reads of events and their agenda, shared by the admin and the API."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from events.models import Event, Session, Stage


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
