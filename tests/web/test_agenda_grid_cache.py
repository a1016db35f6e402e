"""The anonymous agenda grid is rendered once per agenda version and then read from the cache."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.web.conftest import build_programme

pytestmark = pytest.mark.django_db


def test_anonymous_agenda_page_is_served_from_the_grid_cache_until_the_agenda_changes(client):
    event = build_programme(20)
    url = reverse("web:agenda", args=[event.slug])
    first = client.get(url)

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    cached_queries = len(queries)  # read now: the next request resets Django's query log
    session = event.sessions.order_by("starts_at", "pk").first()
    session.title = "Retitled after the first render"
    session.save()
    after_edit = client.get(url)

    # The event with its agenda version, its stages and tags (the filters): no sessions.
    assert cached_queries == 3
    assert again.content.count(b'class="slot"') == first.content.count(b'class="slot"') == 20
    assert b"Retitled after the first render" in after_edit.content


def test_signed_in_agenda_grid_is_never_taken_from_the_cache(client, attendee):
    event = build_programme(5)
    url = reverse("web:agenda", args=[event.slug])
    client.get(url)
    client.force_login(attendee)

    response = client.get(url)

    assert b"Log in to bookmark" not in response.content
