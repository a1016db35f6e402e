"""Webhooks reach a real receiver that verifies each signature: every event type, retried after
a failure, never sent again after a 2xx, only what an endpoint subscribed to."""

import datetime as dt
import json
import time

import pytest
from django.db import transaction
from django.utils import timezone

from core.domain_events import EVENT_TYPES, publish
from speakers.services import answer_invitation
from tests.factories import EventFactory, LineupEntryFactory, PassTypeFactory, door_staff_user
from tests.helpers import wait_for
from tests.webhooks.conftest import session_data
from tickets.services.checkin import check_in
from tickets.services.order_states import cancel_order
from tickets.services.ordering import LineRequest, place_order
from tickets.services.refunds import refund_order
from webhooks import tasks
from webhooks.models import Delivery, DeliveryStatus
from webhooks.services import RETRY_DELAYS, queue_due_deliveries

pytestmark = pytest.mark.django_db


def test_every_event_type_reaches_a_subscribed_endpoint_signed(
    subscribe, receiver, paid_order, django_capture_on_commit_callbacks
):
    subscribe()
    pass_type = PassTypeFactory(phase__price=12500)
    event = pass_type.event
    with django_capture_on_commit_callbacks(execute=True):
        order = paid_order(pass_type, 1)
        check_in(code=order.tickets.get().code, staff_user=door_staff_user())
        refund_order(order=order)
        pending, _ = place_order(
            event=event, lines=[LineRequest(pass_type.pk, 1)], email="buyer@example.com"
        )
        cancel_order(order=pending)
        answer_invitation(entry=LineupEntryFactory(event=event), status="confirmed")
        for session_type in ("session.created", "session.changed", "session.cancelled"):
            publish(session_type, event_id=event.pk, data=session_data(event))
        release = {"id": 1, "event": event.slug, "version": "v1", "note": "",
                   "released_at": "2030-06-01T09:00:00Z", "changes": 3}  # fmt: skip
        publish("schedule.released", event_id=event.pk, data=release)

    assert receiver.unverified == []
    assert sorted(receiver.types) == sorted(EVENT_TYPES)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


def test_order_payloads_carry_the_order_not_the_buyer(
    subscribe, receiver, paid_order, django_capture_on_commit_callbacks
):
    subscribe(["order.paid", "order.refunded"])
    pass_type = PassTypeFactory(phase__price=12500)
    with django_capture_on_commit_callbacks(execute=True):
        order = paid_order(pass_type, 2)
        refund_order(order=order, amount=5000)

    paid, refunded = (message.payload for message in receiver.received)
    assert paid["data"] == {
        "id": order.pk,
        "code": order.code,
        "event": pass_type.event.slug,
        "status": "paid",
        "total": {"amount": 25000, "currency": order.currency},
        "refunded": {"amount": 0, "currency": order.currency},
    }
    assert (refunded["type"], refunded["data"]["refunded"]["amount"]) == ("order.refunded", 5000)
    assert all(b"@" not in message.body for message in receiver.received)


def test_speaker_payload_carries_the_public_face_not_the_contacts(
    subscribe, receiver, django_capture_on_commit_callbacks
):
    subscribe(["speaker.confirmed"])
    entry = LineupEntryFactory(speaker__name="Jesse Levinson", speaker__job_title="CTO")
    with django_capture_on_commit_callbacks(execute=True):
        answer_invitation(entry=entry, status="confirmed")

    [message] = receiver.received
    assert message.payload["data"] == {
        "id": entry.speaker.pk,
        "event": entry.event.slug,
        "name": "Jesse Levinson",
        "title": "CTO",
        "company": entry.speaker.organization.name,
    }
    assert entry.speaker.email.encode() not in message.body


def test_a_failed_delivery_is_retried_when_due_and_then_succeeds(subscribe, receiver, announce):
    subscribe(["session.created"])
    receiver.answers = [500]
    announce()
    delivery = Delivery.objects.get()
    first_attempt = delivery.attempt_log.get()
    wait = delivery.next_attempt_at - first_attempt.attempted_at
    not_yet_due = queue_due_deliveries()

    # The first retry falls due after about five seconds.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    tasks.send_due_webhooks.delay()

    delivery.refresh_from_db()
    assert (delivery.status, first_attempt.status_code, not_yet_due) == ("delivered", 500, 0)
    assert RETRY_DELAYS[0] * 0.9 <= wait <= RETRY_DELAYS[0] * 1.1
    assert [a.status_code for a in delivery.attempt_log.order_by("pk")] == [500, 200]
    assert receiver.received[0].webhook_id == receiver.received[1].webhook_id
    assert receiver.received[0].webhook_id == delivery.message_id


def test_a_delivered_message_is_never_sent_again_however_often_the_task_runs(
    subscribe, receiver, announce
):
    subscribe(["session.created"])
    announce()
    delivery = Delivery.objects.get()

    again = [tasks.deliver_webhook.delay(delivery.pk).get() for _ in range(2)]
    swept = queue_due_deliveries(now=timezone.now() + dt.timedelta(days=2))

    assert (again, swept, len(receiver.received)) == ([False, False], 0, 1)
    assert delivery.attempt_log.count() == 1


def test_a_delivery_is_given_up_after_the_last_retry(subscribe, receiver, announce):
    subscribe(["session.created"])
    receiver.answers = [503] * (len(RETRY_DELAYS) + 1)
    announce()
    delivery = Delivery.objects.get()

    for _ in RETRY_DELAYS:
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        tasks.deliver_webhook.delay(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.GIVEN_UP,
        len(RETRY_DELAYS) + 1,
        None,
    )


def test_an_endpoint_gets_only_the_types_it_subscribed_to(subscribe, receiver, announce):
    subscribe(["order.paid"])

    announce()

    assert (receiver.received, Delivery.objects.count()) == ([], 0)


def test_an_endpoint_of_one_event_hears_nothing_of_another(subscribe, receiver, announce):
    mine, other = EventFactory(), EventFactory()
    subscribe(["session.created"], event=mine)

    announce(other, session_id=1)
    announce(mine, session_id=2)

    assert [message.payload["data"]["id"] for message in receiver.received] == [2]


def test_nothing_is_delivered_when_the_publishing_transaction_rolls_back(
    subscribe, receiver, django_capture_on_commit_callbacks
):
    subscribe(["session.created"])
    event = EventFactory()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish("session.created", event_id=event.pk, data=session_data(event))
        transaction.set_rollback(True)

    assert (receiver.received, Delivery.objects.count()) == ([], 0)


def test_the_body_is_the_type_timestamp_and_data(subscribe, receiver, announce):
    subscribe(["session.created"])

    event = announce()

    [message] = receiver.received
    sent_at = dt.datetime.fromisoformat(json.loads(message.body)["timestamp"])
    assert sorted(message.payload) == ["data", "timestamp", "type"]
    assert message.payload["data"] == session_data(event)
    assert message.payload["timestamp"].endswith("Z")
    assert abs(timezone.now() - sent_at) < dt.timedelta(minutes=1)
    assert message.headers["webhook-id"].startswith("msg_")


@pytest.mark.requires_redis
def test_a_real_worker_delivers_once_however_often_the_task_is_queued(
    celery_worker_on_redis, subscribe, receiver
):
    subscribe(["session.created"])
    event = EventFactory()
    with transaction.atomic():
        publish("session.created", event_id=event.pk, data=session_data(event))
    delivery = Delivery.objects.get()

    again = [tasks.deliver_webhook.delay(delivery.pk) for _ in range(2)]
    outcomes = [result.get(timeout=20) for result in again]
    delivered = wait_for(lambda: Delivery.objects.get().status == DeliveryStatus.DELIVERED)
    time.sleep(1)  # give the on-commit run, if it is still queued, time to (not) send again

    assert delivered
    assert outcomes.count(True) <= 1
    assert [message.webhook_id for message in receiver.received] == [delivery.message_id]


def test_a_time_left_in_the_data_is_sent_as_iso_8601_utc(
    subscribe, receiver, django_capture_on_commit_callbacks
):
    subscribe(["schedule.released"])
    event = EventFactory()
    released_at = dt.datetime(2030, 6, 1, 9, 0, tzinfo=dt.UTC)

    with django_capture_on_commit_callbacks(execute=True):
        publish("schedule.released", event_id=event.pk, data={"released_at": released_at})

    assert receiver.received[0].payload["data"] == {"released_at": "2030-06-01T09:00:00Z"}
