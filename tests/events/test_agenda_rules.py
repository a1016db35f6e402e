"""Where a session may sit on the agenda: inside its event's days, on a free stage."""

import datetime as dt

import pytest

from events.exceptions import EventsError
from events.models import Session
from events.services import check_session_slot
from tests.factories import EventFactory, SessionFactory, StageFactory, local_time

pytestmark = pytest.mark.django_db


def candidate(stage, start: dt.datetime, minutes: int = 30, **fields) -> Session:
    return Session(
        event=stage.event,
        stage=stage,
        title="Candidate",
        format=Session.Format.KEYNOTE,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        **fields,
    )


def error_of(session: Session) -> EventsError:
    with pytest.raises(EventsError) as caught:
        check_session_slot(session=session)
    return caught.value


def test_session_inside_event_days_on_free_stage_is_accepted():
    stage = StageFactory()

    check_session_slot(session=candidate(stage, local_time(stage.event, 0, 9)))


def test_session_before_first_day_is_refused():
    stage = StageFactory()
    start = local_time(stage.event, 0, 0) - dt.timedelta(minutes=15)

    assert error_of(candidate(stage, start)).code == "session_outside_event"


def test_session_running_past_last_day_is_refused():
    stage = StageFactory()
    start = local_time(stage.event, 1, 23, 45)

    assert error_of(candidate(stage, start)).code == "session_outside_event"


def test_session_ending_at_midnight_after_last_day_is_accepted():
    stage = StageFactory()

    check_session_slot(session=candidate(stage, local_time(stage.event, 1, 23, 30)))


def test_event_days_are_read_in_the_event_zone():
    event = EventFactory(time_zone="Asia/Shanghai")
    stage = StageFactory(event=event)
    late_evening_local = local_time(event, 1, 23, 0)  # 15:00 UTC, still the last local day
    next_morning_local = local_time(event, 2, 0, 30)

    check_session_slot(session=candidate(stage, late_evening_local))
    assert error_of(candidate(stage, next_morning_local)).code == "session_outside_event"


def test_overlap_on_same_stage_is_refused_naming_the_other_session_and_time():
    booked = SessionFactory(title="China's robotaxi race")
    start = booked.starts_at + dt.timedelta(minutes=15)

    error = error_of(candidate(booked.stage, start))

    assert error.code == "stage_clash"
    assert error.message == (
        f"{booked.stage.name} already has “China's robotaxi race” at "
        "Mon 10 Jun 2030, 10:00–10:45 (America/Los_Angeles)."
    )


def test_session_inside_a_longer_one_on_same_stage_is_refused():
    booked = SessionFactory()
    inner = candidate(booked.stage, booked.starts_at + dt.timedelta(minutes=5), minutes=10)

    assert error_of(inner).code == "stage_clash"


def test_session_covering_a_shorter_one_on_same_stage_is_refused():
    booked = SessionFactory()
    outer = candidate(booked.stage, booked.starts_at - dt.timedelta(minutes=30), minutes=120)

    assert error_of(outer).code == "stage_clash"


@pytest.mark.parametrize("side", ["before", "after"])
def test_back_to_back_sessions_on_same_stage_are_accepted(side):
    booked = SessionFactory()
    start = booked.starts_at - dt.timedelta(minutes=30) if side == "before" else booked.ends_at

    check_session_slot(session=candidate(booked.stage, start))


def test_overlapping_sessions_on_different_stages_are_accepted():
    booked = SessionFactory()
    other_stage = StageFactory(event=booked.event)

    check_session_slot(session=candidate(other_stage, booked.starts_at))


def test_session_does_not_clash_with_its_own_saved_slot():
    booked = SessionFactory()
    booked.ends_at += dt.timedelta(minutes=15)

    check_session_slot(session=booked)


def test_stage_of_another_event_is_refused():
    stage = StageFactory()
    other_event = EventFactory()
    session = candidate(stage, local_time(other_event, 0, 9))
    session.event = other_event

    assert error_of(session).code == "stage_not_in_event"
