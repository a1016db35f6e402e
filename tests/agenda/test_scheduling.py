"""Scheduling a session with its speakers: no speaker is in two places at once."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection

from agenda.services import SpeakerSlot, schedule_session
from events.exceptions import EventsError
from events.models import Session
from speakers.exceptions import SpeakersError
from speakers.models import SessionSpeaker
from tests.factories import (
    EventFactory,
    LineupEntryFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    StageFactory,
)

pytestmark = pytest.mark.django_db


def new_session(stage, start: dt.datetime, minutes: int = 30) -> Session:
    return Session(
        event=stage.event,
        stage=stage,
        title="New session",
        format=Session.Format.FIRESIDE_CHAT,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
    )


def test_speaker_in_overlapping_session_on_another_stage_is_refused_with_the_clash_named():
    booked = SessionFactory(title="Robotaxi race")
    speaker = SessionSpeakerFactory(session=booked, speaker__name="Jewel Li").speaker
    other_stage = StageFactory(event=booked.event, name="Breakout")
    session = new_session(other_stage, booked.starts_at + dt.timedelta(minutes=10))

    with pytest.raises(SpeakersError) as caught:
        schedule_session(session=session, speakers=[SpeakerSlot(speaker)])

    assert caught.value.code == "speaker_clash"
    assert caught.value.message == (
        f"Jewel Li is already in “Robotaxi race” on {booked.stage.name} at "
        "Mon 10 Jun 2030, 10:00–10:45 (America/Los_Angeles)."
    )
    assert session.pk is None


def test_speaker_in_overlapping_session_of_another_event_is_refused():
    booked = SessionFactory()
    speaker = SessionSpeakerFactory(session=booked).speaker
    other_event = EventFactory(start_date=booked.event.start_date, end_date=booked.event.end_date)
    session = new_session(StageFactory(event=other_event), booked.starts_at)

    with pytest.raises(SpeakersError):
        schedule_session(session=session, speakers=[SpeakerSlot(speaker)])


def test_same_speaker_at_different_times_is_accepted():
    booked = SessionFactory()
    speaker = SessionSpeakerFactory(session=booked).speaker
    session = new_session(booked.stage, booked.ends_at + dt.timedelta(hours=2))

    schedule_session(session=session, speakers=[SpeakerSlot(speaker)])

    assert list(session.speakers.all()) == [speaker]


def test_same_speaker_back_to_back_on_another_stage_is_accepted():
    booked = SessionFactory()
    speaker = SessionSpeakerFactory(session=booked).speaker
    session = new_session(StageFactory(event=booked.event), booked.ends_at)

    schedule_session(session=session, speakers=[SpeakerSlot(speaker)])

    assert session.pk is not None


def test_stage_clash_writes_neither_session_nor_speakers():
    booked = SessionFactory()
    session = new_session(booked.stage, booked.starts_at)

    with pytest.raises(EventsError):
        schedule_session(session=session, speakers=[SpeakerSlot(SpeakerFactory())])

    assert Session.objects.count() == 1
    assert SessionSpeaker.objects.count() == 0


def test_speakers_keep_their_role_and_order():
    stage = StageFactory()
    moderator, panelist = SpeakerFactory(), SpeakerFactory()
    session = new_session(stage, dt.datetime.combine(stage.event.start_date, dt.time(17, 0),
                                                     tzinfo=stage.event.tzinfo))  # fmt: skip

    schedule_session(
        session=session,
        speakers=[
            SpeakerSlot(panelist, SessionSpeaker.Role.PANELIST, 2),
            SpeakerSlot(moderator, SessionSpeaker.Role.MODERATOR, 1),
        ],
    )

    rows = session.session_speakers.order_by("position")
    assert [(row.speaker, row.role) for row in rows] == [
        (moderator, "moderator"),
        (panelist, "panelist"),
    ]


def test_swapping_two_speakers_positions_is_accepted():
    session = SessionFactory()
    first = SessionSpeakerFactory(session=session, position=1).speaker
    second = SessionSpeakerFactory(session=session, position=2).speaker

    schedule_session(
        session=session,
        speakers=[SpeakerSlot(first, "panelist", 2), SpeakerSlot(second, "panelist", 1)],
    )

    assert [row.speaker for row in session.session_speakers.order_by("position")] == [
        second,
        first,
    ]


def test_unchanged_speakers_are_not_rewritten():
    session = SessionFactory()
    row = SessionSpeakerFactory(session=session, position=1, role="panelist")

    schedule_session(session=session, speakers=[SpeakerSlot(row.speaker, "panelist", 1)])

    assert list(session.session_speakers.values_list("pk", flat=True)) == [row.pk]


@pytest.mark.parametrize(
    ("slots", "code"),
    [
        (lambda a, b: [SpeakerSlot(a, "panelist", 1), SpeakerSlot(a, "host", 2)],
         "speaker_listed_twice"),
        (lambda a, b: [SpeakerSlot(a, "panelist", 1), SpeakerSlot(b, "panelist", 1)],
         "position_taken"),
    ],
)  # fmt: skip
def test_speaker_list_with_duplicates_is_refused(slots, code):
    session = new_session(StageFactory(), dt.datetime(2030, 6, 10, 18, tzinfo=dt.UTC))

    with pytest.raises(SpeakersError) as caught:
        schedule_session(session=session, speakers=slots(SpeakerFactory(), SpeakerFactory()))

    assert caught.value.code == code


def test_speaker_email_is_unique_ignoring_case():
    SpeakerFactory(email="jewel@autox.example")

    with pytest.raises(IntegrityError):
        SpeakerFactory(email="Jewel@AutoX.example")


def test_speakers_without_email_may_be_many():
    SpeakerFactory(email="")
    SpeakerFactory(email="")


def test_speaker_is_once_in_an_event_lineup():
    entry = LineupEntryFactory()

    with pytest.raises(IntegrityError):
        LineupEntryFactory(event=entry.event, speaker=entry.speaker)


def test_confirmed_lineup_entry_without_confirmation_time_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        LineupEntryFactory(status="confirmed", confirmed_at=None)


def test_two_speakers_cannot_share_a_position_in_the_database():
    row = SessionSpeakerFactory(position=1)

    with pytest.raises(IntegrityError):
        SessionSpeakerFactory(session=row.session, position=1)


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_organizers_booking_one_slot_at_once_get_one_session():
    stage = StageFactory()
    start = dt.datetime.combine(stage.event.start_date, dt.time(11), tzinfo=stage.event.tzinfo)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def book() -> None:
        try:
            barrier.wait()
            schedule_session(session=new_session(stage, start), speakers=[])
            outcomes.append("booked")
        except EventsError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=book) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["booked", "stage_clash", "stage_clash", "stage_clash"]
    assert Session.objects.filter(stage=stage).count() == 1
