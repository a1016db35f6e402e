"""The guard against server-side request forgery: only http(s) to public addresses, checked at
registration and again at delivery, connecting to the address that was checked."""

import base64
import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from webhooks.addresses import Target, is_public, resolve_target
from webhooks.exceptions import WebhooksError
from webhooks.models import Delivery, DeliveryStatus, Endpoint
from webhooks.services import save_endpoint
from webhooks.transport import post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.10", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("127.0.0.1", False),
        ("::1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("fe80::1", False),
        ("fd00::1", False),
        ("224.0.0.251", False),
        ("ff02::1", False),
        ("0.0.0.0", False),  # noqa: S104
        ("240.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_only_public_addresses_are_public(address, public):
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://localhost/hook",
                                 "http://[::1]/hook", "https://10.0.0.8/hook"])  # fmt: skip
def test_registering_a_private_address_is_refused_when_the_setting_is_off(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False

    with pytest.raises(WebhooksError) as refused:
        save_endpoint(endpoint=Endpoint(url=url, event_types=["order.paid"]))

    assert (refused.value.code, Endpoint.objects.count()) == ("webhook_url_private", 0)


def test_a_private_address_is_allowed_when_the_setting_is_on(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True

    endpoint = save_endpoint(
        endpoint=Endpoint(url="http://127.0.0.1:9/hook", event_types=["order.paid"])
    )

    assert endpoint.secret.startswith("whsec_")


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "file:///etc/passwd", "gopher://x/"])
def test_only_http_and_https_are_accepted(url):
    with pytest.raises(WebhooksError) as refused:
        resolve_target(url)

    assert refused.value.code == "webhook_url_scheme"


def test_https_is_required_when_the_setting_says_so(settings):
    settings.WEBHOOKS_REQUIRE_HTTPS = True

    with pytest.raises(WebhooksError) as refused:
        resolve_target("http://127.0.0.1/hook")

    assert refused.value.code == "webhook_url_scheme"


def test_the_admin_form_shows_a_refused_address_as_an_error(organizer_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False

    response = organizer_client.post(
        "/admin/webhooks/endpoint/add/",
        {"url": "http://127.0.0.1:9/hook", "event_types": ["order.paid"], "enabled": "on"},
    )

    assert response.status_code == 200
    assert "an address webhooks may not reach" in response.text
    assert Endpoint.objects.count() == 0


def test_a_delivery_to_an_address_refused_since_registration_is_not_sent(
    subscribe, receiver, settings, announce
):
    subscribe(["session.created"])
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False

    announce()

    delivery = Delivery.objects.get()
    attempt = delivery.attempt_log.get()
    assert (receiver.received, delivery.status) == ([], DeliveryStatus.FAILED)
    assert (attempt.status_code, "not reach" in attempt.error) == (None, True)


def test_the_request_goes_to_the_checked_address_whatever_the_host_name(receiver, db):
    port = int(receiver.url.split(":")[2].split("/")[0])
    target = Target(scheme="http", host="hooks.organizer.example", port=port, path="/hooks",
                    addresses=("127.0.0.1",))  # fmt: skip
    receiver.secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    sent_at = timezone.now()
    signature = Webhook(receiver.secret).sign("msg_pinned", sent_at, b"{}")
    headers = {"webhook-id": "msg_pinned", "webhook-timestamp": str(int(sent_at.timestamp())),
               "webhook-signature": signature}  # fmt: skip

    answer = post(target, body=b"{}", headers=headers)

    # No lookup of the name happened (it resolves nowhere); the request still names the host.
    assert (answer.status_code, answer.error) == (200, "")
    assert receiver.received[0].headers["host"] == f"hooks.organizer.example:{port}"


class _Redirecting(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        self.send_response(307)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_a_redirect_is_a_failed_attempt_not_followed(db):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        answer = post(resolve_target(url), body=b"{}", headers={})
    finally:
        server.shutdown()
        server.server_close()

    assert (answer.status_code, answer.error) == (307, "")
