"""GET /api/v1/me/data/: everything held about the signed-in person, to them only, uncached."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from agenda.services import add_bookmark
from privacy.models import ConsentPurpose
from privacy.services import record_consent
from tests.factories import SessionFactory, UserFactory
from tests.privacy.helpers import BUYER_EMAIL, BUYER_NAME, paid_order
from tickets.models import Payment

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/data/"


@pytest.fixture
def buyer_client(buyer, token_client_for):
    return token_client_for(buyer)


def test_export_needs_a_signed_in_person(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_export_carries_the_account(buyer, buyer_client):
    account = buyer_client.get(URL).json()["account"]

    assert account == {
        "username": "grace",
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": BUYER_EMAIL,
        "date_joined": account["date_joined"],
        "last_login": None,
    }
    assert account["date_joined"].startswith(str(buyer.date_joined.date()))


def test_export_carries_orders_with_lines_amounts_and_payments(buyer, buyer_client):
    order = paid_order(user=buyer, price=9900)
    Payment.objects.create(
        order=order, flow=Payment.Flow.PAYMENT_SHEET, amount=9900, currency="usd",
        stripe_payment_intent_id="pi_123", client_secret="pi_123_secret_abc",
    )  # fmt: skip

    response = buyer_client.get(URL)

    exported = response.json()["orders"]
    assert [entry["code"] for entry in exported] == [order.code]
    assert exported[0]["email"] == BUYER_EMAIL
    assert exported[0]["total"] == {"amount": 9900, "currency": "usd"}
    assert exported[0]["lines"][0]["attendees"] == [{"name": BUYER_NAME, "email": BUYER_EMAIL}]
    assert exported[0]["payments"][0]["amount"] == {"amount": 9900, "currency": "usd"}
    assert "secret" not in response.content.decode()


def test_export_carries_tickets_bookmarks_consents_and_that_a_token_exists(buyer, buyer_client):
    order = paid_order(user=buyer)
    session = SessionFactory()
    add_bookmark(user=buyer, session=session)
    record_consent(user=buyer, purpose=ConsentPurpose.EVENT_NEWS, granted=True)
    record_consent(user=buyer, purpose=ConsentPurpose.EVENT_NEWS, granted=False)
    token = Token.objects.get(user=buyer)

    response = buyer_client.get(URL)

    data = response.json()
    ticket = order.tickets.get()
    assert [(t["code"], t["attendee_name"], t["status"]) for t in data["tickets"]] == [
        (ticket.code, BUYER_NAME, "valid")
    ]
    assert [b["session"] for b in data["bookmarks"]] == [session.pk]
    assert [c["granted"] for c in data["consents"]] == [True, False]
    assert list(data["api_tokens"][0]) == ["created"]
    assert token.key not in response.content.decode()


def test_export_leaves_out_guest_orders_placed_with_the_same_email(buyer, buyer_client):
    paid_order(email=BUYER_EMAIL)  # by somebody not signed in, with the address Grace uses

    data = buyer_client.get(URL).json()

    assert (data["orders"], data["tickets"]) == ([], [])


def test_export_is_a_file_no_cache_may_keep(buyer_client):
    response = buyer_client.get(URL)

    assert response["Content-Disposition"] == 'attachment; filename="greenroom-data-grace.json"'
    assert response["Cache-Control"] == "no-store"


def test_export_is_never_answered_from_the_micro_cache(settings, buyer_client, token_client_for):
    settings.GREENROOM_VERSION_CACHE_SECONDS = 60
    buyer_client.get(URL)
    other = token_client_for(UserFactory(username="mallory"))

    data = other.get(URL).json()

    assert data["account"]["username"] == "mallory"


def test_export_runs_a_fixed_number_of_queries(buyer, buyer_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert buyer_client.get(URL).status_code == 200
        return len(captured)

    paid_order(user=buyer)
    one = queries()
    for _ in range(4):
        paid_order(user=buyer)

    assert queries() == one
