"""Writes of the webhooks app: endpoints, the deliveries a domain event owes, each attempt.

Deliveries form an outbox: `record_deliveries` writes them in the publisher's transaction and
queues one task each once it commits. Retries are not Celery countdowns (with Redis as broker,
a countdown longer than the visibility timeout is delivered twice, and a lost task would be
lost for good) but a sweep: beat runs `send_due_webhooks` every minute, which queues every
delivery whose `next_attempt_at` has come. A task that runs twice, or beside the sweep, sends
once: an attempt starts only by claiming the delivery in one conditional UPDATE.
"""

import datetime as dt
import json
import logging
import secrets
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from core.domain_events import EVENT_TYPES, DomainEvent, utc_iso
from events.selectors import organizer_emails
from webhooks import addresses, transport
from webhooks.exceptions import WebhooksError
from webhooks.models import TEST_EVENT_TYPE, Attempt, Delivery, DeliveryStatus, Endpoint

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd… failed attempt: eight attempts over about 28 hours.
RETRY_DELAYS = (
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
)
# ±10 %, so the retries of many deliveries that failed together (an endpoint down) spread out.
RETRY_JITTER = 0.1
# An attempt in flight pushes `next_attempt_at` this far ahead: no other worker takes the
# delivery meanwhile, and if its worker dies the sweep tries again after it. Far longer than an
# attempt lasts (TIMEOUT_SECONDS for the connection and for each read), even a slow one.
CLAIM = dt.timedelta(minutes=5)
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
SWEEP_BATCH = 500
_random = secrets.SystemRandom()


# --- endpoints --------------------------------------------------------------------------------


def check_endpoint(*, endpoint: Endpoint) -> None:
    """Raise WebhooksError unless the endpoint's URL may be called (webhooks.addresses) and it
    asks for at least one known event type."""
    addresses.check_url(endpoint.url)
    unknown = set(endpoint.event_types) - set(EVENT_TYPES)
    if unknown or not endpoint.event_types:
        raise WebhooksError(
            f"Choose event types among {', '.join(EVENT_TYPES)}.",
            field="event_types",
            code="webhook_event_types",
        )


def save_endpoint(*, endpoint: Endpoint, now: dt.datetime | None = None) -> Endpoint:
    """Register or change an endpoint once checked (check_endpoint); turning it off or on
    stamps (or clears) when and why it stopped."""
    check_endpoint(endpoint=endpoint)
    now = now or timezone.now()
    if not endpoint.enabled and endpoint.disabled_at is None:
        endpoint.disabled_at, endpoint.disabled_reason = now, "Turned off by an organizer."
    elif endpoint.enabled:
        endpoint.disabled_at, endpoint.disabled_reason = None, ""
        endpoint.disabled_notice_sent_at = endpoint.failing_since = None
    endpoint.save()
    return endpoint


# --- deliveries -------------------------------------------------------------------------------


def record_deliveries(happened: DomainEvent) -> list[Delivery]:
    """The subscriber to every domain event: a delivery for each enabled endpoint that wants
    it, written in the publisher's transaction and sent once that commits."""
    endpoints = Endpoint.objects.filter(enabled=True).filter(
        Q(event__isnull=True) | Q(event_id=happened.event_id)
    )
    payload = {
        "type": happened.type,
        "timestamp": utc_iso(happened.occurred_at),
        "data": happened.data,
    }
    return [
        _new_delivery(endpoint, payload)
        for endpoint in endpoints
        if endpoint.wants(happened.type, happened.event_id)
    ]


def send_test_event(*, endpoint: Endpoint) -> Delivery:
    """A `webhook.test` message to the endpoint, whatever it subscribed to."""
    payload = {
        "type": TEST_EVENT_TYPE,
        "timestamp": utc_iso(timezone.now()),
        "data": {"endpoint": endpoint.pk},
    }
    with transaction.atomic():
        return _new_delivery(endpoint, payload)


def _new_delivery(endpoint: Endpoint, payload: dict) -> Delivery:
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event_type=payload["type"],
        payload=payload,
        next_attempt_at=timezone.now(),
    )
    _queue_after_commit(delivery.pk)
    return delivery


def redeliver(*, deliveries: QuerySet[Delivery]) -> int:
    """Send the chosen deliveries again (delivered or not), with the same webhook-id; those of
    a disabled endpoint are left alone. Returns how many were queued."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(deliveries.filter(endpoint__enabled=True).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING, next_attempt_at=now, delivered_at=None, updated_at=now
        )
        for delivery_id in ids:
            _queue_after_commit(delivery_id)
    return len(ids)


def queue_due_deliveries(*, now: dt.datetime | None = None) -> int:
    """Queue a send task for each open delivery whose next attempt has come (the sweep)."""
    now = now or timezone.now()
    due = Delivery.objects.filter(
        status__in=OPEN, next_attempt_at__lte=now, endpoint__enabled=True
    ).order_by("next_attempt_at")
    ids = list(due.values_list("pk", flat=True)[:SWEEP_BATCH])
    for delivery_id in ids:
        _queue(delivery_id)
    return len(ids)


def send_delivery(*, delivery_id: int, now: dt.datetime | None = None) -> Attempt | None:
    """Make one attempt at a due delivery and record it; None when there was nothing to do
    (delivered, given up, not due, already being sent, or its endpoint is disabled)."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or not delivery.endpoint.enabled:
        return None
    # The claim: only the columns of this row in the condition, so PostgreSQL re-checks them
    # on a row a concurrent claim has just changed, and exactly one claim wins.
    claimed = Delivery.objects.filter(
        pk=delivery_id, status__in=OPEN, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM, attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return None
    delivery.refresh_from_db(fields=["attempts", "payload", "message_id"])
    answer = _post(delivery)
    return _record_attempt(delivery, answer)


def _post(delivery: Delivery) -> transport.Answer:
    try:
        target = addresses.resolve_target(delivery.endpoint.url)
    except WebhooksError as refused:
        return transport.Answer(None, "", refused.message[:300], 0)
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    sent_at = timezone.now()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Greenroom-Webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(delivery.endpoint.secret).sign(
            delivery.message_id, sent_at, body
        ),
    }
    return transport.post(target, body=body, headers=headers)


def _record_attempt(delivery: Delivery, answer: transport.Answer) -> Attempt:
    now = timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            status_code=answer.status_code,
            error=answer.error,
            duration_ms=answer.duration_ms,
            response_excerpt=answer.response_excerpt,
        )
        endpoint = delivery.endpoint
        if attempt.succeeded:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None,
                updated_at=now,
            )  # fmt: skip
            Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(
                failing_since=None
            )
            return attempt
        if delivery.attempts > len(RETRY_DELAYS):
            status, next_attempt_at = DeliveryStatus.GIVEN_UP, None
        else:
            status, next_attempt_at = DeliveryStatus.FAILED, now + _retry_delay(delivery.attempts)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=status, next_attempt_at=next_attempt_at, updated_at=now
        )
        Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        _disable_if_failing_for_days(endpoint, now=now)
    return attempt


def _retry_delay(attempts: int) -> dt.timedelta:
    return RETRY_DELAYS[attempts - 1] * _random.uniform(1 - RETRY_JITTER, 1 + RETRY_JITTER)


def _disable_if_failing_for_days(endpoint: Endpoint, *, now: dt.datetime) -> None:
    """Turn off an endpoint that has answered nothing but failures for
    WEBHOOKS_DISABLE_AFTER_DAYS days, give up its open deliveries, and tell the organizers."""
    days = settings.WEBHOOKS_DISABLE_AFTER_DAYS
    disabled = Endpoint.objects.filter(
        pk=endpoint.pk, enabled=True, failing_since__lte=now - dt.timedelta(days=days)
    ).update(
        enabled=False,
        disabled_at=now,
        disabled_reason=f"Every delivery failed for {days} days.",
        updated_at=now,
    )
    if not disabled:
        return
    logger.warning("Webhook endpoint %s disabled: failing for %s days.", endpoint.pk, days)
    endpoint.deliveries.filter(status__in=OPEN).update(
        status=DeliveryStatus.GIVEN_UP, next_attempt_at=None, updated_at=now
    )
    transaction.on_commit(partial(_queue_disabled_notice, endpoint.pk), robust=True)


def send_disabled_notice(*, endpoint_id: int) -> bool:
    """E-mail the organizers that an endpoint was disabled, once per disabling."""
    now = timezone.now()
    stamped = Endpoint.objects.filter(
        pk=endpoint_id, enabled=False, disabled_notice_sent_at__isnull=True
    ).update(disabled_notice_sent_at=now)
    if not stamped:
        return False
    endpoint = Endpoint.objects.get(pk=endpoint_id)
    admin_path = reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])
    context = {"endpoint": endpoint, "admin_url": f"{settings.GREENROOM_SITE_URL}{admin_path}"}
    send_mail(
        subject=f"Webhook endpoint disabled: {endpoint}",
        message=render_to_string("webhooks/email/endpoint_disabled.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=organizer_emails(),
    )
    return True


# --- queuing (the tasks module imports this one, so the tasks are reached when called) --------


def _queue(delivery_id: int) -> None:
    from webhooks.tasks import deliver_webhook

    deliver_webhook.delay(delivery_id)


def _queue_after_commit(delivery_id: int) -> None:
    # robust: a broker that is down only logs; the sweep queues the delivery again.
    transaction.on_commit(partial(_queue, delivery_id), robust=True)


def _queue_disabled_notice(endpoint_id: int) -> None:
    from webhooks.tasks import notify_endpoint_disabled

    notify_endpoint_disabled.delay(endpoint_id)
