"""Who may call what: every API endpoint × five roles, with the status each must get.

Attendee A owns a paid order with a ticket, a pending (free) order and a bookmark; attendee
B owns a paid order with a ticket and a bookmark of their own. Decisions the table fixes:

- Another person's order, ticket, QR image or bookmark is 404 to everyone else, door staff
  and organizers included: organizers look at other people's orders in the admin, not
  through the API, and door staff only scan.
- Endpoints that find an order or ticket by its code also take the order's link key (for
  buyers who are not signed in), so without it an anonymous caller gets 404 like any other
  stranger, not 401; with it, anyone gets the order.
- Check-in is the only staff operation in the API: anonymous 401, attendees 403, door staff
  and organizers 200.
- Staff accounts cannot erase themselves through the API (409 `account_not_erasable`).

Every answer is also searched for the other attendee's secrets (order codes and link keys,
ticket codes, e-mail address): no cell may show A's to anyone but A, or B's to anyone but B.
The second part shows that clients cannot write money or state fields.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from agenda.models import Bookmark
from agenda.services import add_bookmark
from events.services import ensure_organizers_group
from privacy.models import Consent
from tests.factories import (
    EventFactory,
    PassTypeFactory,
    SessionFactory,
    SessionSpeakerFactory,
    UserFactory,
    door_staff_user,
    local_time,
)
from tests.tickets.helpers import paid_ticket
from tickets.models import Order, OrderStatus, Ticket
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "attendee_a", "attendee_b", "door_staff", "organizer")
PASSWORD = "correct-horse-battery"  # the factories' password


@dataclass(frozen=True)
class World:
    """The data every cell runs against: made once for the module, and each test's changes
    roll back with it, so cells cannot leak state into each other. Tests read these objects
    and never hand them to the code under test (views get fresh rows)."""

    users: dict
    event_slug: str
    session_id: int
    other_session_id: int
    speaker_id: int
    pass_type_id: int
    a_order: Order
    a_ticket: Ticket
    a_pending: Order
    b_order: Order
    b_ticket: Ticket

    def secrets_of(self, role: str) -> list[str]:
        order, ticket = (
            (self.a_order, self.a_ticket) if role == "attendee_a" else (self.b_order, self.b_ticket)
        )
        codes = [order.code, order.secret, ticket.code, self.users[role].email]
        if role == "attendee_a":
            codes += [self.a_pending.code, self.a_pending.secret]
        return codes


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One World for the module, inside a transaction that is rolled back at its end; each
    test runs in a savepoint within it (as Django's TestCase.setUpTestData does)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def build_world() -> World:
    event = EventFactory(slug="summit", start_date=timezone.localdate() + dt.timedelta(days=30))
    session = SessionFactory(event=event, starts_at=local_time(event, 0, 10))
    other_session = SessionFactory(event=event, starts_at=local_time(event, 0, 11))
    speaker = SessionSpeakerFactory(session=session).speaker
    pass_type = PassTypeFactory(event=event, phase__price=12500)
    free_pass = PassTypeFactory(event=event, phase__price=0)
    organizer = UserFactory(username="organizer", is_staff=True)
    organizer.groups.add(ensure_organizers_group())
    users = {
        "anonymous": None,
        "attendee_a": UserFactory(username="attendee-a", email="attendee-a@example.com"),
        "attendee_b": UserFactory(username="attendee-b", email="attendee-b@example.com"),
        "door_staff": door_staff_user(username="door"),
        "organizer": organizer,
    }
    a, b = users["attendee_a"], users["attendee_b"]
    a_ticket = paid_ticket(pass_type=pass_type, buyer=a, buyer_email=a.email)
    b_ticket = paid_ticket(pass_type=pass_type, buyer=b, buyer_email=b.email)
    a_pending, _ = place_order(
        event=event, lines=[LineRequest(free_pass.pk, 1)], email=a.email, user=a
    )
    add_bookmark(user=a, session=session)
    add_bookmark(user=b, session=other_session)
    return World(
        users=users,
        event_slug=event.slug,
        session_id=session.pk,
        other_session_id=other_session.pk,
        speaker_id=speaker.pk,
        pass_type_id=pass_type.pk,
        a_order=a_ticket.order,
        a_ticket=a_ticket,
        a_pending=a_pending,
        b_order=b_ticket.order,
        b_ticket=b_ticket,
    )


@dataclass(frozen=True)
class Row:
    """One endpoint (URL name and method) called one way, and the status for each role."""

    method: str
    route: str
    url: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World], dict] | None = None
    variant: str = ""
    shows_a: bool = False  # the row hands A's link key to every caller

    @property
    def id(self) -> str:
        return f"{self.method}:{self.route}" + (f":{self.variant}" if self.variant else "")


def statuses(anonymous, attendee_a, attendee_b, door_staff, organizer) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, attendee_a, attendee_b, door_staff, organizer), strict=True))


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in_only(status: int) -> dict[str, int]:
    """Personal endpoints: every signed-in person gets their own; anonymous 401."""
    return {**everyone(status), "anonymous": 401}


def a_only(status: int, *, anonymous: int = 404) -> dict[str, int]:
    """A's resource: A gets `status`, everyone else 404 (anonymous 401 where sign-in is a must)."""
    return {**everyone(404), "attendee_a": status, "anonymous": anonymous}


def b_only(status: int, *, anonymous: int = 404) -> dict[str, int]:
    return {**everyone(404), "attendee_b": status, "anonymous": anonymous}


def staff_only(status: int) -> dict[str, int]:
    return statuses(401, 403, 403, status, status)


def order_url(order: Order, action: str = "", key: str = "") -> str:
    url = f"/api/v1/orders/{order.code}/" + (f"{action}/" if action else "")
    return url + (f"?key={key}" if key else "")


def qr_url(ticket: Ticket, image_format: str, key: str = "") -> str:
    return f"/api/v1/tickets/{ticket.code}/qr.{image_format}" + (f"?key={key}" if key else "")


EVENT = "/api/v1/events/{w.event_slug}/"

MATRIX = [
    # public reads
    Row("GET", "event-list", lambda w: "/api/v1/events/", everyone(200)),
    Row("GET", "event-detail", lambda w: EVENT.format(w=w), everyone(200)),
    Row("GET", "session-list", lambda w: EVENT.format(w=w) + "sessions/", everyone(200)),
    Row(
        "GET", "session-detail",
        lambda w: EVENT.format(w=w) + f"sessions/{w.session_id}/", everyone(200),
    ),
    Row("GET", "lineup", lambda w: EVENT.format(w=w) + "speakers/", everyone(200)),
    Row("GET", "agenda-ics", lambda w: EVENT.format(w=w) + "agenda.ics", everyone(200)),
    Row("GET", "schedule-xml", lambda w: EVENT.format(w=w) + "schedule.xml", everyone(200)),
    Row("GET", "schedule-json", lambda w: EVENT.format(w=w) + "schedule.json", everyone(200)),
    Row("GET", "bundle", lambda w: EVENT.format(w=w) + "bundle/", everyone(200)),
    Row("GET", "release-list", lambda w: EVENT.format(w=w) + "releases/", everyone(200)),
    Row("GET", "speaker-detail", lambda w: f"/api/v1/speakers/{w.speaker_id}/", everyone(200)),
    Row("GET", "pass-list", lambda w: EVENT.format(w=w) + "passes/", everyone(200)),
    Row("GET", "schema", lambda w: "/api/v1/schema/", everyone(200)),
    Row("GET", "api-docs", lambda w: "/api/v1/docs/", everyone(200)),
    Row("GET", "api-redoc", lambda w: "/api/v1/redoc/", everyone(200)),
    # signing in
    Row(
        "POST", "auth-token", lambda w: "/api/v1/auth/token/", everyone(200),
        body=lambda w: {"username": "attendee-a", "password": PASSWORD},
    ),
    Row("DELETE", "auth-token", lambda w: "/api/v1/auth/token/", signed_in_only(204)),
    # the personal agenda
    Row("GET", "my-agenda", lambda w: "/api/v1/me/agenda/", signed_in_only(200)),
    Row("GET", "my-agenda-ics", lambda w: "/api/v1/me/agenda.ics", signed_in_only(200)),
    Row(
        "GET", "my-agenda-item", lambda w: f"/api/v1/me/agenda/{w.session_id}/",
        a_only(200, anonymous=401), variant="A's",
    ),
    Row(
        "GET", "my-agenda-item", lambda w: f"/api/v1/me/agenda/{w.other_session_id}/",
        b_only(200, anonymous=401), variant="B's",
    ),
    Row(
        "PUT", "my-agenda-item", lambda w: f"/api/v1/me/agenda/{w.session_id}/",
        {**everyone(201), "anonymous": 401, "attendee_a": 200}, variant="A's",
    ),
    Row(
        "DELETE", "my-agenda-item", lambda w: f"/api/v1/me/agenda/{w.session_id}/",
        a_only(204, anonymous=401), variant="A's",
    ),
    # buying
    Row("GET", "order-list", lambda w: "/api/v1/orders/", signed_in_only(200)),
    Row(
        "POST", "order-list", lambda w: "/api/v1/orders/", everyone(201),
        body=lambda w: {
            "event": w.event_slug,
            "lines": [{"pass_type": w.pass_type_id, "quantity": 1}],
            "email": "new-buyer@example.com",
        },
    ),
    Row("GET", "order-detail", lambda w: order_url(w.a_order), a_only(200), variant="A's"),
    Row("GET", "order-detail", lambda w: order_url(w.b_order), b_only(200), variant="B's"),
    Row(
        "GET", "order-detail", lambda w: order_url(w.a_order, key=w.a_order.secret),
        everyone(200), variant="A's-with-key", shows_a=True,
    ),
    Row(
        "POST", "order-pay", lambda w: order_url(w.a_pending, "pay"), a_only(200),
        body=lambda w: {"flow": "payment_sheet"}, variant="A's",
    ),
    Row(
        "POST", "order-cancel", lambda w: order_url(w.a_pending, "cancel"), a_only(200),
        variant="A's",
    ),
    # tickets and the door
    Row("GET", "ticket-list", lambda w: "/api/v1/tickets/", signed_in_only(200)),
    Row("GET", "ticket-qr", lambda w: qr_url(w.a_ticket, "png"), a_only(200), variant="A's-png"),
    Row("GET", "ticket-qr", lambda w: qr_url(w.a_ticket, "svg"), a_only(200), variant="A's-svg"),
    Row("GET", "ticket-qr", lambda w: qr_url(w.b_ticket, "png"), b_only(200), variant="B's-png"),
    Row(
        "GET", "ticket-qr", lambda w: qr_url(w.a_ticket, "png", key=w.a_order.secret),
        everyone(200), variant="A's-with-key", shows_a=True,
    ),
    Row(
        "POST", "checkin", lambda w: "/api/v1/checkins/", staff_only(200),
        body=lambda w: {"code": w.a_ticket.code},
    ),
    Row(
        "POST", "stripe-webhook", lambda w: "/api/v1/webhooks/stripe/", everyone(400),
        body=lambda w: {"id": "evt_unsigned", "type": "payment_intent.succeeded"},
    ),
    # data rights
    Row("GET", "my-data", lambda w: "/api/v1/me/data/", signed_in_only(200)),
    Row("GET", "my-consents", lambda w: "/api/v1/me/consents/", signed_in_only(200)),
    Row(
        "PUT", "my-consent", lambda w: "/api/v1/me/consents/event_news/", signed_in_only(200),
        body=lambda w: {"granted": True},
    ),
    Row(
        "DELETE", "me", lambda w: "/api/v1/me/", {**signed_in_only(204), "organizer": 409},
        body=lambda w: {"confirm": True, "void_future_tickets": True},
    ),
]  # fmt: skip

CELLS = [pytest.param(row, role, id=f"{row.id}-{role}") for row in MATRIX for role in ROLES]


def client_for(world: World, role: str) -> APIClient:
    client = APIClient()
    if world.users[role] is not None:
        client.force_authenticate(get_user_model().objects.get(pk=world.users[role].pk))
    return client


@pytest.mark.parametrize(("row", "role"), CELLS)
def test_permission_matrix(settings, world, row, role):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    client = client_for(world, role)
    body = row.body(world) if row.body else None

    call = getattr(client, row.method.lower())
    response = call(row.url(world), body, format="json") if body else call(row.url(world))

    assert response.status_code == row.expected[role], response.content[:300]
    others = [attendee for attendee in ("attendee_a", "attendee_b") if attendee != role]
    if row.shows_a:
        others = [attendee for attendee in others if attendee != "attendee_a"]
    content = response.content.decode(errors="replace")
    assert [s for other in others for s in world.secrets_of(other) if s in content] == []


def api_endpoints(patterns, prefix: str = "") -> set[tuple[str, str]]:
    """(method, URL name) of every endpoint under /api/."""
    endpoints = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            endpoints |= api_endpoints(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.lstrip("^").startswith("api/"):
            view = pattern.callback.cls
            methods = set(view.http_method_names) - {"options", "head"}
            endpoints |= {
                (method.upper(), pattern.name) for method in methods if hasattr(view, method)
            }
    return endpoints


def test_every_api_endpoint_has_a_row_in_the_matrix():
    in_table = {(row.method, row.route) for row in MATRIX}

    assert api_endpoints(get_resolver().url_patterns) == in_table


def test_matrix_row_ids_are_unique():
    ids = [row.id for row in MATRIX]

    assert len(ids) == len(set(ids))


PERSONAL_LISTS = {
    "orders": (
        "/api/v1/orders/", "code",
        lambda w: {"attendee_a": {w.a_order.code, w.a_pending.code},
                   "attendee_b": {w.b_order.code}},
    ),
    "tickets": (
        "/api/v1/tickets/", "code",
        lambda w: {"attendee_a": {w.a_ticket.code}, "attendee_b": {w.b_ticket.code}},
    ),
    "agenda": (
        "/api/v1/me/agenda/", "id",
        lambda w: {"attendee_a": {w.session_id}, "attendee_b": {w.other_session_id}},
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(PERSONAL_LISTS))
@pytest.mark.parametrize("role", ROLES[1:])
def test_personal_lists_show_each_person_only_their_own(world, name, role):
    url, key, owned = PERSONAL_LISTS[name]

    items = client_for(world, role).get(url).json()["results"]

    assert {item[key] for item in items} == owned(world).get(role, set())


# --- money and state fields are the server's -----------------------------------------------------

FORGED_ORDER_FIELDS = {
    "status": "paid",
    "subtotal": {"amount": 1, "currency": "usd"},
    "discount": {"amount": 12499, "currency": "usd"},
    "total": {"amount": 1, "currency": "usd"},
    "paid_at": "2030-01-01T00:00:00Z",
    "hold_expires_at": "2099-01-01T00:00:00Z",
    "code": "FORGEDCODE12",
    "key": "forged-key",
    "user": 1,
}


def test_placing_an_order_ignores_money_and_state_fields(settings, world):
    forged = {
        "event": world.event_slug,
        "lines": [
            {
                "pass_type": world.pass_type_id,
                "quantity": 1,
                "unit_price": {"amount": 1, "currency": "usd"},
                "price": 1,
                "unit_discount": {"amount": 12500, "currency": "usd"},
                "total": {"amount": 1, "currency": "usd"},
            }
        ],
        "email": "forger@example.com",
        **FORGED_ORDER_FIELDS,
    }
    placed_at = timezone.now()

    response = APIClient().post("/api/v1/orders/", forged, format="json")

    body = response.json()
    assert (response.status_code, body["status"], body["paid_at"]) == (201, "pending", None)
    assert (body["subtotal"]["amount"], body["total"]["amount"]) == (12500, 12500)
    assert body["lines"][0]["unit_price"]["amount"] == 12500
    assert (body["code"], body["key"]) != ("FORGEDCODE12", "forged-key")
    stored = Order.objects.get(code=body["code"])
    assert (stored.status, stored.subtotal, stored.total, stored.paid_at) == (
        OrderStatus.PENDING, 12500, 12500, None
    )  # fmt: skip
    assert stored.hold_expires_at <= placed_at + dt.timedelta(
        minutes=settings.GREENROOM_HOLD_MINUTES, seconds=5
    )
    assert (stored.user, stored.secret != "forged-key") == (None, True)
    assert stored.lines.get().unit_price == 12500


def test_paying_ignores_status_and_amount_fields(world):
    pending, _ = place_order(
        event=world.a_order.event,
        lines=[LineRequest(world.pass_type_id, 1)],
        email="attendee-a@example.com",
        user=world.users["attendee_a"],
    )
    forged = {"flow": "payment_sheet", "status": "paid", "amount": 1, **FORGED_ORDER_FIELDS}

    response = client_for(world, "attendee_a").post(
        order_url(pending, "pay"), forged, format="json"
    )

    # No Stripe keys here: the payment cannot start, and the forged fields changed nothing.
    assert response.json()["code"] == "payment_provider_unavailable"
    pending.refresh_from_db()
    assert (pending.status, pending.total, pending.paid_at) == (OrderStatus.PENDING, 12500, None)


def test_cancelling_ignores_status_and_amount_fields(world):
    response = client_for(world, "attendee_a").post(
        order_url(world.a_pending, "cancel"), FORGED_ORDER_FIELDS, format="json"
    )

    stored = Order.objects.get(pk=world.a_pending.pk)
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert (stored.status, stored.total, stored.paid_at) == (OrderStatus.CANCELLED, 0, None)


def test_bookmarking_ignores_whose_and_which_session_fields(world):
    b = world.users["attendee_b"]
    forged = {"user": b.pk, "session": world.session_id, "created_at": "2000-01-01T00:00:00Z"}

    response = client_for(world, "attendee_a").put(
        f"/api/v1/me/agenda/{world.other_session_id}/", forged, format="json"
    )

    assert response.status_code == 201
    bookmark = Bookmark.objects.get(user=world.users["attendee_a"], session=world.other_session_id)
    assert bookmark.created_at > timezone.now() - dt.timedelta(minutes=1)
    assert list(b.bookmarks.values_list("session", flat=True)) == [world.other_session_id]


def test_recording_a_consent_ignores_whose_and_when_fields(world):
    a, b = world.users["attendee_a"], world.users["attendee_b"]
    forged = {"granted": True, "user": b.pk, "recorded_at": "2000-01-01T00:00:00Z"}

    response = client_for(world, "attendee_a").put(
        "/api/v1/me/consents/event_news/", forged, format="json"
    )

    assert response.status_code == 200
    consent = Consent.objects.get()
    assert (consent.user, consent.purpose, consent.granted) == (a, "event_news", True)
    assert consent.recorded_at > timezone.now() - dt.timedelta(minutes=1)
