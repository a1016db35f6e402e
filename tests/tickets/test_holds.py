"""Caps on unpaid holds, the human check and idempotency keys: nobody holds a sale hostage."""

import datetime as dt
import http.server
import json
import threading
import urllib.parse
import uuid
from collections import Counter

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Sum
from rest_framework.test import APIClient

from core.personal_data import erase_email
from tests.factories import InventoryPoolFactory, PassTypeFactory, UserFactory
from tests.tickets.conftest import closed_port
from tests.tickets.test_ordering_races import run_buyers
from tickets import human_check
from tickets.models import Order, OrderLine, OrderStatus
from tickets.selectors import pass_offers
from tickets.services.holds import network_digest
from tickets.services.ordering import LineRequest, idempotency_key_is_strong, place_order

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
ATTACKER = "203.0.113.7"


@pytest.fixture
def shipped_caps(settings):
    """The caps as shipped (config/settings/base.py); the test settings turn them off."""
    settings.GREENROOM_MAX_PENDING_ORDERS = 3
    settings.GREENROOM_MAX_HELD_PASSES_PER_GUEST = 10
    settings.GREENROOM_MAX_HELD_PASSES_PER_ACCOUNT = 30
    settings.GREENROOM_MAX_HELD_PASSES_PER_NETWORK = 20
    return settings


def order_body(pass_type, *, quantity=1, email="buyer@example.com", **fields) -> dict:
    return {
        "event": pass_type.event.slug,
        "lines": [{"pass_type": pass_type.pk, "quantity": quantity}],
        "email": email,
        **fields,
    }


def guest_post(pass_type, *, address=ATTACKER, **body):
    return APIClient(REMOTE_ADDR=address).post(ORDERS, order_body(pass_type, **body), format="json")


def passes_held(pass_type) -> int:
    lines = OrderLine.objects.filter(pass_type=pass_type, order__status=OrderStatus.PENDING)
    return lines.aggregate(total=Sum("quantity"))["total"] or 0


# --- seat hoarding ------------------------------------------------------------------------------


def test_one_address_with_fifty_random_emails_holds_no_more_than_its_cap_of_a_400_seat_pool(
    shipped_caps,
):
    pool = InventoryPoolFactory(capacity=400, name="In person")
    pass_type = PassTypeFactory(event=pool.event, capacity=None, max_per_order=10)
    pass_type.pools.add(pool)

    answers = Counter(
        guest_post(pass_type, quantity=10, email=f"{uuid.uuid4().hex}@example.com").status_code
        for _ in range(50)
    )

    assert passes_held(pass_type) == 20
    assert answers == Counter({201: 2, 429: 48})
    (offer,) = pass_offers(pass_type.event, now=Order.objects.first().created_at)
    assert offer.availability == "available"


def test_addresses_of_one_ipv6_64_share_one_cap(shipped_caps):
    pass_type = PassTypeFactory(capacity=None, max_per_order=10)
    for n in range(2):
        guest_post(pass_type, quantity=10, email=f"{n}@example.com", address=f"2001:db8:1:2::{n}")

    third = guest_post(pass_type, quantity=1, email="x@example.com", address="2001:db8:1:2::ff")

    assert (third.status_code, third.json()["code"]) == (429, "hold_limit_reached")
    assert third.json()["scope"] == "network"


def test_another_network_is_not_held_back_by_a_hoarding_one(shipped_caps):
    pass_type = PassTypeFactory(capacity=None, max_per_order=10)
    for n in range(2):
        guest_post(pass_type, quantity=10, email=f"{n}@example.com")

    other = guest_post(pass_type, quantity=2, email="other@example.com", address="198.51.100.9")

    assert other.status_code == 201


def test_a_guest_email_holds_at_most_its_cap_in_passes(shipped_caps):
    pass_type = PassTypeFactory(capacity=None, max_per_order=10)
    guest_post(pass_type, quantity=8, address="192.0.2.1")

    refused = guest_post(pass_type, quantity=3, address="192.0.2.2")

    assert (refused.status_code, refused.json()["scope"]) == (429, "email")
    assert refused.json()["limit"] == 10
    assert 1 <= int(refused["Retry-After"]) <= 15 * 60


def test_a_signed_in_account_may_hold_more_than_a_guest(shipped_caps):
    pass_type = PassTypeFactory(capacity=None, max_per_order=10)
    client = APIClient(REMOTE_ADDR=ATTACKER)
    client.force_authenticate(UserFactory(email="buyer@example.com"))

    answers = [client.post(ORDERS, order_body(pass_type, quantity=10), format="json") for _ in "ab"]

    assert [answer.status_code for answer in answers] == [201, 201]


def test_strangers_guest_orders_under_a_buyers_email_do_not_stop_that_buyer_once_signed_in(
    shipped_caps,
):
    pass_type = PassTypeFactory()
    for n in range(3):
        guest_post(pass_type, email="ada@example.com", address=f"198.51.100.{n}")
    blocked = guest_post(pass_type, email="ada@example.com", address="192.0.2.50")
    ada = APIClient(REMOTE_ADDR="192.0.2.50")
    ada.force_authenticate(UserFactory(email="ada@example.com"))

    signed_in = ada.post(ORDERS, order_body(pass_type, email="ada@example.com"), format="json")

    assert blocked.json()["code"] == "too_many_pending_orders"
    assert signed_in.status_code == 201


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_guest_orders_from_one_network_never_pass_its_cap(shipped_caps):
    pass_type = PassTypeFactory(capacity=None, max_per_order=10)

    outcomes = run_buyers(
        8,
        lambda index: place_order(
            event=pass_type.event,
            lines=[LineRequest(pass_type.pk, 5)],
            email=f"racer{index}@example.com",
            client_address=ATTACKER,
        ),
    )

    assert outcomes == Counter({"ordered": 4, "hold_limit_reached": 4})
    assert passes_held(pass_type) == 20


def test_hold_is_shorter_when_the_order_leaves_only_a_few_passes(settings):
    settings.GREENROOM_HOLD_MINUTES, settings.GREENROOM_SCARCE_HOLD_MINUTES = 15, 5
    settings.GREENROOM_FEW_LEFT_THRESHOLD = 10
    pass_type = PassTypeFactory(capacity=30, max_per_order=20)

    plenty, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 5)], email="a@x.io"
    )
    scarce, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 15)], email="b@x.io"
    )

    assert plenty.hold_expires_at - plenty.created_at > dt.timedelta(minutes=14)
    assert scarce.hold_expires_at - scarce.created_at <= dt.timedelta(minutes=5)


def test_network_digest_is_one_value_per_ipv6_64_and_keeps_no_address():
    assert network_digest("2001:db8::1") == network_digest("2001:db8::ffff:1")
    assert network_digest("2001:db8::1") != network_digest("2001:db8:0:1::1")
    assert "2001" not in network_digest("2001:db8::1")
    assert network_digest("not an address") == ""


def test_erasing_an_order_blanks_its_client_network():
    pass_type = PassTypeFactory()
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, 1)],
        email="gone@example.com",
        client_address=ATTACKER,
    )

    erase_email("gone@example.com")

    assert Order.objects.get(pk=order.pk).client_network == ""


# --- the human check ----------------------------------------------------------------------------


class FakeVerifier(http.server.BaseHTTPRequestHandler):
    """A local stand-in for a `siteverify` endpoint: accepts the token `good`."""

    def do_POST(self):
        form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"]))))
        self.server.seen.append({key.decode(): value.decode() for key, value in form.items()})
        body = json.dumps({"success": form.get(b"response") == b"good"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def verifier(settings):
    server = http.server.HTTPServer(("127.0.0.1", 0), FakeVerifier)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GREENROOM_HUMAN_CHECK_URL = f"http://127.0.0.1:{server.server_port}/siteverify"
    settings.GREENROOM_HUMAN_CHECK_SECRET = "s3cret"
    yield server
    server.shutdown()
    server.server_close()


def test_guest_order_with_a_token_the_verifier_accepts_is_placed(verifier):
    pass_type = PassTypeFactory()

    answer = guest_post(pass_type, human_check_token="good")

    assert answer.status_code == 201
    assert verifier.seen == [{"secret": "s3cret", "response": "good", "remoteip": ATTACKER}]


@pytest.mark.parametrize("token", ["bad", ""])
def test_guest_order_without_a_passing_token_is_refused_and_writes_nothing(verifier, token):
    pass_type = PassTypeFactory()

    answer = guest_post(pass_type, human_check_token=token)

    assert (answer.status_code, answer.json()["code"]) == (400, "human_check_failed")
    assert "human_check_token" in answer.json()["errors"]
    assert not Order.objects.exists()


def test_verifier_that_does_not_answer_gives_503_and_writes_nothing(settings):
    settings.GREENROOM_HUMAN_CHECK_URL = f"http://127.0.0.1:{closed_port()}/siteverify"
    settings.GREENROOM_HUMAN_CHECK_SECRET = "s3cret"

    answer = guest_post(PassTypeFactory(), human_check_token="good")

    assert (answer.status_code, answer.json()["code"]) == (503, "human_check_unavailable")
    assert not Order.objects.exists()


def test_signed_in_buyer_skips_the_human_check(verifier):
    client = APIClient()
    client.force_authenticate(UserFactory())

    answer = client.post(ORDERS, order_body(PassTypeFactory()), format="json")

    assert answer.status_code == 201
    assert verifier.seen == []


def test_human_check_is_off_by_default():
    assert guest_post(PassTypeFactory()).status_code == 201


# --- idempotency keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "my-first-order",
        "k1",
        "a" * 40,
        "order-2026-12-04-attempt-1",
        "x" * 300,
        "6f9619ff-8b86-d011-b42d-00c04fc964ff",  # a version-1 UUID: time and MAC, not random
    ],
    ids=["readme-example", "short", "one-char", "words", "300-chars", "uuid1"],
)
def test_weak_or_malformed_idempotency_key_is_refused_with_400_and_writes_nothing(key):
    pass_type = PassTypeFactory()

    answer = APIClient().post(
        ORDERS, order_body(pass_type), format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert (answer.status_code, answer.json()["code"]) == (400, "weak_idempotency_key")
    assert not Order.objects.exists()


def test_idempotency_key_with_a_nul_byte_is_refused_with_400_and_writes_nothing():
    key = str(uuid.uuid4())[:-1] + "\x00"

    answer = APIClient().post(
        ORDERS, order_body(PassTypeFactory()), format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()["errors"]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "key",
    [str(uuid.uuid4()), "kQ3v9Zx1_bT7-MwLp0sYr2Hc8NfA5uJe", "3f2a9c4e7b1d8f6a0c5e2b9d4a7f1c3e"],
    ids=["uuid4", "base64url-32", "hex-32"],
)
def test_random_idempotency_keys_are_strong(key):
    assert idempotency_key_is_strong(key)


def test_strangers_replay_of_a_guests_key_and_body_does_not_get_the_guests_order():
    pass_type = PassTypeFactory()
    key = str(uuid.uuid4())
    first = APIClient(REMOTE_ADDR="192.0.2.10").post(
        ORDERS, order_body(pass_type), format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    replay = APIClient(REMOTE_ADDR=ATTACKER).post(
        ORDERS, order_body(pass_type), format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert replay.json()["code"] != first.json()["code"]
    assert first.json()["key"] not in replay.content.decode()


def test_guests_own_retry_from_its_network_gets_its_order():
    pass_type = PassTypeFactory()
    key = str(uuid.uuid4())
    client = APIClient(REMOTE_ADDR="2001:db8:5::1")
    first = client.post(ORDERS, order_body(pass_type), format="json", HTTP_IDEMPOTENCY_KEY=key)

    retry = APIClient(REMOTE_ADDR="2001:db8:5::2").post(
        ORDERS, order_body(pass_type), format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert retry.json()["code"] == first.json()["code"]
    assert retry["Idempotent-Replayed"] == "true"


def test_the_raw_idempotency_key_is_not_stored():
    pass_type = PassTypeFactory()
    key = str(uuid.uuid4())

    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, 1)],
        email="buyer@example.com",
        idempotency_key=key,
    )

    assert key not in order.idempotency_key
    assert "buyer@example.com" not in order.idempotency_key


def test_human_check_url_that_is_not_http_is_refused_as_misconfigured(settings):
    settings.GREENROOM_HUMAN_CHECK_URL = "file:///etc/passwd"
    settings.GREENROOM_HUMAN_CHECK_SECRET = "s3cret"

    with pytest.raises(ImproperlyConfigured):
        human_check.verify("good")
