"""The site's side of programme-change notices: the switch on the account page, the devices
that take push notifications, and what makes the site an installable app."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from PIL import Image

from notices.models import PushSubscription
from notices.push import application_server_key
from notices.selectors import programme_notices_on
from tests.factories import UserFactory
from tests.notices.push_service import Browser

pytestmark = pytest.mark.django_db

BROWSER = Browser()
SUBSCRIPTION = {
    "endpoint": "https://push.example.net/send/abc123",
    "keys": {"p256dh": BROWSER.p256dh, "auth": BROWSER.auth},
}


@pytest.fixture
def ada(client):
    user = UserFactory(email="ada@example.com")
    client.force_login(user)
    return user


def post_json(client, name: str, body: dict):
    return client.post(reverse(name), json.dumps(body), content_type="application/json")


def test_account_page_offers_notices_on_by_default_and_this_device(client, ada):
    page = client.get(reverse("web:account")).content.decode()

    assert "These notices are on." in page
    assert f'data-key="{application_server_key()}"' in page
    assert "Notify me on this device" in page


def test_switching_notices_off_on_the_account_page(client, ada):
    response = client.post(reverse("web:programme-notices"), {"on": "0"})

    assert response.status_code == 302
    assert programme_notices_on(ada) is False
    assert "These notices are off." in client.get(reverse("web:account")).content.decode()


def test_account_page_offers_no_push_where_web_push_is_off(client, ada, settings):
    settings.VAPID_DEVELOPMENT_KEY_FILE = None

    page = client.get(reverse("web:account")).content.decode()

    assert "push-device" not in page


def test_saving_and_removing_this_browsers_push_subscription(client, ada):
    saved = post_json(client, "web:push-subscribe", SUBSCRIPTION)
    again = post_json(client, "web:push-subscribe", SUBSCRIPTION)
    subscription = PushSubscription.objects.get()
    removed = post_json(client, "web:push-unsubscribe", {"endpoint": SUBSCRIPTION["endpoint"]})

    assert (saved.status_code, again.status_code, removed.json()["removed"]) == (201, 201, True)
    assert (subscription.user, subscription.auth) == (ada, BROWSER.auth)
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.net/x",
        "https://127.0.0.1/x",
        "https://10.0.0.8/x",
        "https://localhost/x",
    ],
)
def test_a_push_endpoint_that_is_no_public_https_server_is_refused(client, ada, endpoint):
    response = post_json(client, "web:push-subscribe", {**SUBSCRIPTION, "endpoint": endpoint})

    assert (response.status_code, response.json()["code"]) == (400, "invalid_endpoint")
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "keys", [{}, {"p256dh": "BNotAPoint", "auth": BROWSER.auth}, {"p256dh": BROWSER.p256dh}]
)
def test_a_push_subscription_without_usable_keys_is_refused(client, ada, keys):
    response = post_json(client, "web:push-subscribe", {**SUBSCRIPTION, "keys": keys})

    assert (response.status_code, response.json()["code"]) == (400, "invalid_subscription")


def test_push_subscriptions_need_a_signed_in_person(client):
    response = post_json(client, "web:push-subscribe", SUBSCRIPTION)

    assert response.status_code == 403


def test_push_subscriptions_need_the_csrf_token(ada):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ada)

    response = post_json(browser, "web:push-subscribe", SUBSCRIPTION)

    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_the_service_worker_is_served_from_the_root_as_javascript(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'"
    assert "showNotification" in response.content.decode()


def image_size(static_path: str) -> tuple[int, int]:
    with Image.open(finders.find(static_path)) as image:
        return image.size


def test_the_manifest_makes_the_site_installable(client, settings):
    response = client.get("/manifest.webmanifest")
    manifest = response.json()
    sources = [icon["src"].removeprefix(settings.STATIC_URL) for icon in manifest["icons"]]

    assert response["Content-Type"] == "application/manifest+json"
    assert (manifest["start_url"], manifest["display"]) == ("/", "standalone")
    assert [icon["sizes"] for icon in manifest["icons"]] == ["192x192", "512x512"]
    assert [image_size(source) for source in sources] == [(192, 192), (512, 512)]


def test_every_page_links_the_manifest(client):
    page = client.get(reverse("web:home")).content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
