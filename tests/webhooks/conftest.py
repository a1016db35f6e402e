"""A real webhook receiver for the tests: an HTTP server in a thread that verifies every request
with the Standard Webhooks reference library, as an organizer's receiver would.

The paying fixtures (localstripe, signed Stripe webhooks) come from tests/tickets.
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from core.domain_events import EVENT_TYPES, publish
from events.models import Event
from tests.factories import EventFactory
from tests.tickets.conftest import (  # noqa: F401  (fixtures)
    deliver,
    localstripe_url,
    paid_order,
    phone,
    stripe_settings,
    webhook_settings,
)
from webhooks.models import Endpoint
from webhooks.services import save_endpoint


@dataclass
class Received:
    """One request as the receiver saw it: its headers, raw body and verified payload."""

    headers: dict[str, str]
    body: bytes
    payload: dict

    @property
    def type(self) -> str:
        return self.payload["type"]

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """What the receiver answers (`answers`, in turn; 200 once they run out) and got."""

    url: str
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)

    @property
    def types(self) -> list[str]:
        return [message.type for message in self.received]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            payload = Webhook(receiver.secret).verify(body, headers)
        except WebhookVerificationError as error:
            receiver.unverified.append(str(error))
            status = 400
        else:
            receiver.received.append(Received(headers=headers, body=body, payload=payload))
            status = receiver.answers.pop(0) if receiver.answers else 200
        answer = json.dumps({"status": status}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks?src=gr")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def subscribe(db, receiver):
    """Registers the receiver as an endpoint (for every type unless told) and trusts its secret."""

    def subscribe(types=tuple(EVENT_TYPES), *, event=None) -> Endpoint:
        endpoint = save_endpoint(
            endpoint=Endpoint(url=receiver.url, event_types=list(types), event=event)
        )
        receiver.secret = endpoint.secret
        return endpoint

    return subscribe


def session_data(event: Event, session_id: int = 1) -> dict:
    """A session.created payload as the agenda publishes it."""
    return {
        "id": session_id,
        "event": event.slug,
        "title": "Robotaxis at scale",
        "starts_at": "2030-06-10T16:30:00Z",
        "ends_at": "2030-06-10T17:00:00Z",
        "stage": {"id": 1, "slug": "main-stage", "name": "Main Stage"},
        "status": "scheduled",
        "changes": [],
    }


@pytest.fixture
def announce(db, django_capture_on_commit_callbacks):
    """Publishes session.created (for a new event unless given) and runs what its commit
    queues, as a committed agenda change would; returns the event."""

    def announce(event: Event | None = None, session_id: int = 1) -> Event:
        event = event or EventFactory()
        with django_capture_on_commit_callbacks(execute=True):
            publish("session.created", event_id=event.pk, data=session_data(event, session_id))
        return event

    return announce
