"""What each programme page costs: a fixed number of queries whatever the agenda's size, and
at most 50 KB of HTML and stylesheet gzipped for an agenda of 200 sessions."""

import gzip
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from speakers.models import SessionRole
from tests.web.conftest import build_programme

pytestmark = pytest.mark.django_db

SITE_CSS = Path(settings.BASE_DIR) / "web" / "static" / "web" / "site.css"
PAGE_BUDGET = 50 * 1024


def page_url(page: str, event) -> str:
    """The page under test, for a programme made by build_programme."""
    session = event.sessions.order_by("pk").last()
    host = session.session_speakers.get(role=SessionRole.HOST).speaker
    return {
        "agenda": reverse("web:agenda", args=[event.slug]),
        "session": reverse("web:session", args=[event.slug, session.pk]),
        "speakers": reverse("web:speakers", args=[event.slug]),
        "speaker": reverse("web:speaker", args=[event.slug, host.slug]),
    }[page]


# Anonymous: the event, then the page's reads. Signed in adds the session, the user and the
# bookmarks of the event (the lit stars).
QUERIES = [
    ("agenda", False, 6),  # event, stages, tags, sessions, their tags, their speakers
    ("agenda", True, 9),
    ("session", False, 4),  # event, session, its tags, its speakers
    ("session", True, 7),
    ("speakers", False, 2),  # event, lineup
    ("speaker", False, 4),  # event, speaker, links, sessions here
]


@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize(("page", "signed_in", "queries"), QUERIES)
def test_page_runs_a_fixed_number_of_queries(
    client, attendee, django_assert_num_queries, page, signed_in, queries, size
):
    event = build_programme(size)
    url = page_url(page, event)
    if signed_in:
        client.force_login(attendee)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("page", ["agenda", "session", "speakers", "speaker"])
def test_page_with_the_stylesheet_is_under_50_kb_gzipped_for_200_sessions(
    client, attendee, page, signed_in
):
    event = build_programme(200)
    if signed_in:
        client.force_login(attendee)

    body = client.get(page_url(page, event)).content

    weight = len(gzip.compress(body + SITE_CSS.read_bytes()))
    assert weight < PAGE_BUDGET, weight


def test_agenda_of_200_sessions_shows_them_all_on_one_page(client):
    event = build_programme(200)

    page = client.get(page_url("agenda", event)).content.decode()

    assert page.count('class="slot"') == 200
