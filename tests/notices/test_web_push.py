"""Web Push: the digest reaches each of the person's devices, through a local push service
that checks the VAPID signature and decrypts the message as the browser would."""

import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid02

from notices.digests import send_programme_digest
from notices.models import PushSubscription
from notices.push import application_server_key, new_key_pair
from tests.notices.conftest import move
from tests.notices.push_service import Browser, PushService, verify_vapid

pytestmark = pytest.mark.django_db


@pytest.fixture
def push_service():
    with PushService(Browser()) as service:
        yield service


@pytest.fixture
def device(push_service, bookmarker):
    """The bookmarker's browser, subscribed at the local push service."""
    return PushSubscription.objects.create(
        user=bookmarker,
        endpoint=f"{push_service.origin}/push/device-1",
        p256dh=push_service.browser.p256dh,
        auth=push_service.browser.auth,
    )


def test_the_digest_is_pushed_signed_and_encrypted_to_the_device(
    session, bookmarker, device, push_service
):
    move(session, minutes=30)

    send_programme_digest(user_id=bookmarker.pk)

    (push,) = push_service.received
    assert push.path == "/push/device-1"
    assert push.signature_valid is True
    assert push.vapid_public_key == application_server_key()
    assert push.claims["aud"] == push_service.origin
    assert push.payload == {
        "title": "Programme change: Robotaxis at scale",
        "body": "Robotaxis at scale: Mon 10 Jun 2030, 10:30–11:15 (America/Los_Angeles), "
        f"{session.stage.name}",
        "url": f"http://127.0.0.1:8000/events/{session.event.slug}/sessions/{session.pk}/",
    }
    device.refresh_from_db()
    assert (device.last_success_at is not None, device.last_failure_at) == (True, None)


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_forgot_is_deleted(
    session, bookmarker, device, push_service, status
):
    push_service.answer_status = status
    move(session, minutes=30)

    send_programme_digest(user_id=bookmarker.pk)

    assert len(push_service.received) == 1
    assert not PushSubscription.objects.filter(pk=device.pk).exists()


def test_a_failing_push_service_keeps_the_subscription_and_the_e_mail_goes_out(
    session, bookmarker, device, push_service, mailoutbox
):
    push_service.answer_status = 500
    move(session, minutes=30)

    send_programme_digest(user_id=bookmarker.pk)

    device.refresh_from_db()
    assert (device.last_failure_at is not None, len(mailoutbox)) == (True, 1)


def test_nothing_is_pushed_where_web_push_is_off(
    session, bookmarker, device, push_service, settings
):
    settings.VAPID_PRIVATE_KEY = ""
    settings.VAPID_DEVELOPMENT_KEY_FILE = None
    move(session, minutes=30)

    send_programme_digest(user_id=bookmarker.pk)

    assert push_service.received == []


def signed_vapid_header(audience: str) -> str:
    key = Vapid02()
    key.generate_keys()
    claims = {"aud": audience, "sub": "mailto:events@example.com", "exp": int(time.time()) + 600}
    return key.sign(claims)["Authorization"]


def test_the_local_push_service_accepts_a_good_vapid_token():
    _, valid, _ = verify_vapid(
        signed_vapid_header("http://127.0.0.1:1"), audience="http://127.0.0.1:1"
    )

    assert valid is True


def test_the_local_push_service_refuses_a_token_for_another_origin():
    _, valid, _ = verify_vapid(
        signed_vapid_header("http://127.0.0.1:1"), audience="http://127.0.0.1:2"
    )

    assert valid is False


def test_the_local_push_service_refuses_a_token_signed_by_another_key():
    header = signed_vapid_header("http://127.0.0.1:1")
    other_key = signed_vapid_header("http://127.0.0.1:1").split("k=")[1]
    forged = header.split("k=")[0] + "k=" + other_key

    _, valid, _ = verify_vapid(forged, audience="http://127.0.0.1:1")

    assert valid is False


def test_a_configured_key_pair_is_the_one_browsers_are_given(settings):
    private_line, public_line = new_key_pair().splitlines()
    settings.VAPID_PRIVATE_KEY = private_line.removeprefix("VAPID_PRIVATE_KEY=")
    settings.VAPID_PUBLIC_KEY = public_line.removeprefix("VAPID_PUBLIC_KEY=")

    assert application_server_key() == settings.VAPID_PUBLIC_KEY


def test_a_public_key_that_does_not_match_the_private_key_is_refused(settings):
    settings.VAPID_PRIVATE_KEY = new_key_pair().splitlines()[0].removeprefix("VAPID_PRIVATE_KEY=")
    settings.VAPID_PUBLIC_KEY = new_key_pair().splitlines()[1].removeprefix("VAPID_PUBLIC_KEY=")

    with pytest.raises(ImproperlyConfigured, match="VAPID_PUBLIC_KEY"):
        application_server_key()
