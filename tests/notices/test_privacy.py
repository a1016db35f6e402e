"""The notices app's part of data rights: a person's devices and notices are in their export
(never a device's keys), and go with their account."""

import pytest
from django.test import Client

from notices.models import ProgrammeNotice, PushSubscription
from privacy.services import erase_person
from tests.notices.conftest import move

pytestmark = pytest.mark.django_db


@pytest.fixture
def device(bookmarker):
    return PushSubscription.objects.create(
        user=bookmarker,
        endpoint="https://push.example.net/send/ada-phone",
        p256dh="BPublicKeyOfAdasPhone",
        auth="adas-auth-secret",
    )


def test_export_carries_devices_without_their_keys_and_the_notices(session, bookmarker, device):
    move(session, minutes=30)
    browser = Client()
    browser.force_login(bookmarker)

    response = browser.get("/api/v1/me/data/")

    data = response.json()
    assert [entry["endpoint"] for entry in data["push_subscriptions"]] == [device.endpoint]
    assert [(entry["session"], entry["kinds"]) for entry in data["programme_notices"]] == [
        (session.pk, ["moved"])
    ]
    assert "adas-auth-secret" not in response.content.decode()


def test_erasing_the_account_removes_its_devices_and_notices(session, bookmarker, device):
    move(session, minutes=30)

    erase_person(user=bookmarker, void_future_tickets=True)

    assert (PushSubscription.objects.count(), ProgrammeNotice.objects.count()) == (0, 0)
