"""agenda.rows: the plain-row read paths show exactly what the serializers declare, and cost a
fixed number of queries however long the agenda."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar
from rest_framework.test import APIClient, APIRequestFactory

from agenda.api.serializers import LineupSpeakerSerializer, SessionSerializer
from agenda.calendars import agenda_calendar
from agenda.rows import session_documents, session_rows, speaker_documents
from agenda.selectors import lineup_with_sessions, public_lineup, published_sessions
from speakers.models import SessionSpeaker
from tests.agenda.test_agenda_api import build_agenda
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    SpeakerLinkFactory,
    TagFactory,
    local_time,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    """Sessions in a zone with a DST change, with and without tags, speakers, companies."""
    event = EventFactory(time_zone="America/New_York", end_date=dt.date(2030, 6, 12))
    build_agenda(event, 6)
    bare = SessionFactory(event=event, starts_at=local_time(event, 2, 9), abstract="")
    SessionSpeakerFactory(
        session=bare,
        speaker=SpeakerFactory(organization=None, job_title="", pronouns="they/them"),
        role=SessionSpeaker.Role.HOST,
    )
    SpeakerLinkFactory(speaker=bare.session_speakers.get().speaker, label="Site")
    bare.tags.add(TagFactory(name="Ünïcode, tags; too"))
    return event


def test_session_documents_equal_what_the_session_serializer_shows(event):
    sessions = published_sessions(event)

    documents = session_documents(session_rows(sessions, event=event))

    assert documents == SessionSerializer(sessions, many=True).data


def test_speaker_documents_equal_what_the_lineup_serializer_shows(event):
    request = APIRequestFactory().get("/")
    serializer = LineupSpeakerSerializer(context={"request": request})
    speakers = public_lineup(event).order_by("name", "pk")

    documents = speaker_documents(speakers, event=event, headshot_urls=serializer.get_headshots)

    expected = LineupSpeakerSerializer(
        lineup_with_sessions(event, public_lineup(event)), many=True, context={"request": request}
    ).data
    assert documents == expected


def test_calendar_text_round_trips_escapes_and_folds_long_lines_at_75_octets(event):
    session = published_sessions(event).first()
    session.title = "Ünïcode; commas, back\\slashes and\nline breaks " + "ø" * 80
    session.save()

    ics = agenda_calendar(name="Name; with, specials", sessions=published_sessions(event))

    vevent = next(
        e
        for e in Calendar.from_ical(ics).events
        if str(e["UID"]).startswith(f"session-{session.pk}@")
    )
    assert str(vevent["SUMMARY"]) == session.title
    assert max(len(line) for line in ics.split(b"\r\n")) <= 75
    assert ics.endswith(b"END:VCALENDAR\r\n")


# Per read: the event, its stored version, then the read's own queries.
BUDGETS = {
    ("session-list", "page_size=200"): 6,
    ("bundle", ""): 12,  # + the passes on sale (a bundle section)
    ("agenda-ics", ""): 5,
    ("schedule-json", ""): 5,
    ("schedule-xml", ""): 5,
}


@pytest.mark.parametrize("count", [20, 200])
def test_uncached_agenda_reads_cost_the_same_queries_for_20_and_200_sessions(count):
    event = EventFactory()
    build_agenda(event, count)
    used = {}

    for name, query in BUDGETS:
        with CaptureQueriesContext(connection) as queries:
            response = APIClient().get(f"{reverse(name, args=[event.slug])}?{query}")
        assert response.status_code == 200
        used[name, query] = len(queries)

    assert used == BUDGETS
