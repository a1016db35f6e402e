"""Endpoints organizers register, the messages (deliveries) owed to each, and every attempt.

A delivery is one domain event for one endpoint. Its `message_id` is the Standard Webhooks
`webhook-id`: the same on every attempt and redelivery, so receivers can drop duplicates.
"""

import base64
import secrets

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from core.domain_events import EVENT_TYPES
from core.models import TimeStampedModel
from events.models import Event

# Not a domain event: what "send a test event" delivers, whatever the endpoint subscribed to.
TEST_EVENT_TYPE = "webhook.test"


def new_endpoint_secret() -> str:
    """A signing secret in the Standard Webhooks format: `whsec_` and 24 random bytes, base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def new_message_id() -> str:
    return f"msg_{secrets.token_urlsafe(18)}"


class Endpoint(TimeStampedModel):
    """A URL an organizer wants told about some event types, of one event or of all."""

    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(
        max_length=64,
        default=new_endpoint_secret,
        editable=False,
        help_text="Give this to the receiver: it verifies each request's webhook-signature.",
    )
    event_types = models.JSONField(default=list, help_text="Which happenings to send.")
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        help_text="Only this event's happenings; leave empty for every event.",
    )
    enabled = models.BooleanField(default=True)
    # When the current run of failures began (cleared by any 2xx): past
    # WEBHOOKS_DISABLE_AFTER_DAYS the endpoint is disabled.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=200, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["url", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enabled=True) | Q(disabled_at__isnull=False),
                name="webhook_endpoint_disabled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.description or self.url

    def wants(self, event_type: str, event_id: int) -> bool:
        return event_type in self.event_types and self.event_id in (None, event_id)

    def event_type_labels(self) -> list[str]:
        return [name for name in EVENT_TYPES if name in self.event_types]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed, will retry"
    GIVEN_UP = "given_up", "Given up"


class Delivery(TimeStampedModel):
    """One message owed to one endpoint, tried until a 2xx answer or until we give up."""

    Status = DeliveryStatus

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(
        "webhook-id", max_length=40, unique=True, default=new_message_id, editable=False
    )
    event_type = models.CharField(max_length=40)
    # Django's encoder writes a time a publisher passed as ISO 8601 (UTC with Z), so an odd
    # value in a domain event's data cannot break the publisher's transaction.
    payload = models.JSONField(
        encoder=DjangoJSONEncoder, help_text='{"type", "timestamp", "data"}: the body as sent.'
    )
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="webhook_delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="webhook_delivery_delivered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"


class Attempt(models.Model):
    """One request to an endpoint: its answer's status code (or the error), how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField()
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-pk"]
        indexes = [models.Index(fields=["delivery", "attempted_at"])]

    def __str__(self) -> str:
        return f"{self.status_code or self.error} in {self.duration_ms} ms"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
