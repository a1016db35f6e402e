"""The events list and detail endpoints."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import EventFactory, SessionFactory, StageFactory, TagFactory

pytestmark = pytest.mark.django_db


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [event["slug"] for event in response.json()["results"]]


def test_events_list_shows_published_and_cancelled_events_but_no_drafts():
    published = EventFactory(slug="published")
    cancelled = EventFactory(slug="cancelled", status="cancelled")
    EventFactory(slug="draft", status="draft")

    found = slugs(APIClient().get(reverse("event-list")))

    assert sorted(found) == sorted([published.slug, cancelled.slug])


def test_event_times_are_utc_with_the_event_zone_named_beside_them():
    event = EventFactory(
        time_zone="Asia/Shanghai", start_date=dt.date(2030, 6, 10), end_date=dt.date(2030, 6, 11)
    )

    body = APIClient().get(reverse("event-detail", args=[event.slug])).json()

    assert (body["time_zone"], body["starts_at"], body["ends_at"]) == (
        "Asia/Shanghai",
        "2030-06-09T16:00:00Z",
        "2030-06-11T16:00:00Z",
    )


def test_event_detail_lists_its_stages_in_order():
    event = EventFactory()
    second = StageFactory(event=event, name="Breakout", position=2)
    first = StageFactory(event=event, name="Main", position=1)

    body = APIClient().get(reverse("event-detail", args=[event.slug])).json()

    assert [stage["id"] for stage in body["stages"]] == [first.pk, second.pk]


def test_draft_event_detail_is_not_found():
    event = EventFactory(status="draft")

    response = APIClient().get(reverse("event-detail", args=[event.slug]))

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_upcoming_filter_leaves_out_ended_events():
    EventFactory(slug="past", start_date=dt.date(2020, 1, 1), end_date=dt.date(2020, 1, 2))
    EventFactory(slug="future")

    upcoming = slugs(APIClient().get(reverse("event-list"), {"upcoming": "true"}))
    past = slugs(APIClient().get(reverse("event-list"), {"upcoming": "false"}))

    assert (upcoming, past) == (["future"], ["past"])


def test_upcoming_filter_refuses_a_word_that_is_not_a_boolean():
    EventFactory()

    response = APIClient().get(reverse("event-list"), {"upcoming": "maybe"})

    assert (response.status_code, response.json()["errors"]) == (
        400,
        {"upcoming": ["Give true or false."]},
    )


def test_invalid_page_size_is_refused_even_with_a_current_etag():
    """A precondition applies only to a request that would otherwise succeed (RFC 9110)."""
    EventFactory()

    response = APIClient().get(reverse("event-list"), {"page_size": "-5"}, HTTP_IF_NONE_MATCH="*")

    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_text_filter_searches_name_and_tagline():
    EventFactory(slug="mobility", name="TC Sessions: Mobility", tagline="")
    EventFactory(slug="robotics", name="TC Sessions: Robotics", tagline="Robots and cities")

    assert slugs(APIClient().get(reverse("event-list"), {"q": "robots"})) == ["robotics"]


def test_tag_filter_finds_events_with_a_published_session_on_that_topic():
    tagged = SessionFactory(event__slug="tagged")
    tagged.tags.add(TagFactory(slug="robotaxi"))
    hidden = SessionFactory(event__slug="unpublished-only", is_published=False)
    hidden.tags.add(TagFactory(slug="robotaxi-hidden"))
    hidden.tags.add(tagged.tags.get())

    assert slugs(APIClient().get(reverse("event-list"), {"tag": "robotaxi"})) == ["tagged"]
