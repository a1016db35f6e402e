"""Fixtures of the public site's tests: a published programme of any size, signed-in clients,
and payments through the same local Stripe server and signed webhooks as the API's tests."""

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from speakers.models import SessionRole
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    StageFactory,
    TagFactory,
    UserFactory,
    local_time,
)
from tests.tickets.conftest import (  # noqa: F401  (fixtures)
    checkout_stripe,
    deliver,
    localstripe_url,
    phone,
    stripe_settings,
    webhook_settings,
)

STAGES = 4
SLOT = dt.timedelta(minutes=15)


def build_programme(sessions: int):
    """A Los Angeles event in winter (UTC-8) with `sessions` published sessions on its first
    day, spread over four stages from 08:00; every session has its own speaker, one tag, and
    the same host (so the host's page lists them all)."""
    event = EventFactory(
        start_date=dt.date(2030, 1, 15), end_date=dt.date(2030, 1, 16), name="Robotics Days"
    )
    stages = [StageFactory(event=event, position=index) for index in range(STAGES)]
    tag = TagFactory(name="Robotaxi", slug="robotaxi")
    host = SpeakerFactory(name="Hosting Person", slug="host")
    for number in range(sessions):
        starts_at = local_time(event, 0, 8) + SLOT * (number // STAGES)
        session = SessionFactory(
            event=event,
            stage=stages[number % STAGES],
            starts_at=starts_at,
            ends_at=starts_at + SLOT,
        )
        session.tags.add(tag)
        SessionSpeakerFactory(session=session, speaker=host, role=SessionRole.HOST, position=1)
        SessionSpeakerFactory(session=session, position=2)
    return event


@pytest.fixture
def attendee(db):
    return UserFactory(username="attendee")


@pytest.fixture
def attendee_page_client(client, attendee):
    """A browser signed in as the attendee."""
    client.force_login(attendee)
    return client


@pytest.fixture
def attendee_api_client(attendee) -> APIClient:
    """The attendee's app: the same account, signed in with an API token."""
    token, _ = Token.objects.get_or_create(user=attendee)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api
