"""The agenda page's layout: one day's sessions placed in a time grid with a column per stage."""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.utils import timezone

from events.models import Event, Session, Stage

# Grid row 1 holds the stage names and column 1 the times, so sessions start at row/column 2.
FIRST_SESSION_ROW = FIRST_STAGE_COLUMN = 2


@dataclass(frozen=True)
class Slot:
    """A session in the grid: the rows of its start and end, its stage's column."""

    session: Session
    row_start: int
    row_end: int
    column: int
    bookmarked: bool


@dataclass(frozen=True)
class TimeGrid:
    """A day's sessions in start order (the phone list) with their places in the wide grid."""

    stages: list[Stage]
    times: list[tuple[int, dt.datetime]]
    slots: list[Slot]


def time_grid(sessions: list[Session], *, bookmarked: Collection[int]) -> TimeGrid:
    """Rows are the moments a session starts or ends on that day, so sessions of any length
    line up across stages without a row per minute; columns are the stages in use, in order."""
    moments = sorted({s.starts_at for s in sessions} | {s.ends_at for s in sessions})
    row_of = {moment: FIRST_SESSION_ROW + index for index, moment in enumerate(moments)}
    stages = sorted(
        {session.stage_id: session.stage for session in sessions}.values(),
        key=lambda stage: (stage.position, stage.name),
    )
    column_of = {stage.pk: FIRST_STAGE_COLUMN + index for index, stage in enumerate(stages)}
    slots = [
        Slot(
            session=session,
            row_start=row_of[session.starts_at],
            row_end=row_of[session.ends_at],
            column=column_of[session.stage_id],
            bookmarked=session.pk in bookmarked,
        )
        for session in sessions
    ]
    return TimeGrid(stages=stages, times=[(row_of[m], m) for m in moments[:-1]], slots=slots)


def default_day(event: Event, *, now: dt.datetime | None = None) -> dt.date:
    """Today in the event's zone while the event runs, else its first day."""
    today = (now or timezone.now()).astimezone(event.tzinfo).date()
    return today if event.start_date <= today <= event.end_date else event.start_date
