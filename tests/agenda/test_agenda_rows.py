"""agenda.rows: the plain-row read paths show exactly what the serializers declare, and cost a
fixed number of queries however long the agenda."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar
from rest_framework.test import APIClient, APIRequestFactory

from agenda.api.serializers import LineupSpeakerSerializer, SessionSerializer, headshot_urls
from agenda.calendars import agenda_calendar
from agenda.rows import session_documents, session_rows, speaker_documents
from agenda.schedule_formats import schedule_json
from agenda.selectors import lineup_with_sessions, public_lineup, published_sessions
from events.models import Session
from speakers.models import SessionSpeaker, Speaker
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

HEADSHOT_RENDITIONS = {side: f"headshots/h_{side}.jpg" for side in ("96", "256", "512")}


@pytest.fixture
def event():
    """Sessions in a zone with a DST change, with and without tags, speakers, companies,
    headshots and watch links, one of them cancelled."""
    event = EventFactory(time_zone="America/New_York", end_date=dt.date(2030, 6, 12))
    build_agenda(event, 6)
    first, second = published_sessions(event)[:2]
    Session.objects.filter(pk=first.pk).update(
        status=Session.Status.CANCELLED, livestream_url="https://stream.example/main"
    )
    Session.objects.filter(pk=second.pk).update(recording_url="https://video.example/2")
    Speaker.objects.filter(pk=first.session_speakers.first().speaker_id).update(
        headshot="headshots/h.jpg", headshot_renditions=HEADSHOT_RENDITIONS
    )
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
    request = APIRequestFactory().get("/")
    sessions = published_sessions(event)

    documents = session_documents(
        session_rows(sessions, event=event),
        headshot_urls=lambda speaker: headshot_urls(speaker, request),
    )

    assert documents == SessionSerializer(sessions, many=True, context={"request": request}).data
    assert documents[0]["speakers"][0]["headshots"]["96"].startswith("http://testserver/")
    assert [document["status"] for document in documents[:2]] == ["cancelled", "scheduled"]


def test_frab_export_from_rows_equals_the_export_from_sessions(event):
    sessions = published_sessions(event)
    arguments = {"event": event, "base_url": "https://greenroom.example/", "version": "1.2"}

    from_rows = schedule_json(sessions=session_rows(sessions, event=event), **arguments)

    assert from_rows == schedule_json(sessions=list(sessions), **arguments)
    talks = [
        talk
        for day in from_rows["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for talk in room
    ]
    cancelled = next(talk for talk in talks if talk["title"].startswith("Cancelled: "))
    assert cancelled["links"] == [
        {"type": "media", "url": "https://stream.example/main", "title": "Livestream"}
    ]
    assert set(cancelled["persons"][0]) == {"id", "guid", "public_name"}
    assert from_rows["schedule"]["version"] == "1.2"


def test_calendar_text_marks_a_cancelled_session_and_lists_its_watch_links(event):
    cancelled = published_sessions(event).get(status=Session.Status.CANCELLED)

    ics = agenda_calendar(
        name="Agenda", sessions=session_rows(published_sessions(event), event=event)
    )

    vevent = next(
        e
        for e in Calendar.from_ical(ics).events
        if str(e["UID"]) == f"session-{cancelled.pk}@greenroom"
    )
    assert str(vevent["SUMMARY"]) == f"Cancelled: {cancelled.title}"
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["DESCRIPTION"]).endswith("\n\nWatch live: https://stream.example/main")


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
    assert str(vevent["SUMMARY"]) == session.marked_title()
    assert max(len(line) for line in ics.split(b"\r\n")) <= 75
    assert ics.endswith(b"END:VCALENDAR\r\n")


# Per read: the event, its stored version, then the read's own queries.
BUDGETS = {
    ("session-list", "page_size=200"): 6,
    ("bundle", ""): 12,  # + the passes on sale (a bundle section)
    ("agenda-ics", ""): 5,
    ("schedule-json", ""): 6,  # + the latest release's name, the frab `version`
    ("schedule-xml", ""): 6,
}


@pytest.mark.parametrize("count", [20, 200])
def test_uncached_agenda_reads_cost_the_same_queries_for_20_and_200_sessions(count):
    event = EventFactory()
    build_agenda(event, count)
    # Headshots are URLs built from the speakers' rows, never a query of their own.
    Speaker.objects.update(headshot="headshots/h.jpg", headshot_renditions=HEADSHOT_RENDITIONS)
    used = {}

    for name, query in BUDGETS:
        with CaptureQueriesContext(connection) as queries:
            response = APIClient().get(f"{reverse(name, args=[event.slug])}?{query}")
        assert response.status_code == 200
        used[name, query] = len(queries)

    assert used == BUDGETS
