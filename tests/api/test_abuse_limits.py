"""Abuse limits: throttles (429 + Retry-After), pending-order holds per buyer, body sizes,
page sizes."""

import datetime as dt
import json
from collections import Counter

import pytest
from django.core.handlers.base import BaseHandler
from django.test import AsyncRequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.mixins import ListModelMixin
from rest_framework.test import APIClient

from agenda.services import add_bookmark, release_schedule
from tests.factories import (
    EventFactory,
    PassTypeFactory,
    PromoCodeFactory,
    SessionFactory,
    SessionSpeakerFactory,
    UserFactory,
    door_staff_user,
    local_time,
)
from tests.tickets.helpers import paid_ticket
from tests.tickets.test_ordering_races import run_buyers
from tickets.models import Order, OrderStatus
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db

FIRST_KEY = "96fff7c9-45c0-4aa3-98a5-95610180b269"  # Idempotency-Keys are random UUIDs
SECOND_KEY = "c946e1d6-58a9-4ffc-87c9-43c12675495f"  # Idempotency-Keys are random UUIDs

ORDERS = "/api/v1/orders/"


def order_body(pass_type, *, email="buyer@example.com", **fields) -> dict:
    return {
        "event": pass_type.event.slug,
        "lines": [{"pass_type": pass_type.pk, "quantity": 1}],
        "email": email,
        **fields,
    }


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_throttled(response, *, window: int) -> None:
    assert (response.status_code, response.json()["code"]) == (429, "throttled")
    assert 0 < int(response["Retry-After"]) <= window


# --- throttles ---------------------------------------------------------------------------------


def place_orders(pass_type):
    client = APIClient()
    return [
        client.post(ORDERS, order_body(pass_type, email=f"b{n}@example.com"), format="json")
        for n in range(3)
    ]


def guess_codes_on_pass_list(pass_type):
    url = f"/api/v1/events/{pass_type.event.slug}/passes/"
    return [APIClient().get(url, {"promo_code": f"GUESS{n}"}) for n in range(3)]


def guess_codes_on_orders(pass_type):
    client = APIClient()
    return [
        client.post(ORDERS, order_body(pass_type, promo_code=f"GUESS{n}"), format="json")
        for n in range(3)
    ]


def guess_passwords(pass_type):
    UserFactory(username="maya")
    client = APIClient()
    guesses = [{"username": "maya", "password": f"guess-{n}"} for n in range(3)]
    return [client.post("/api/v1/auth/token/", guess) for guess in guesses]


def scan_tickets(pass_type):
    client = signed_in(door_staff_user())
    return [client.post("/api/v1/checkins/", {"code": f"NOPE{n}"}) for n in range(3)]


@pytest.mark.parametrize(
    ("scope", "window", "rate", "make_requests"),
    [
        ("orders", 60, "2/min", place_orders),
        ("promo", 3600, "2/hour", guess_codes_on_pass_list),
        ("promo", 3600, "2/hour", guess_codes_on_orders),
        ("auth", 60, "2/min", guess_passwords),
        ("checkin", 60, "2/min", scan_tickets),
    ],
    ids=["order-placement", "promo-on-passes", "promo-on-orders", "token-auth", "check-in"],
)
def test_third_request_over_a_rate_of_two_is_429_with_retry_after(
    settings, scope, window, rate, make_requests
):
    settings.GREENROOM_THROTTLE_RATES = {**settings.GREENROOM_THROTTLE_RATES, scope: rate}
    pass_type = PassTypeFactory()

    responses = make_requests(pass_type)

    assert [response.status_code != 429 for response in responses] == [True, True, False]
    assert_throttled(responses[-1], window=window)


@pytest.fixture
def strict_promo(settings):
    settings.GREENROOM_THROTTLE_RATES = {**settings.GREENROOM_THROTTLE_RATES, "promo": "2/hour"}


def test_right_promo_codes_do_not_use_up_promo_attempts(strict_promo):
    pass_type = PassTypeFactory()
    PromoCodeFactory(event=pass_type.event, code="RIGHT")
    url = f"/api/v1/events/{pass_type.event.slug}/passes/"
    client = APIClient()

    rights = [client.get(url, {"promo_code": "right"}) for _ in range(5)]
    wrongs = [client.get(url, {"promo_code": f"WRONG{n}"}) for n in range(3)]

    assert [response.status_code for response in rights] == [200] * 5
    assert [response.status_code for response in wrongs] == [400, 400, 429]


def test_orders_with_a_right_promo_code_do_not_use_up_promo_attempts(strict_promo):
    pass_type = PassTypeFactory()
    PromoCodeFactory(event=pass_type.event, code="RIGHT")
    client = APIClient()
    body = order_body(pass_type, promo_code="RIGHT")

    responses = [client.post(ORDERS, body | {"email": f"b{n}@x.example"}) for n in range(3)]

    assert [response.status_code for response in responses] == [201, 201, 201]


def test_right_promo_code_waits_too_once_attempts_are_used_up(strict_promo):
    pass_type = PassTypeFactory()
    PromoCodeFactory(event=pass_type.event, code="RIGHT")
    url = f"/api/v1/events/{pass_type.event.slug}/passes/"
    client = APIClient()
    for n in range(2):
        client.get(url, {"promo_code": f"WRONG{n}"})

    response = client.get(url, {"promo_code": "RIGHT"})

    assert_throttled(response, window=3600)


def test_requests_without_a_promo_code_are_not_promo_attempts(strict_promo):
    pass_type = PassTypeFactory()
    url = f"/api/v1/events/{pass_type.event.slug}/passes/"
    client = APIClient()
    for n in range(2):
        client.get(url, {"promo_code": f"WRONG{n}"})

    listed = client.get(url)
    ordered = client.post(ORDERS, order_body(pass_type), format="json")

    assert (listed.status_code, ordered.status_code) == (200, 201)


def test_promo_attempts_of_a_signed_in_buyer_are_counted_per_account(strict_promo):
    pass_type = PassTypeFactory()
    url = f"/api/v1/events/{pass_type.event.slug}/passes/"
    guesser = signed_in(UserFactory())
    for n in range(2):
        guesser.get(url, {"promo_code": f"WRONG{n}"})

    other_account = signed_in(UserFactory()).get(url, {"promo_code": "WRONG9"})
    same_account = guesser.get(url, {"promo_code": "WRONG9"})

    assert (other_account.status_code, same_account.status_code) == (400, 429)


# --- pending orders per buyer ------------------------------------------------------------------


@pytest.fixture
def two_pending(settings):
    settings.GREENROOM_MAX_PENDING_ORDERS = 2


def test_buyer_past_the_pending_limit_gets_429_until_the_first_hold_ends(two_pending):
    pass_type = PassTypeFactory()
    client = APIClient()
    first = client.post(ORDERS, order_body(pass_type), format="json").json()
    client.post(ORDERS, order_body(pass_type), format="json")
    Order.objects.filter(code=first["code"]).update(
        hold_expires_at=timezone.now() + dt.timedelta(seconds=100)
    )

    response = client.post(ORDERS, order_body(pass_type), format="json")

    assert (response.status_code, response.json()["code"]) == (429, "too_many_pending_orders")
    assert 95 <= int(response["Retry-After"]) <= 100
    assert Order.objects.count() == 2


def test_pending_limit_matches_the_email_in_any_case(two_pending):
    pass_type = PassTypeFactory()
    for email in ("Buyer@Example.com", "BUYER@example.COM"):
        place_order(event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email=email)

    response = APIClient().post(ORDERS, order_body(pass_type), format="json")

    assert response.json()["code"] == "too_many_pending_orders"


def test_pending_limit_counts_the_account_whatever_email_it_gives(two_pending):
    pass_type = PassTypeFactory()
    client = signed_in(UserFactory())
    for n in range(2):
        client.post(ORDERS, order_body(pass_type, email=f"alias{n}@example.com"), format="json")

    response = client.post(ORDERS, order_body(pass_type, email="alias9@example.com"))

    assert response.json()["code"] == "too_many_pending_orders"


@pytest.mark.parametrize(
    "ended",
    [
        {"status": OrderStatus.PAID, "paid_at": timezone.now()},
        {"status": OrderStatus.CANCELLED, "cancelled_at": timezone.now()},
        {"hold_expires_at": timezone.now() - dt.timedelta(seconds=1)},
    ],
    ids=["paid", "cancelled", "hold-ended"],
)
def test_orders_no_longer_held_do_not_count_against_the_limit(two_pending, ended):
    pass_type = PassTypeFactory()
    client = APIClient()
    for _ in range(2):
        client.post(ORDERS, order_body(pass_type), format="json")
    Order.objects.filter(pk=Order.objects.first().pk).update(**ended)

    response = client.post(ORDERS, order_body(pass_type), format="json")

    assert response.status_code == 201


def test_pending_limit_is_per_event(two_pending):
    client = APIClient()
    elsewhere = PassTypeFactory()
    for _ in range(2):
        client.post(ORDERS, order_body(elsewhere), format="json")

    response = client.post(ORDERS, order_body(PassTypeFactory()), format="json")

    assert response.status_code == 201


def test_idempotent_retry_at_the_limit_gets_its_order_not_a_refusal(settings):
    settings.GREENROOM_MAX_PENDING_ORDERS = 1
    pass_type = PassTypeFactory()
    client = APIClient()
    first = client.post(
        ORDERS,
        order_body(pass_type),
        HTTP_IDEMPOTENCY_KEY=FIRST_KEY,
        format="json",
    )

    retry = client.post(
        ORDERS,
        order_body(pass_type),
        HTTP_IDEMPOTENCY_KEY=FIRST_KEY,
        format="json",
    )
    another = client.post(
        ORDERS,
        order_body(pass_type),
        HTTP_IDEMPOTENCY_KEY=SECOND_KEY,
        format="json",
    )

    assert (retry.status_code, retry.json()["code"]) == (201, first.json()["code"])
    assert another.json()["code"] == "too_many_pending_orders"


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_orders_of_one_email_never_pass_the_pending_limit(two_pending):
    pass_type = PassTypeFactory(capacity=100)

    outcomes = run_buyers(
        10,
        lambda index: place_order(
            event=pass_type.event,
            lines=[LineRequest(pass_type.pk, 1)],
            email="Hoarder@example.com" if index % 2 else "hoarder@EXAMPLE.com",
        ),
    )

    assert outcomes == Counter({"ordered": 2, "too_many_pending_orders": 8})
    assert Order.objects.count() == 2


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_orders_of_one_account_under_many_emails_never_pass_the_limit(two_pending):
    pass_type = PassTypeFactory(capacity=100)
    hoarder = UserFactory()

    outcomes = run_buyers(
        10,
        lambda index: place_order(
            event=pass_type.event,
            lines=[LineRequest(pass_type.pk, 1)],
            email=f"alias{index}@example.com",
            user=hoarder,
        ),
    )

    assert outcomes == Counter({"ordered": 2, "too_many_pending_orders": 8})


# --- request bodies ----------------------------------------------------------------------------


def oversized_order(settings, pass_type) -> bytes:
    body = order_body(pass_type, padding="x" * settings.GREENROOM_MAX_BODY_BYTES["/api/"])
    return json.dumps(body).encode()


def assert_too_large(response) -> None:
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["code"] == "request_too_large"


def test_api_body_declared_over_the_limit_is_413_json(settings):
    pass_type = PassTypeFactory()

    response = APIClient().post(
        ORDERS, oversized_order(settings, pass_type), content_type="application/json"
    )

    assert_too_large(response)
    assert Order.objects.count() == 0


def without_content_length(path: str, body: bytes):
    """The request an ASGI server passes on for a chunked upload: a body, no Content-Length,
    through every middleware and the view."""
    request = AsyncRequestFactory().post(path, body, content_type="application/json")
    del request.META["CONTENT_LENGTH"]
    handler = BaseHandler()
    handler.load_middleware()
    return handler.get_response(request)


def test_body_read_without_content_length_is_cut_off_past_the_limit(settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    settings.GREENROOM_MAX_BODY_BYTES = {"/api/": 1024}

    response = without_content_length("/api/v1/webhooks/stripe/", b"x" * 5000)

    assert_too_large(response)


def test_api_json_without_content_length_is_never_parsed(settings):
    """DRF reads no body that does not say its length, large or small."""
    pass_type = PassTypeFactory()

    response = without_content_length(ORDERS, oversized_order(settings, pass_type))

    assert (response.status_code, json.loads(response.content)["code"]) == (400, "invalid")
    assert Order.objects.count() == 0


def test_stripe_webhook_takes_bodies_over_the_api_limit(settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    event = {"id": "evt_big", "type": "ping", "padding": "x" * (80 * 1024)}

    response = APIClient().post(
        "/api/v1/webhooks/stripe/", json.dumps(event), content_type="application/json"
    )

    assert response.status_code == 400  # read, and refused for its missing signature
    assert response.json()["code"] != "request_too_large"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": 1, "attendees": [{"name": "A"}] * 101}, "attendees"),
        ({"quantity": 101}, "quantity"),
    ],
)
def test_long_lists_inside_a_small_order_body_are_400(line, field):
    pass_type = PassTypeFactory()
    body = order_body(pass_type)
    body["lines"][0] |= line

    response = APIClient().post(ORDERS, body, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert list(response.json()["errors"]["lines"]["0"]) == [field]


def test_more_than_twenty_order_lines_are_400():
    pass_type = PassTypeFactory()
    body = order_body(pass_type)
    body["lines"] = [{"pass_type": n, "quantity": 1} for n in range(1, 22)]

    response = APIClient().post(ORDERS, body, format="json")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["lines"])


# --- page sizes ----------------------------------------------------------------------------------


@pytest.fixture
def three_of_everything(db):
    """Three items in every paginated list, for an attendee who may see all of them."""
    attendee = UserFactory()
    event = EventFactory(slug="big")
    EventFactory.create_batch(2)
    for hour in (9, 10, 11):
        session = SessionFactory(event=event, starts_at=local_time(event, 0, hour))
        SessionSpeakerFactory(session=session)
        add_bookmark(user=attendee, session=session)
        release_schedule(event=event, version=f"1.{hour}")
    pass_type = PassTypeFactory(event=event)
    for _ in range(3):
        paid_ticket(pass_type=pass_type, buyer=attendee)
    return attendee


PAGINATED_LISTS = {
    "event-list": "/api/v1/events/",
    "session-list": "/api/v1/events/big/sessions/",
    "lineup": "/api/v1/events/big/speakers/",
    "release-list": "/api/v1/events/big/releases/",
    "my-agenda": "/api/v1/me/agenda/",
    "order-list": "/api/v1/orders/",
    "ticket-list": "/api/v1/tickets/",
}


def paginated_endpoint_names(patterns=None) -> set[str]:
    """Names of every API route whose view is a paginated list."""
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            names |= paginated_endpoint_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None)
            if view and issubclass(view, ListModelMixin) and view.pagination_class is not None:
                names.add(pattern.name)
    return names


def test_every_paginated_list_is_in_the_page_size_table():
    assert paginated_endpoint_names() == set(PAGINATED_LISTS)


@pytest.mark.parametrize("name", sorted(PAGINATED_LISTS))
def test_page_size_over_the_cap_gets_the_cap(settings, three_of_everything, name):
    settings.GREENROOM_MAX_PAGE_SIZE = 2

    response = signed_in(three_of_everything).get(PAGINATED_LISTS[name], {"page_size": 100000})

    body = response.json()
    assert (response.status_code, body["count"], len(body["results"])) == (200, 3, 2)
    assert body["next"] is not None


@pytest.mark.parametrize("name", sorted(PAGINATED_LISTS))
@pytest.mark.parametrize("page", ["99999999999999999999999", "0", "-1", "1e9", "two"])
def test_page_out_of_range_is_json_404(three_of_everything, name, page):
    response = signed_in(three_of_everything).get(PAGINATED_LISTS[name], {"page": page})

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
