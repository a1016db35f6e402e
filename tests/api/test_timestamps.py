"""One timestamp convention across the JSON API: RFC 3339 in UTC with `Z`, to the second."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.services import add_bookmark
from tests.factories import (
    EventFactory,
    LineupEntryFactory,
    PassTypeFactory,
    PricePhaseFactory,
    SessionFactory,
    SessionSpeakerFactory,
    UserFactory,
    door_staff_user,
    local_time,
)
from tests.tickets.helpers import paid_ticket
from tickets.models import Order, PassType

pytestmark = pytest.mark.django_db

CONVENTION = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# Anything a client would take for a date and time, whatever its offset or precision.
LOOKS_LIKE_A_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def timestamps_in(value, path: str = "$") -> dict[str, str]:
    """Every string in a JSON answer that reads as a date and time, by its path."""
    if isinstance(value, dict):
        return {
            found: text
            for key, item in value.items()
            for found, text in timestamps_in(item, f"{path}.{key}").items()
        }
    if isinstance(value, list):
        return {
            found: text
            for index, item in enumerate(value)
            for found, text in timestamps_in(item, f"{path}[{index}]").items()
        }
    if isinstance(value, str) and LOOKS_LIKE_A_TIMESTAMP.match(value):
        return {path: value}
    return {}


@pytest.fixture
def programme():
    """A public event with a session, its speaker, a pass whose price changes, and a buyer
    with a paid ticket checked in at the door and a session on their agenda."""
    event = EventFactory(time_zone="America/Los_Angeles")
    session = SessionFactory(event=event, starts_at=local_time(event, 0, 9, 30))
    row = SessionSpeakerFactory(session=session)
    LineupEntryFactory(event=event, speaker=row.speaker, status="confirmed",
                       confirmed_at=timezone.now())  # fmt: skip
    pass_type = PassTypeFactory(event=event, phase=None)
    switch = timezone.now() + dt.timedelta(days=3, microseconds=123456)
    PricePhaseFactory(pass_type=pass_type, name="Early", price=9500, ends_at=switch, position=1)
    PricePhaseFactory(pass_type=pass_type, name="Late", starts_at=switch, position=2)
    ticket = paid_ticket(pass_type=pass_type)
    return event, session, row.speaker, pass_type, ticket


def answers_of_the_main_endpoints(programme, api_client, token_client_for) -> dict:
    event, session, speaker, pass_type, ticket = programme
    buyer = UserFactory()
    Order.objects.filter(pk=ticket.order_id).update(user=buyer)
    add_bookmark(user=buyer, session=session)
    door = token_client_for(door_staff_user())
    mine = token_client_for(buyer)
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    slug = event.slug
    order_body = {
        "event": slug,
        "lines": [{"pass_type": pass_type.pk, "quantity": 1}],
        "email": "buyer@example.com",
    }
    answers = {
        "events": api_client.get(reverse("event-list")),
        "event": api_client.get(reverse("event-detail", args=[slug])),
        "sessions": api_client.get(reverse("session-list", args=[slug])),
        "sessions delta": api_client.get(
            reverse("session-list", args=[slug]), {"updated_since": since}
        ),
        "session": api_client.get(reverse("session-detail", args=[slug, session.pk])),
        "lineup": api_client.get(reverse("lineup", args=[slug])),
        "speaker": api_client.get(reverse("speaker-detail", args=[speaker.pk])),
        "bundle": api_client.get(reverse("bundle", args=[slug])),
        "bundle delta": api_client.get(reverse("bundle", args=[slug]), {"updated_since": since}),
        "passes": api_client.get(reverse("pass-list", args=[slug])),
        "order placed": api_client.post(reverse("order-list"), order_body, format="json"),
        "orders": mine.get(reverse("order-list")),
        "order": mine.get(reverse("order-detail", args=[ticket.order.code])),
        "tickets": mine.get(reverse("ticket-list")),
        "my agenda": mine.get(reverse("my-agenda")),
        "my data": mine.get(reverse("my-data")),
        "check-in": door.post(reverse("checkin"), {"code": ticket.code}, format="json"),
        "second check-in": door.post(reverse("checkin"), {"code": ticket.code}, format="json"),
    }
    PassType.objects.filter(pk=pass_type.pk).update(
        sales_start=timezone.now() - dt.timedelta(days=2, microseconds=5),
        sales_end=timezone.now() - dt.timedelta(days=1, microseconds=5),
    )
    answers["sales closed error"] = api_client.post(
        reverse("order-list"), {**order_body, "email": "late@example.com"}, format="json"
    )
    return answers


def test_every_timestamp_the_main_endpoints_write_is_utc_with_z_to_the_second(
    programme, api_client, token_client_for
):
    answers = answers_of_the_main_endpoints(programme, api_client, token_client_for)

    assert {name: response.status_code for name, response in answers.items()} == {
        **dict.fromkeys(answers, 200),
        "order placed": 201,
        "sales closed error": 400,
    }
    found = {name: timestamps_in(response.json()) for name, response in answers.items()}
    assert [name for name, stamps in found.items() if not stamps] == []
    off_convention = {
        f"{name} {path}": text
        for name, stamps in found.items()
        for path, text in stamps.items()
        if not CONVENTION.fullmatch(text)
    }
    assert off_convention == {}
    # Hand-built parts of answers are walked too, not only serializer fields.
    assert {
        "sessions $.synced_at",
        "bundle $.synced_at",
        "passes $.results[0].current_phase.ends_at",
        "second check-in $.checked_in_at",
        "sales closed error $.sales_start",
    } <= {f"{name} {path}" for name, stamps in found.items() for path in stamps}


def test_timestamps_name_the_same_instant_the_database_holds(programme, api_client):
    event, session, *_ = programme

    body = api_client.get(reverse("session-detail", args=[event.slug, session.pk])).json()

    assert dt.datetime.fromisoformat(body["starts_at"]) == session.starts_at
