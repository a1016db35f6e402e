"""The personal agenda: bookmarks under /api/v1/me/agenda/, private to each attendee."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from agenda.models import Bookmark
from events.models import Event
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    StageFactory,
    TagFactory,
    UserFactory,
    local_time,
)

pytestmark = pytest.mark.django_db

AGENDA_URL = "/api/v1/me/agenda/"
AGENDA_ICS_URL = "/api/v1/me/agenda.ics"


def item_url(session_id: int) -> str:
    return f"/api/v1/me/agenda/{session_id}/"


def test_agenda_item_put_answers_201_then_200_with_one_bookmark(attendee, attendee_client):
    session = SessionFactory()

    first = attendee_client.put(item_url(session.pk))
    second = attendee_client.put(item_url(session.pk))

    assert (first.status_code, second.status_code) == (201, 200)
    assert Bookmark.objects.filter(user=attendee, session=session).count() == 1
    assert first.json()["session_id"] == session.pk
    assert second.json() == first.json()


def test_agenda_item_get_shows_session_id_and_event_slug(attendee_client):
    session = SessionFactory()
    attendee_client.put(item_url(session.pk))

    response = attendee_client.get(item_url(session.pk))

    assert response.status_code == 200
    body = response.json()
    assert (body["session_id"], body["event"]) == (session.pk, session.event.slug)


def test_agenda_list_holds_full_session_objects(attendee_client, api_client):
    session = SessionFactory()
    SessionSpeakerFactory(session=session)
    session.tags.add(TagFactory())
    attendee_client.put(item_url(session.pk))

    response = attendee_client.get(AGENDA_URL)

    assert response.status_code == 200
    public_detail = api_client.get(
        f"/api/v1/events/{session.event.slug}/sessions/{session.pk}/"
    ).json()
    assert response.json()["results"] == [public_detail]


def test_agenda_list_is_in_time_order_across_events(attendee_client):
    later = SessionFactory(event=EventFactory(), title="Later")
    earlier_event = EventFactory()
    earlier = SessionFactory(
        event=earlier_event, starts_at=local_time(earlier_event, 0, 8), title="Earlier"
    )
    for session in (later, earlier):
        attendee_client.put(item_url(session.pk))

    response = attendee_client.get(AGENDA_URL)

    assert [item["id"] for item in response.json()["results"]] == [earlier.pk, later.pk]


def test_agenda_item_delete_answers_204_then_404(attendee, attendee_client):
    session = SessionFactory()
    attendee_client.put(item_url(session.pk))

    deleted = attendee_client.delete(item_url(session.pk))
    read_after = attendee_client.get(item_url(session.pk))
    deleted_again = attendee_client.delete(item_url(session.pk))

    assert deleted.status_code == 204
    assert read_after.status_code == 404
    assert deleted_again.status_code == 404
    assert deleted_again.json()["code"] == "not_found"
    assert not Bookmark.objects.filter(user=attendee).exists()


def test_agenda_item_of_another_attendee_is_not_found(attendee, attendee_client, token_client_for):
    session = SessionFactory()
    attendee_client.put(item_url(session.pk))
    other_client = token_client_for(UserFactory(username="someone-else"))

    read = other_client.get(item_url(session.pk))
    removed = other_client.delete(item_url(session.pk))
    listed = other_client.get(AGENDA_URL)

    assert (read.status_code, removed.status_code) == (404, 404)
    assert listed.json()["results"] == []
    assert Bookmark.objects.filter(user=attendee, session=session).exists()


def test_agenda_calendar_of_another_attendee_is_empty(attendee_client, token_client_for):
    session = SessionFactory()
    attendee_client.put(item_url(session.pk))
    other_client = token_client_for(UserFactory(username="someone-else"))

    response = other_client.get(AGENDA_ICS_URL)

    assert Calendar.from_ical(response.content).walk("VEVENT") == []


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", AGENDA_URL),
        ("get", AGENDA_ICS_URL),
        ("get", "/api/v1/me/agenda/{session_id}/"),
        ("put", "/api/v1/me/agenda/{session_id}/"),
        ("delete", "/api/v1/me/agenda/{session_id}/"),
    ],
)
def test_me_endpoint_anonymous_is_401(api_client, method, url):
    session = SessionFactory()

    response = getattr(api_client, method)(url.format(session_id=session.pk))

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not Bookmark.objects.exists()


def _unpublished_session() -> int:
    return SessionFactory(is_published=False).pk


def _session_of_draft_event() -> int:
    return SessionFactory(event=EventFactory(status=Event.Status.DRAFT)).pk


def _deleted_session() -> int:
    session = SessionFactory()
    session_id = session.pk
    session.delete()
    return session_id


@pytest.mark.parametrize(
    "make_session_id",
    [_unpublished_session, _session_of_draft_event, _deleted_session],
    ids=["unpublished", "draft-event", "unknown-id"],
)
def test_agenda_item_put_of_non_public_session_is_404(attendee_client, make_session_id):
    session_id = make_session_id()

    response = attendee_client.put(item_url(session_id))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Bookmark.objects.exists()


def test_agenda_list_drops_session_unpublished_after_bookmarking(attendee_client):
    kept, withdrawn = SessionFactory(), SessionFactory()
    for session in (kept, withdrawn):
        attendee_client.put(item_url(session.pk))
    withdrawn.is_published = False
    withdrawn.save()

    response = attendee_client.get(AGENDA_URL)

    assert [item["id"] for item in response.json()["results"]] == [kept.pk]


def test_agenda_calendar_holds_only_bookmarked_sessions(attendee_client):
    event = EventFactory()
    stage = StageFactory(event=event)
    bookmarked = SessionFactory(event=event, stage=stage, title="Robotaxi economics")
    SessionFactory(
        event=event, stage=stage, starts_at=local_time(event, 0, 14), title="Lidar teardown"
    )
    attendee_client.put(item_url(bookmarked.pk))

    response = attendee_client.get(AGENDA_ICS_URL)

    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == "text/calendar"
    summaries = [
        str(vevent["SUMMARY"]) for vevent in Calendar.from_ical(response.content).walk("VEVENT")
    ]
    assert summaries == ["Robotaxi economics"]


@pytest.mark.parametrize("url", [AGENDA_URL, AGENDA_ICS_URL])
def test_me_read_is_cached_privately(attendee_client, url):
    attendee_client.put(item_url(SessionFactory().pk))

    response = attendee_client.get(url)

    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "private" in directives
    assert "public" not in directives


def test_agenda_list_query_count_does_not_grow_with_bookmarks(attendee_client):
    event = EventFactory()

    def bookmark_sessions(count: int, first_hour: int) -> None:
        for hour in range(first_hour, first_hour + count):
            session = SessionFactory(event=event, starts_at=local_time(event, 0, hour))
            SessionSpeakerFactory(session=session)
            session.tags.add(TagFactory())
            attendee_client.put(item_url(session.pk))

    bookmark_sessions(1, first_hour=8)
    with CaptureQueriesContext(connection) as with_one:
        attendee_client.get(AGENDA_URL)
    bookmark_sessions(4, first_hour=10)

    with CaptureQueriesContext(connection) as with_five:
        response = attendee_client.get(AGENDA_URL)

    assert response.json()["count"] == 5
    assert len(with_five) == len(with_one)


@pytest.mark.parametrize("method", ["get", "delete"])
def test_agenda_item_with_out_of_range_id_is_404(attendee_client, method):
    response = getattr(attendee_client, method)(item_url(2**64))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
