"""The organizers' agenda grid: one day, stages as columns, rows every STEP of local time.

Unlike the public site's grid (rows only where sessions start or end), every STEP is a row here,
so an empty slot is a cell an organizer can click to add a session at that stage and time.
"""

import datetime as dt
from dataclasses import dataclass

from events.models import Event, Session, Stage

STEP = dt.timedelta(minutes=15)
DAY_START, DAY_END = dt.time(8), dt.time(18)  # shown at least; sessions outside widen it
# Row 1 holds the stage names and column 1 the times.
FIRST_ROW = FIRST_COLUMN = 2


@dataclass(frozen=True)
class Block:
    """A session placed in the grid."""

    session: Session
    row_start: int
    row_end: int
    column: int


@dataclass(frozen=True)
class FreeSlot:
    """A STEP on a stage with no session: where a new session could start."""

    stage: Stage
    starts_at: dt.datetime
    row: int
    column: int


@dataclass(frozen=True)
class DayGrid:
    stages: list[Stage]
    times: list[tuple[int, dt.datetime]]
    blocks: list[Block]
    free: list[FreeSlot]


def day_grid(
    event: Event, day: dt.date, *, stages: list[Stage], sessions: list[Session]
) -> DayGrid:
    """Sessions of `day` (local) on `stages`, and the free STEPs around them."""
    zone = event.tzinfo
    first = dt.datetime.combine(day, DAY_START, tzinfo=zone)
    last = dt.datetime.combine(day, DAY_END, tzinfo=zone)
    if sessions:
        first = min(first, *(_floor(s.starts_at.astimezone(zone)) for s in sessions))
        last = max(last, *(s.ends_at.astimezone(zone) for s in sessions))
    steps = int(-(-(last - first) // STEP))
    times = [(FIRST_ROW + index, first + index * STEP) for index in range(steps)]
    column_of = {stage.pk: FIRST_COLUMN + index for index, stage in enumerate(stages)}

    def row_of(moment: dt.datetime) -> int:
        return FIRST_ROW + int((moment - first) // STEP)

    blocks = [
        Block(
            session=session,
            row_start=row_of(session.starts_at),
            row_end=max(
                row_of(session.starts_at) + 1, row_of(session.ends_at - dt.timedelta(seconds=1)) + 1
            ),
            column=column_of[session.stage_id],
        )
        for session in sessions
        if session.stage_id in column_of
    ]
    taken = {
        (row, block.column) for block in blocks for row in range(block.row_start, block.row_end)
    }
    free = [
        FreeSlot(stage=stage, starts_at=moment, row=row, column=column_of[stage.pk])
        for row, moment in times
        for stage in stages
        if (row, column_of[stage.pk]) not in taken
    ]
    return DayGrid(stages=stages, times=times, blocks=blocks, free=free)


def _floor(moment: dt.datetime) -> dt.datetime:
    """The STEP boundary at or before `moment` (in its own zone)."""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + ((moment - midnight) // STEP) * STEP
