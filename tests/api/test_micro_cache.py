"""The public micro-cache (config/api/microcache.py): anonymous machine formats only, per origin."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(autouse=True)
def micro_cache_on(settings):
    settings.GREENROOM_VERSION_CACHE_SECONDS = 5


@pytest.fixture
def sessions_url() -> str:
    session = SessionFactory()
    return reverse("session-list", args=[session.event.slug]) + "?page_size=3&x=1"


def test_signed_in_browsable_page_is_not_replayed_to_anonymous_clients(
    organizer_client, sessions_url
):
    organizer_client.get(sessions_url, HTTP_ACCEPT=BROWSER_ACCEPT)

    stranger = Client().get(sessions_url, HTTP_ACCEPT=BROWSER_ACCEPT)

    assert b"organizer" not in stranger.content


def test_browsable_api_pages_are_never_marked_public(client, sessions_url):
    page = client.get(sessions_url, HTTP_ACCEPT=BROWSER_ACCEPT)

    assert page["Content-Type"] == "text/html; charset=utf-8"
    assert page["Cache-Control"] == "private, no-cache"


def test_browsable_api_pages_are_not_stored_in_the_micro_cache(client, sessions_url):
    client.get(sessions_url, HTTP_ACCEPT=BROWSER_ACCEPT)

    with CaptureQueriesContext(connection) as queries:
        Client().get(sessions_url, HTTP_ACCEPT=BROWSER_ACCEPT)

    assert len(queries) > 0


def test_signed_in_reads_of_public_data_are_not_marked_public(organizer_client, sessions_url):
    answer = organizer_client.get(sessions_url)

    assert answer["Cache-Control"] == "private, no-cache"


def test_signed_in_reads_are_not_stored_in_the_micro_cache(organizer_client, sessions_url):
    organizer_client.get(sessions_url)

    with CaptureQueriesContext(connection) as queries:
        Client().get(sessions_url)

    assert len(queries) > 0


def test_signed_in_reads_are_not_served_from_the_micro_cache(
    attendee_client, api_client, sessions_url
):
    api_client.get(sessions_url)

    with CaptureQueriesContext(connection) as queries:
        answer = attendee_client.get(sessions_url)

    assert len(queries) > 0
    assert answer["Cache-Control"] == "private, no-cache"


def test_a_session_cookie_alone_keeps_a_request_out_of_the_micro_cache(client, sessions_url):
    client.get(sessions_url)
    client.cookies["sessionid"] = "somebody-elses-or-expired"

    with CaptureQueriesContext(connection) as queries:
        client.get(sessions_url)

    assert len(queries) > 0


def test_micro_cache_keeps_each_host_its_own_schedule_json(client, settings):
    settings.ALLOWED_HOSTS = ["greenroom.example", "mirror.example"]
    url = reverse("schedule-json", args=[EventFactory(slug="mobility-2030").slug])
    client.get(url, HTTP_HOST="greenroom.example")

    mirrored = client.get(url, HTTP_HOST="mirror.example")

    base_url = mirrored.json()["schedule"]["base_url"]
    assert base_url == "http://mirror.example/api/v1/events/mobility-2030/"


def test_micro_cache_keeps_each_scheme_its_own_schedule_json(client):
    url = reverse("schedule-json", args=[EventFactory(slug="mobility-2030").slug])
    client.get(url)

    secure = client.get(url, secure=True)

    base_url = secure.json()["schedule"]["base_url"]
    assert base_url == "https://testserver/api/v1/events/mobility-2030/"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("session-list", "application/json"),
        ("agenda-ics", "text/calendar; charset=utf-8"),
        ("schedule-xml", "application/xml; charset=utf-8"),
        ("schedule-json", "application/json"),
    ],
)
def test_micro_cache_serves_public_machine_formats_to_anonymous_clients(client, name, content_type):
    url = reverse(name, args=[SessionFactory().event.slug])
    first = client.get(url)

    with CaptureQueriesContext(connection) as queries:
        again = Client().get(url)

    assert (len(queries), again["Content-Type"]) == (0, content_type)
    assert (again.content, again["Cache-Control"]) == (first.content, "public, max-age=60")


def test_answer_from_the_micro_cache_says_so_and_a_rendered_one_does_not(client, sessions_url):
    rendered = client.get(sessions_url)
    replayed = Client().get(sessions_url)

    assert (rendered.get("X-Greenroom-Cache"), replayed.get("X-Greenroom-Cache")) == (None, "hit")
