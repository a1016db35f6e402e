"""Fixtures for paying: a real localstripe server, Stripe settings, signed webhooks, a "phone".

Stripe is faked only at its HTTP boundary: localstripe (a stateful fake Stripe server, run as
a subprocess) serves PaymentIntents, refunds and signed webhooks. It has no Checkout Sessions,
so `checkout_stripe` is a tiny local HTTP server answering just those two endpoints.
Webhook bodies are signed with Stripe's real scheme: `t=<unix>,v1=<hex HMAC-SHA256 of
"<t>.<body>" with the endpoint secret>`.
"""

import hashlib
import hmac
import importlib.util
import itertools
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tickets.models import Order
from tickets.services.ordering import LineRequest, place_order
from tickets.services.payment import start_payment
from tickets.services.webhooks import handle_stripe_webhook

SECRET_KEY = "sk_test_12345"
PUBLISHABLE_KEY = "pk_test_12345"
WEBHOOK_SECRET = "whsec_test"
SERVICES_REQUIRED = os.environ.get("GREENROOM_REQUIRE_SERVICES") == "1"
_event_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1)  # noqa: S310 (our own local server)
    except urllib.error.HTTPError:
        return True  # 401 without a key: it is up
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    """Base URL of a localstripe server started for this test session (skipped without it)."""
    if importlib.util.find_spec("localstripe") is None:
        message = "localstripe is not installed (pip install localstripe)"
        if SERVICES_REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    log = Path(tmp_path_factory.mktemp("localstripe")) / "localstripe.log"
    with log.open("wb") as out:
        launcher = "config.localstripe"  # binds the loopback only: see its docstring
        process = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [sys.executable, "-m", launcher, "--port", str(port), "--from-scratch"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while not _answers(f"{url}/v1/balance"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            message = f"localstripe did not start: {log.read_text()[-500:]}"
            if SERVICES_REQUIRED:
                pytest.fail(message)
            pytest.skip(message)
        time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def _stripe_settings(settings, api_base: str):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = api_base
    settings.GREENROOM_WEBHOOK_TOLERANCE_SECONDS = 300
    settings.GREENROOM_SITE_URL = "https://greenroom.test"
    return settings


@pytest.fixture
def stripe_settings(settings, localstripe_url):
    """Settings pointing the Stripe SDK at localstripe, with test keys."""
    return _stripe_settings(settings, localstripe_url)


@pytest.fixture
def webhook_settings(settings):
    """Settings for verifying webhooks (the endpoint secret and tolerance), nothing else."""
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.GREENROOM_WEBHOOK_TOLERANCE_SECONDS = 300
    return settings


def closed_port() -> int:
    """A port nothing listens on: bound, then closed again."""
    return free_port()


# --- webhooks ----------------------------------------------------------------------------------


def stripe_event(event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
    """An event as Stripe sends it (snapshot payload)."""
    return {
        "id": event_id or f"evt_test_{next(_event_ids)}_{secrets.token_hex(4)}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }


def sign_payload(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    """The Stripe-Signature header for `payload`, computed the way Stripe does."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signed_webhook(event: dict, **kwargs) -> tuple[bytes, str]:
    payload = json.dumps(event).encode()
    return payload, sign_payload(payload, **kwargs)


@pytest.fixture
def deliver(webhook_settings):
    """Deliver an event (dict) to our webhook handler, correctly signed; returns the outcome."""

    def deliver(event: dict) -> str:
        payload, signature = signed_webhook(event)
        return handle_stripe_webhook(payload=payload, signature=signature)

    return deliver


# --- the buyer's phone, talking to localstripe ------------------------------------------------


def localstripe_call(base: str, method: str, path: str, params: dict | None = None) -> dict:
    data = urllib.parse.urlencode(params or {}).encode() if method == "POST" else None
    request = urllib.request.Request(  # noqa: S310 (our own local server)
        f"{base}{path}",
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {SECRET_KEY}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        body = response.read()
    return json.loads(body) if body else {}


@pytest.fixture
def phone(localstripe_url):
    """Confirms a PaymentIntent with a test card, as the PaymentSheet on a phone would.

    localstripe refuses `confirm` with a payment_method (500 "Not implemented"), so the card
    is set on the intent first, then the intent is confirmed.
    """

    class Phone:
        base = localstripe_url

        def pay(self, intent_id: str, card: str = "pm_card_visa") -> dict:
            localstripe_call(
                localstripe_url,
                "POST",
                f"/v1/payment_intents/{intent_id}",
                {"payment_method": card},
            )
            return localstripe_call(
                localstripe_url, "POST", f"/v1/payment_intents/{intent_id}/confirm"
            )

        def intent(self, intent_id: str) -> dict:
            return localstripe_call(localstripe_url, "GET", f"/v1/payment_intents/{intent_id}")

        def refunds(self, intent_id: str) -> list[dict]:
            query = urllib.parse.urlencode({"payment_intent": intent_id})
            return localstripe_call(localstripe_url, "GET", f"/v1/refunds?{query}")["data"]

    return Phone()


@pytest.fixture
def paid_order(stripe_settings, phone, deliver):
    """Places an order for `quantity` passes and pays it through localstripe."""

    def paid_order(pass_type, quantity: int = 2) -> Order:
        order, _ = place_order(
            event=pass_type.event,
            lines=[LineRequest(pass_type.pk, quantity)],
            email="buyer@example.com",
        )
        payment = start_payment(order=order, flow="payment_sheet")
        intent = phone.pay(payment.stripe_payment_intent_id)
        assert deliver(stripe_event("payment_intent.succeeded", intent)) == "fulfilled"
        order.refresh_from_db()
        return order

    return paid_order


# --- Checkout Sessions (which localstripe lacks) ---------------------------------------------


class _CheckoutHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _answer(self, status: int, body: dict) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        key = self.headers.get("Idempotency-Key", "")
        state["requests"].append({"path": self.path, "params": params, "idempotency_key": key})
        if self.path == "/v1/checkout/sessions":
            if key and key in state["by_key"]:
                return self._answer(200, state["by_key"][key])
            session_id = f"cs_test_{secrets.token_hex(8)}"
            session = {
                "id": session_id,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                "status": "open",
                "payment_status": "unpaid",
                "expires_at": int(params["expires_at"]),
                "client_reference_id": params.get("client_reference_id"),
                "metadata": {"order_code": params.get("metadata[order_code]")},
            }
            state["sessions"][session_id] = session
            if key:
                state["by_key"][key] = session
            return self._answer(200, session)
        parts = self.path.strip("/").split("/")
        if parts[:3] == ["v1", "checkout", "sessions"] and parts[-1] == "expire":
            session = state["sessions"].get(parts[3])
            if session is None or session["status"] != "open":
                error = {"message": "This session is not open.", "type": "invalid_request_error"}
                return self._answer(400, {"error": error})
            session["status"] = "expired"
            return self._answer(200, session)
        return self._answer(404, {"error": {"message": "Unrecognized request URL."}})


@pytest.fixture
def checkout_stripe(settings):
    """A local server answering Stripe's Checkout Session create and expire; settings use it.

    `.state` holds every request (path, form params, Idempotency-Key) and the sessions.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CheckoutHandler)
    server.state = {"requests": [], "sessions": {}, "by_key": {}}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _stripe_settings(settings, f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield server.state
    finally:
        server.shutdown()
        server.server_close()
