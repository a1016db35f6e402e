"""DELETE /api/v1/me/: confirmation first, then the erasure; the token stops working."""

import pytest
from django.contrib.auth import get_user_model

from tests.privacy.helpers import paid_order
from tickets.models import TicketStatus

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/"
User = get_user_model()


@pytest.fixture
def buyer_client(buyer, token_client_for):
    return token_client_for(buyer)


def test_erasure_without_confirmation_says_what_would_happen(buyer, buyer_client):
    paid_order(user=buyer)

    response = buyer_client.delete(URL)

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["orders_to_anonymise"], body["tickets_to_void"]) == (
        "confirmation_required",
        1,
        1,
    )
    assert User.objects.filter(pk=buyer.pk).exists()


def test_erasure_holding_future_tickets_needs_consent_to_void_them(buyer, buyer_client):
    paid_order(user=buyer)

    response = buyer_client.delete(URL, {"confirm": True}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "confirmation_required"


def test_confirmed_erasure_answers_204_and_the_token_then_answers_401(buyer, buyer_client):
    order = paid_order(user=buyer)

    response = buyer_client.delete(URL, {"confirm": True, "void_future_tickets": True},
                                   format="json")  # fmt: skip

    assert response.status_code == 204
    assert order.tickets.get().status == TicketStatus.VOID
    assert buyer_client.get("/api/v1/me/data/").status_code == 401


def test_erasure_through_a_browser_session_ends_the_session(buyer, client):
    client.force_login(buyer)

    response = client.delete(URL, {"confirm": True}, content_type="application/json")

    assert response.status_code == 204
    assert response.cookies["sessionid"].value == ""


def test_erasure_of_a_staff_account_is_refused(buyer, buyer_client):
    User.objects.filter(pk=buyer.pk).update(is_staff=True)

    response = buyer_client.delete(URL, {"confirm": True}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "account_not_erasable"


def test_erasure_needs_a_signed_in_person(api_client):
    assert api_client.delete(URL, {"confirm": True}, format="json").status_code == 401
