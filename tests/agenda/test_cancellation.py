"""Cancelling a session: it keeps its id and stays in every export, marked; reinstating undoes
it; both count as agenda changes for ETags and delta sync."""

import pytest
from django.urls import reverse
from icalendar import Calendar
from rest_framework.test import APIClient

from agenda.services import cancel_session, reinstate_session
from events.models import Session
from tests.agenda.test_schedule_formats import assert_valid_json, assert_valid_xml
from tests.factories import SessionFactory, SessionSpeakerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cancelled() -> Session:
    session = SessionSpeakerFactory(session__title="Robotaxis").session
    cancel_session(session=session)
    return session


def get(name: str, *args, **query):
    response = APIClient().get(reverse(name, args=args), query)
    assert response.status_code == 200, response.content
    return response


def test_cancel_keeps_the_session_with_status_cancelled(cancelled):
    stored = Session.objects.get(pk=cancelled.pk)

    assert (stored.status, stored.is_published, stored.title) == ("cancelled", True, "Robotaxis")


def test_cancelled_session_stays_in_the_api_list_and_detail_marked(cancelled):
    slug = cancelled.event.slug
    listed = get("session-list", slug).json()["results"]
    detail = get("session-detail", slug, cancelled.pk).json()

    assert [(item["id"], item["status"]) for item in listed] == [(cancelled.pk, "cancelled")]
    assert (detail["id"], detail["status"]) == (cancelled.pk, "cancelled")


def test_scheduled_session_says_scheduled_in_the_api():
    session = SessionFactory()

    detail = get("session-detail", session.event.slug, session.pk).json()

    assert detail["status"] == "scheduled"


def test_cancelled_session_stays_in_the_bundle_marked(cancelled):
    bundle = get("bundle", cancelled.event.slug).json()

    assert [(item["id"], item["status"]) for item in bundle["sessions"]] == [
        (cancelled.pk, "cancelled")
    ]


def test_cancelled_session_stays_in_schedule_json_with_its_title_marked(cancelled):
    document = assert_valid_json(get("schedule-json", cancelled.event.slug).json())

    [day] = [
        day for day in document["schedule"]["conference"]["days"] if any(day["rooms"].values())
    ]
    [talk] = [talk for talks in day["rooms"].values() for talk in talks]
    assert (talk["id"], talk["title"]) == (cancelled.pk, "Cancelled: Robotaxis")
    assert talk["slug"].endswith("-robotaxis")  # the slug apps key on stays as it was


def test_cancelled_session_stays_in_schedule_xml_with_its_title_marked(cancelled):
    root = assert_valid_xml(get("schedule-xml", cancelled.event.slug).content)

    [talk] = root.iter("event")
    assert (talk.get("id"), talk.findtext("title")) == (str(cancelled.pk), "Cancelled: Robotaxis")


def test_cancelled_session_stays_in_agenda_ics_with_status_cancelled(cancelled):
    calendar = Calendar.from_ical(get("agenda-ics", cancelled.event.slug).content)

    [vevent] = calendar.walk("VEVENT")
    assert (str(vevent["uid"]), str(vevent["status"]), str(vevent["summary"])) == (
        f"session-{cancelled.pk}@greenroom",
        "CANCELLED",
        "Cancelled: Robotaxis",
    )


def test_scheduled_session_in_agenda_ics_has_no_status():
    session = SessionFactory(title="Robotaxis")

    calendar = Calendar.from_ical(get("agenda-ics", session.event.slug).content)

    [vevent] = calendar.walk("VEVENT")
    assert ("STATUS" in vevent, str(vevent["summary"])) == (False, "Robotaxis")


def test_cancelling_changes_the_agenda_etag():
    session = SessionFactory()
    url = reverse("session-list", args=[session.event.slug])
    etag = APIClient().get(url)["ETag"]

    cancel_session(session=session)

    assert APIClient().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_reinstate_puts_a_cancelled_session_back_as_scheduled(cancelled):
    changed = reinstate_session(session=cancelled)

    assert (changed, Session.objects.get(pk=cancelled.pk).status) == (True, "scheduled")


def test_cancel_twice_changes_nothing_the_second_time(cancelled):
    updated_at = Session.objects.get(pk=cancelled.pk).updated_at

    changed = cancel_session(session=cancelled)

    assert (changed, Session.objects.get(pk=cancelled.pk).updated_at) == (False, updated_at)
