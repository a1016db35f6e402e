"""Endpoints over time and in the admin: disabled after days of failures (organizers told
once), redelivered with the same webhook-id, a test event, the pages organizers see."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from core.domain_events import publish
from tests.factories import EventFactory
from tests.webhooks.conftest import session_data
from webhooks import tasks
from webhooks.models import Delivery, DeliveryStatus, Endpoint
from webhooks.services import save_endpoint, send_disabled_notice

pytestmark = pytest.mark.django_db


def test_an_endpoint_failing_for_days_is_disabled_and_the_organizers_told_once(
    subscribe, receiver, organizer, settings, announce
):
    settings.WEBHOOKS_DISABLE_AFTER_DAYS = 5
    endpoint = subscribe(["session.created"])
    receiver.answers = [500] * 10
    event = announce(session_id=1)
    endpoint.refresh_from_db()
    still_enabled = endpoint.enabled
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - dt.timedelta(days=5, minutes=1)
    )

    announce(event, session_id=2)
    announce(event, session_id=3)
    noticed_again = send_disabled_notice(endpoint_id=endpoint.pk)

    endpoint.refresh_from_db()
    assert (still_enabled, endpoint.enabled) == (True, False)
    assert endpoint.disabled_reason == "Every delivery failed for 5 days."
    assert [message.to for message in mail.outbox] == [[organizer.email]]
    assert receiver.url in mail.outbox[0].body
    assert noticed_again is False
    assert len(receiver.received) == 2  # nothing after it was disabled
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.GIVEN_UP}


def test_a_success_ends_the_run_of_failures(subscribe, receiver, announce):
    endpoint = subscribe(["session.created"])
    receiver.answers = [500]
    event = announce(session_id=1)
    endpoint.refresh_from_db()
    failing = endpoint.failing_since is not None

    announce(event, session_id=2)

    endpoint.refresh_from_db()
    assert (failing, endpoint.failing_since, endpoint.enabled) == (True, None, True)


def test_enabling_again_clears_the_reason_and_allows_a_new_notice(subscribe):
    endpoint = subscribe(["session.created"])
    endpoint.enabled = False
    save_endpoint(endpoint=endpoint)
    turned_off = (endpoint.disabled_reason, endpoint.disabled_at is not None)

    endpoint.enabled = True
    save_endpoint(endpoint=endpoint)

    endpoint.refresh_from_db()
    assert turned_off == ("Turned off by an organizer.", True)
    assert (endpoint.disabled_reason, endpoint.disabled_at, endpoint.failing_since) == (
        "",
        None,
        None,
    )


def test_redeliver_from_the_admin_sends_again_with_the_same_webhook_id(
    subscribe, receiver, organizer_client, announce, django_capture_on_commit_callbacks
):
    subscribe(["session.created"])
    announce()
    delivery = Delivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            "/admin/webhooks/delivery/",
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        )

    delivery.refresh_from_db()
    assert response.status_code == 302
    assert [message.webhook_id for message in receiver.received] == [delivery.message_id] * 2
    assert receiver.received[0].body == receiver.received[1].body
    assert (delivery.status, delivery.attempt_log.count()) == (DeliveryStatus.DELIVERED, 2)


def test_send_test_event_from_the_admin_reaches_the_endpoint_signed(
    subscribe, receiver, organizer_client, django_capture_on_commit_callbacks
):
    endpoint = subscribe(["order.paid"])

    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(
            "/admin/webhooks/endpoint/",
            {"action": "send_test_event", "_selected_action": [endpoint.pk]},
        )

    assert [(m.type, m.payload["data"]) for m in receiver.received] == [
        ("webhook.test", {"endpoint": endpoint.pk})
    ]


def test_an_organizer_registers_an_endpoint_in_the_admin_and_reads_its_secret(
    organizer_client, receiver
):
    event = EventFactory()

    response = organizer_client.post(
        "/admin/webhooks/endpoint/add/",
        {"url": receiver.url, "description": "Site rebuild", "event": event.pk,
         "event_types": ["session.changed", "schedule.released"], "enabled": "on"},
    )  # fmt: skip

    endpoint = Endpoint.objects.get()
    page = organizer_client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/")
    assert response.status_code == 302
    assert (endpoint.event, endpoint.event_types) == (
        event,
        ["session.changed", "schedule.released"],
    )
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in page.text


def test_the_endpoint_page_shows_recent_deliveries_with_status_codes_and_timings(
    subscribe, receiver, organizer_client, announce
):
    endpoint = subscribe(["session.created"])
    receiver.answers = [502]
    announce()
    delivery = Delivery.objects.get()

    endpoint_page = organizer_client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/")
    delivery_page = organizer_client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/")
    listing = organizer_client.get("/admin/webhooks/delivery/")

    attempt = delivery.attempt_log.get()
    assert (endpoint_page.status_code, delivery_page.status_code) == (200, 200)
    assert f"502 ({attempt.duration_ms} ms)" in endpoint_page.text
    assert delivery.message_id in endpoint_page.text
    assert delivery.message_id in listing.text
    assert "Failed, will retry" in delivery_page.text


def test_the_sweep_queues_a_delivery_whose_task_was_lost(subscribe, receiver):
    subscribe(["session.created"])
    event = EventFactory()
    # Published but never committed here, so its task is never queued: as if the broker lost it.
    publish("session.created", event_id=event.pk, data=session_data(event))

    queued = tasks.send_due_webhooks.delay().get()

    assert (queued, receiver.types) == (1, ["session.created"])
