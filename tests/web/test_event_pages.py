"""The front pages: upcoming events and an event's home."""

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import EventStatus
from speakers.models import InvitationStatus
from tests.factories import EventFactory, LineupEntryFactory, PassTypeFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


def confirmed(event, speaker=None):
    return LineupEntryFactory(
        event=event,
        speaker=speaker or SpeakerFactory(),
        status=InvitationStatus.CONFIRMED,
        confirmed_at=timezone.now(),
    )


def published_event(**fields):
    return EventFactory(status=EventStatus.PUBLISHED, **fields)


def test_home_lists_upcoming_public_events_and_not_drafts(client):
    first, second = published_event(name="Mobility"), published_event(name="Robotics")
    EventFactory(name="Secret draft", status=EventStatus.DRAFT)

    page = client.get(reverse("web:home")).content.decode()

    assert first.name in page
    assert second.name in page
    assert "Secret draft" not in page


def test_home_with_one_upcoming_event_opens_that_event(client):
    event = published_event()

    response = client.get(reverse("web:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:event", args=[event.slug])


def test_event_home_shows_when_where_confirmed_speakers_and_the_way_to_a_pass(client):
    event = published_event(
        start_date="2030-06-10", end_date="2030-06-11", venue_name="Zellerbach Hall"
    )
    PassTypeFactory(event=event)
    confirmed(event, SpeakerFactory(name="Ada Lovelace"))
    LineupEntryFactory(event=event, speaker=SpeakerFactory(name="Not Yet"))

    page = client.get(reverse("web:event", args=[event.slug])).content.decode()

    assert "10–11 Jun 2030" in page
    assert "Zellerbach Hall" in page
    assert "Ada Lovelace" in page
    assert "Not Yet" not in page
    assert "Get your pass" in page


def test_draft_event_page_is_404(client):
    draft = EventFactory(status=EventStatus.DRAFT)

    assert client.get(reverse("web:event", args=[draft.slug])).status_code == 404


@pytest.mark.parametrize("speakers", [2, 12])
def test_event_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries, speakers):
    event = published_event()
    PassTypeFactory(event=event)
    for _ in range(speakers):
        confirmed(event)

    with django_assert_num_queries(6):
        client.get(reverse("web:event", args=[event.slug]))
