"""The agenda as iCalendar: each session at its event's wall time, with the zones it needs."""

import datetime as dt

import pytest
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from agenda.calendars import agenda_calendar
from agenda.selectors import published_sessions
from events.models import Session
from speakers.models import SessionSpeaker
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    StageFactory,
    TagFactory,
    local_time,
)

pytestmark = pytest.mark.django_db


def session_url(session: Session) -> str:
    return f"https://greenroom.example/api/v1/events/{session.event.slug}/sessions/{session.pk}/"


def build_panel() -> Session:
    event = EventFactory(name="TC Sessions: Mobility 2030", time_zone="America/Los_Angeles")
    stage = StageFactory(event=event, name="Main Stage")
    panel = SessionFactory(
        event=event,
        stage=stage,
        title="The road to robotaxis",
        abstract="Who gets driverless cars onto public roads first, and how.",
        format=Session.Format.PANEL,
        starts_at=local_time(event, 0, 10),
        ends_at=local_time(event, 0, 10, 45),
    )
    panel.tags.add(TagFactory(name="self-driving-cars"), TagFactory(name="robotaxi"))
    SessionSpeakerFactory(
        session=panel,
        speaker=SpeakerFactory(name="Jewel Li", job_title="Reporter", organization__name="TC"),
        role=SessionSpeaker.Role.MODERATOR,
        position=1,
    )
    SessionSpeakerFactory(
        session=panel,
        speaker=SpeakerFactory(name="Tony Han", job_title="", organization=None),
        role=SessionSpeaker.Role.PANELIST,
        position=2,
    )
    return panel


def vevents_by_uid(calendar: Calendar) -> dict[str, CalendarEvent]:
    return {str(vevent["UID"]): vevent for vevent in calendar.events}


def test_agenda_calendar_event_carries_the_session_fields():
    panel = build_panel()
    sessions = published_sessions(panel.event)

    calendar = Calendar.from_ical(
        agenda_calendar(name="Mobility 2030", sessions=sessions, url_for_session=session_url)
    )

    panel.refresh_from_db()
    vevent = vevents_by_uid(calendar)[f"session-{panel.pk}@greenroom"]
    stamp = panel.updated_at.replace(microsecond=0)
    assert {
        "summary": str(vevent["SUMMARY"]),
        "description": str(vevent["DESCRIPTION"]),
        "location": str(vevent["LOCATION"]),
        "categories": [str(category) for category in vevent["CATEGORIES"].cats],
        "url": str(vevent["URL"]),
        "dtstamp": vevent.decoded("DTSTAMP"),
        "last_modified": vevent.decoded("LAST-MODIFIED"),
    } == {
        "summary": "The road to robotaxis",
        "description": (
            "Who gets driverless cars onto public roads first, and how.\n\n"
            "Jewel Li, Reporter, TC (Moderator)\n"
            "Tony Han (Panelist)"
        ),
        "location": "Main Stage, TC Sessions: Mobility 2030",
        "categories": ["robotaxi", "self-driving-cars"],
        "url": f"https://greenroom.example/api/v1/events/{panel.event.slug}/sessions/{panel.pk}/",
        "dtstamp": stamp,
        "last_modified": stamp,
    }
    assert vevent.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)


def test_agenda_calendar_dtstart_is_the_event_wall_time_with_its_tzid():
    panel = build_panel()

    calendar = Calendar.from_ical(agenda_calendar(name="Mobility", sessions=[panel]))

    (vevent,) = calendar.events
    assert [
        (vevent[name].params["TZID"], vevent.decoded(name).replace(tzinfo=None))
        for name in ("DTSTART", "DTEND")
    ] == [
        ("America/Los_Angeles", dt.datetime(2030, 6, 10, 10, 0)),
        ("America/Los_Angeles", dt.datetime(2030, 6, 10, 10, 45)),
    ]
    assert vevent.decoded("DTSTART") == panel.starts_at
    assert "URL" not in vevent


def test_agenda_calendar_names_itself_and_includes_the_vtimezone():
    panel = build_panel()

    calendar = Calendar.from_ical(agenda_calendar(name="Mobility 2030", sessions=[panel]))

    assert {name: str(calendar[name]) for name in ("PRODID", "VERSION", "X-WR-CALNAME")} == {
        "PRODID": "-//Greenroom//Agenda//EN",
        "VERSION": "2.0",
        "X-WR-CALNAME": "Mobility 2030",
    }
    assert [timezone.tz_name for timezone in calendar.timezones] == ["America/Los_Angeles"]
    # Zones come first, before the events that refer to them.
    assert [component.name for component in calendar.subcomponents] == ["VTIMEZONE", "VEVENT"]


def test_agenda_calendar_vtimezone_covers_a_dst_change():
    # Clocks in Los Angeles go from 02:00 PST to 03:00 PDT on Sunday 10 March 2030.
    event = EventFactory(
        start_date=dt.date(2030, 3, 9),
        end_date=dt.date(2030, 3, 10),
        time_zone="America/Los_Angeles",
    )
    sessions = [
        SessionFactory(
            event=event, starts_at=local_time(event, day, 10), ends_at=local_time(event, day, 11)
        )
        for day in (0, 1)
    ]

    calendar = Calendar.from_ical(agenda_calendar(name="Spring", sessions=sessions))

    (timezone,) = calendar.timezones
    # Built from the VTIMEZONE's own rules, not from the TZID's name.
    zone = timezone.to_tz(lookup_tzid=False)
    assert [
        vevent.decoded("DTSTART").replace(tzinfo=zone).astimezone(dt.UTC)
        for vevent in calendar.events
    ] == [session.starts_at.astimezone(dt.UTC) for session in sessions]
    assert [
        (vevent.decoded("DTSTART").hour, vevent.decoded("DTSTART").utcoffset())
        for vevent in calendar.events
    ] == [(10, dt.timedelta(hours=-8)), (10, dt.timedelta(hours=-7))]


def test_agenda_calendar_of_sessions_from_two_zones_keeps_each_zone():
    # A personal agenda: bookmarks in San Francisco and in Berlin.
    san_francisco = build_panel()
    berlin_event = EventFactory(time_zone="Europe/Berlin")
    berlin = SessionFactory(
        event=berlin_event,
        starts_at=local_time(berlin_event, 1, 9, 30),
        ends_at=local_time(berlin_event, 1, 10),
    )

    calendar = Calendar.from_ical(
        agenda_calendar(name="My agenda", sessions=[san_francisco, berlin])
    )

    starts = {
        str(vevent["UID"]): (vevent["DTSTART"].params["TZID"], vevent.decoded("DTSTART"))
        for vevent in calendar.events
    }
    assert {uid: (tzid, start.replace(tzinfo=None)) for uid, (tzid, start) in starts.items()} == {
        f"session-{san_francisco.pk}@greenroom": (
            "America/Los_Angeles",
            dt.datetime(2030, 6, 10, 10, 0),
        ),
        f"session-{berlin.pk}@greenroom": ("Europe/Berlin", dt.datetime(2030, 6, 11, 9, 30)),
    }
    assert [start for _, start in starts.values()] == [san_francisco.starts_at, berlin.starts_at]
    assert sorted(timezone.tz_name for timezone in calendar.timezones) == [
        "America/Los_Angeles",
        "Europe/Berlin",
    ]


def test_agenda_calendar_of_no_sessions_has_no_vevent():
    calendar = Calendar.from_ical(agenda_calendar(name="My agenda", sessions=[]))

    assert {name: str(calendar[name]) for name in ("PRODID", "VERSION", "X-WR-CALNAME")} == {
        "PRODID": "-//Greenroom//Agenda//EN",
        "VERSION": "2.0",
        "X-WR-CALNAME": "My agenda",
    }
    assert calendar.events == []
    assert calendar.timezones == []


def test_agenda_calendar_issues_no_queries(django_assert_num_queries):
    panel = build_panel()
    other_event = EventFactory(time_zone="Europe/Berlin")
    SessionSpeakerFactory(session=SessionFactory(event=other_event))
    sessions = [*published_sessions(panel.event), *published_sessions(other_event)]

    with django_assert_num_queries(0):
        agenda_calendar(name="My agenda", sessions=sessions, url_for_session=session_url)


def test_agenda_calendar_strips_control_characters_from_session_text():
    panel = build_panel()
    panel.title = "The road\x1b[31m to robotaxis"
    panel.abstract = "Who gets\x0b driverless cars onto public roads first,\x7f and how."
    panel.save()

    ics = agenda_calendar(name="Mobility\x1b 2030", sessions=published_sessions(panel.event))

    vevent = Calendar.from_ical(ics).events[0]
    assert [char for char in ics.decode() if char in "\x00\x0b\x1b\x7f"] == []
    assert str(vevent["SUMMARY"]) == "The road[31m to robotaxis"
    assert str(vevent["DESCRIPTION"]).startswith(
        "Who gets driverless cars onto public roads first, and how.\n\n"
    )


def test_agenda_calendar_description_ends_with_where_to_watch():
    session = SessionFactory(
        abstract="",
        livestream_url="https://stream.example/main",
        recording_url="https://video.example/talk-1",
    )

    calendar = Calendar.from_ical(agenda_calendar(name="Mobility", sessions=[session]))

    (vevent,) = calendar.events
    assert str(vevent["DESCRIPTION"]) == (
        "Watch live: https://stream.example/main\nWatch the recording: https://video.example/talk-1"
    )
