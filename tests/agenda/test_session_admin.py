"""The session screen: times in the event's zone, clashes refused with the clash named."""

import datetime as dt

import pytest
from django.urls import reverse

from events.models import Session
from speakers.models import SessionSpeaker
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    StageFactory,
    local_time,
)

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:events_session_add")


def session_form(stage, *, day: dt.date, start: str, end: str, speakers=(), **fields) -> dict:
    """The POST body of the session form, with speaker rows as (speaker, role, position)."""
    data = {
        "event": stage.event.pk,
        "stage": stage.pk,
        "title": "Electric fleets",
        "format": "panel",
        "abstract": "",
        "is_published": "on",
        "starts_at_0": day.isoformat(),
        "starts_at_1": start,
        "ends_at_0": day.isoformat(),
        "ends_at_1": end,
        "session_speakers-TOTAL_FORMS": len(speakers),
        "session_speakers-INITIAL_FORMS": 0,
        "session_speakers-MIN_NUM_FORMS": 0,
        "session_speakers-MAX_NUM_FORMS": 1000,
        **fields,
    }
    for index, (speaker, role, position) in enumerate(speakers):
        data |= {
            f"session_speakers-{index}-speaker": speaker.pk,
            f"session_speakers-{index}-role": role,
            f"session_speakers-{index}-position": position,
        }
    return data


def test_times_are_entered_in_the_event_zone(organizer_client):
    stage = StageFactory(event=EventFactory(time_zone="Asia/Shanghai"))
    day = stage.event.start_date

    response = organizer_client.post(
        ADD_URL, session_form(stage, day=day, start="09:30", end="10:15")
    )

    assert response.status_code == 302
    session = Session.objects.get()
    assert session.starts_at == dt.datetime.combine(day, dt.time(1, 30), tzinfo=dt.UTC)
    assert session.ends_at == dt.datetime.combine(day, dt.time(2, 15), tzinfo=dt.UTC)


def test_change_page_shows_times_in_the_event_zone_and_names_it(organizer_client):
    event = EventFactory(time_zone="Asia/Shanghai")
    session = SessionFactory(event=event, starts_at=local_time(event, 0, 21, 45))

    response = organizer_client.get(reverse("admin:events_session_change", args=[session.pk]))

    page = response.content.decode()
    assert "Times on this page are in <strong>Asia/Shanghai</strong>" in page
    assert 'value="21:45:00"' in page


def test_add_page_for_an_event_names_its_zone(organizer_client):
    event = EventFactory(time_zone="Europe/Berlin")

    response = organizer_client.get(ADD_URL, {"event": event.pk})

    assert "Times on this page are in <strong>Europe/Berlin</strong>" in response.content.decode()


def test_stage_clash_is_refused_naming_the_other_session_and_time(organizer_client):
    booked = SessionFactory(title="China's robotaxi race")
    day = booked.event.start_date

    response = organizer_client.post(
        ADD_URL, session_form(booked.stage, day=day, start="10:30", end="11:00")
    )

    assert response.status_code == 200
    assert (
        f"{booked.stage.name} already has “China&#x27;s robotaxi race” at "
        "Mon 10 Jun 2030, 10:00–10:45 (America/Los_Angeles)."
    ) in response.content.decode()
    assert Session.objects.count() == 1


def test_session_outside_the_event_days_is_refused(organizer_client):
    stage = StageFactory()
    day_after = stage.event.end_date + dt.timedelta(days=1)

    response = organizer_client.post(
        ADD_URL, session_form(stage, day=day_after, start="10:00", end="11:00")
    )

    assert response.status_code == 200
    assert "must lie within" in response.content.decode()
    assert Session.objects.count() == 0


def test_speaker_clash_on_another_stage_is_refused_naming_the_clash(organizer_client):
    booked = SessionFactory(title="Robotaxi race")
    speaker = SessionSpeakerFactory(session=booked, speaker__name="Huan Sun").speaker
    other_stage = StageFactory(event=booked.event)
    form = session_form(
        other_stage,
        day=booked.event.start_date,
        start="10:15",
        end="10:30",
        speakers=[(speaker, "speaker", 1)],
    )

    response = organizer_client.post(ADD_URL, form)

    assert response.status_code == 200
    assert "Huan Sun is already in “Robotaxi race”" in response.content.decode()
    assert Session.objects.count() == 1


def test_session_with_speakers_is_saved_with_roles_and_order(organizer_client):
    stage = StageFactory()
    moderator, panelist = SpeakerFactory(), SpeakerFactory()
    form = session_form(
        stage,
        day=stage.event.start_date,
        start="14:00",
        end="14:45",
        speakers=[(panelist, "panelist", 2), (moderator, "moderator", 1)],
    )

    response = organizer_client.post(ADD_URL, form)

    assert response.status_code == 302
    rows = SessionSpeaker.objects.order_by("position").values_list("speaker", "role")
    assert list(rows) == [(moderator.pk, "moderator"), (panelist.pk, "panelist")]


def test_swapping_speaker_positions_in_the_form_is_saved(organizer_client):
    session = SessionFactory()
    first = SessionSpeakerFactory(session=session, position=1)
    second = SessionSpeakerFactory(session=session, position=2)
    local_start = session.starts_at.astimezone(session.event.tzinfo)
    form = session_form(
        session.stage,
        day=local_start.date(),
        start=f"{local_start:%H:%M}",
        end=f"{session.ends_at.astimezone(session.event.tzinfo):%H:%M}",
        title=session.title,
    )
    form |= {
        "session_speakers-TOTAL_FORMS": 2,
        "session_speakers-INITIAL_FORMS": 2,
        "session_speakers-0-id": first.pk,
        "session_speakers-0-session": session.pk,
        "session_speakers-0-speaker": first.speaker_id,
        "session_speakers-0-role": "panelist",
        "session_speakers-0-position": 2,
        "session_speakers-1-id": second.pk,
        "session_speakers-1-session": session.pk,
        "session_speakers-1-speaker": second.speaker_id,
        "session_speakers-1-role": "panelist",
        "session_speakers-1-position": 1,
    }

    response = organizer_client.post(
        reverse("admin:events_session_change", args=[session.pk]), form
    )

    assert response.status_code == 302
    order = session.session_speakers.order_by("position").values_list("speaker", flat=True)
    assert list(order) == [second.speaker_id, first.speaker_id]


def test_day_filter_reads_days_in_the_event_zone(organizer_client):
    event = EventFactory(time_zone="Asia/Shanghai")
    late_first_day = SessionFactory(event=event, title="Late", starts_at=local_time(event, 0, 23))
    SessionFactory(event=event, title="Next morning", starts_at=local_time(event, 1, 9))

    response = organizer_client.get(
        reverse("admin:events_session_changelist"),
        {"event": event.pk, "day": event.start_date.isoformat()},
    )

    assert [session.pk for session in response.context["cl"].result_list] == [late_first_day.pk]


def test_publish_action_publishes_selected_sessions(organizer_client):
    session = SessionFactory(is_published=False)

    organizer_client.post(
        reverse("admin:events_session_changelist"),
        {"action": "publish", "_selected_action": [session.pk]},
    )

    session.refresh_from_db()
    assert session.is_published is True


def test_new_panel_with_speaker_positions_left_blank_saves_first_time_numbered_in_order(
    organizer_client,
):
    stage = StageFactory()
    speakers = [SpeakerFactory(name=name) for name in ("Moderator", "First", "Second")]
    rows = [
        (speakers[0], "moderator", ""),
        (speakers[1], "panelist", ""),
        (speakers[2], "panelist", ""),
    ]

    response = organizer_client.post(
        ADD_URL,
        session_form(stage, day=stage.event.start_date, start="10:00", end="10:45", speakers=rows),
    )

    assert response.status_code == 302
    order = SessionSpeaker.objects.order_by("position").values_list("speaker__name", "position")
    assert list(order) == [("Moderator", 1), ("First", 2), ("Second", 3)]


def test_blank_speaker_positions_come_after_the_ones_given(organizer_client):
    stage = StageFactory()
    first, second, third = (SpeakerFactory() for _ in range(3))
    rows = [(first, "panelist", ""), (second, "moderator", "1"), (third, "panelist", "")]

    organizer_client.post(
        ADD_URL,
        session_form(stage, day=stage.event.start_date, start="10:00", end="10:45", speakers=rows),
    )

    order = SessionSpeaker.objects.order_by("position").values_list("speaker", "position")
    assert list(order) == [(second.pk, 1), (first.pk, 2), (third.pk, 3)]


def test_new_speaker_row_shows_no_position_to_share(organizer_client):
    response = organizer_client.get(ADD_URL)

    assert 'name="session_speakers-0-position" value="1"' not in response.content.decode()


def test_livestream_and_recording_links_are_saved_from_the_session_form(organizer_client):
    stage = StageFactory()
    form = session_form(
        stage,
        day=stage.event.start_date,
        start="09:30",
        end="10:15",
        livestream_url="https://stream.example/main",
        recording_url="https://video.example/talk-1",
    )

    response = organizer_client.post(ADD_URL, form)

    assert response.status_code == 302
    assert Session.objects.values_list("livestream_url", "recording_url").get() == (
        "https://stream.example/main",
        "https://video.example/talk-1",
    )
