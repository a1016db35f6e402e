"""My tickets, their QR images, and the door's check-in endpoint."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory, door_staff_user
from tests.tickets.helpers import paid_ticket, read_qr_png
from tickets.models import Order

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def owned_ticket():
    buyer = UserFactory()
    ticket = paid_ticket()
    Order.objects.filter(pk=ticket.order_id).update(user=buyer)
    return buyer, ticket


def test_my_tickets_list_shows_the_qr_payload_and_nothing_of_others(owned_ticket):
    buyer, ticket = owned_ticket
    paid_ticket()  # someone else's

    body = client_for(buyer).get(reverse("ticket-list")).json()

    assert [(item["code"], item["qr_payload"]) for item in body["results"]] == [
        (ticket.code, f"GR1:{ticket.code}")
    ]


@pytest.mark.parametrize(("image_format", "content_type"), [("png", "image/png"),
                                                            ("svg", "image/svg+xml")])  # fmt: skip
def test_owner_gets_the_qr_image(owned_ticket, image_format, content_type):
    buyer, ticket = owned_ticket

    response = client_for(buyer).get(reverse("ticket-qr", args=[ticket.code, image_format]))

    assert (response.status_code, response["Content-Type"]) == (200, content_type)
    assert "private" in response["Cache-Control"]
    if image_format == "png":
        assert read_qr_png(response.content) == f"GR1:{ticket.code}"


def test_qr_image_with_the_order_link_key_works_without_signing_in(owned_ticket):
    _, ticket = owned_ticket
    url = reverse("ticket-qr", args=[ticket.code, "png"])

    assert client_for().get(url, {"key": ticket.order.secret}).status_code == 200


@pytest.mark.parametrize("who", ["stranger", "anonymous", "wrong-key"])
def test_someone_elses_ticket_image_is_not_found(owned_ticket, who):
    _, ticket = owned_ticket
    url = reverse("ticket-qr", args=[ticket.code, "png"])
    client = client_for(UserFactory()) if who == "stranger" else client_for()
    params = {"key": "not-the-key"} if who == "wrong-key" else {}

    response = client.get(url, params)

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_door_staff_check_a_ticket_in_once():
    ticket = paid_ticket(attendee_name="Ada Lovelace")
    door = client_for(door_staff_user())
    url = reverse("checkin")

    first = door.post(url, {"code": f"GR1:{ticket.code}"}, format="json").json()
    second = door.post(url, {"code": ticket.code}, format="json").json()

    assert (first["outcome"], first["attendee_name"]) == ("checked_in", "Ada Lovelace")
    assert (second["outcome"], second["checked_in_at"]) == (
        "already_checked_in",
        first["checked_in_at"],
    )


def test_unknown_code_at_the_door_is_not_found():
    door = client_for(door_staff_user())

    body = door.post(reverse("checkin"), {"code": "GR1:nothing-like-this-code"}, format="json")

    assert body.json()["outcome"] == "not_found"


@pytest.mark.parametrize(("who", "status"), [("attendee", 403), ("anonymous", 401)])
def test_check_in_is_for_staff_only(who, status):
    ticket = paid_ticket()
    client = client_for(UserFactory()) if who == "attendee" else client_for()

    response = client.post(reverse("checkin"), {"code": ticket.code}, format="json")

    assert response.status_code == status
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_check_in_refuses_admin_staff_without_the_door_permission():
    ticket = paid_ticket()
    staff_without_permission = client_for(UserFactory(is_staff=True))

    response = staff_without_permission.post(
        reverse("checkin"), {"code": ticket.code}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_organizers_may_check_tickets_in(organizer):
    ticket = paid_ticket()

    response = client_for(organizer).post(reverse("checkin"), {"code": ticket.code}, format="json")

    assert response.json()["outcome"] == "checked_in"


def test_my_tickets_carry_their_event_dates_and_zone(owned_ticket):
    buyer, ticket = owned_ticket
    event = ticket.order.event
    event.time_zone, event.start_date, event.end_date = (
        "Asia/Shanghai", dt.date(2030, 6, 10), dt.date(2030, 6, 11)
    )  # fmt: skip
    event.save()

    [item] = client_for(buyer).get(reverse("ticket-list")).json()["results"]

    assert {
        name: item[name]
        for name in ("event", "event_name", "event_starts_at", "event_ends_at", "event_time_zone")
    } == {
        "event": event.slug,
        "event_name": event.name,
        "event_starts_at": "2030-06-09T16:00:00Z",
        "event_ends_at": "2030-06-11T16:00:00Z",
        "event_time_zone": "Asia/Shanghai",
    }


def test_my_tickets_qr_url_serves_that_tickets_qr_image(owned_ticket):
    buyer, ticket = owned_ticket
    client = client_for(buyer)

    [item] = client.get(reverse("ticket-list")).json()["results"]
    image = client.get(item["qr_url"])

    assert item["qr_url"] == f"http://testserver/api/v1/tickets/{ticket.code}/qr.png"
    assert read_qr_png(image.content) == f"GR1:{ticket.code}"


def test_qr_url_of_an_order_read_with_its_link_key_works_without_signing_in(owned_ticket):
    _, ticket = owned_ticket
    order = ticket.order

    body = client_for().get(reverse("order-detail", args=[order.code]), {"key": order.secret})
    [item] = body.json()["tickets"]
    image = client_for().get(item["qr_url"])

    assert (image.status_code, image["Content-Type"]) == (200, "image/png")
    assert read_qr_png(image.content) == f"GR1:{ticket.code}"
