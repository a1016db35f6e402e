"""What the notices app stores: programme changes waiting for their digest, push subscriptions."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from events.models import Session


class ChangeKind(models.TextChoices):
    """The changes to a bookmarked session that its bookmarkers are told of."""

    MOVED = "moved", "moved"
    STAGE_CHANGED = "stage_changed", "changed stage"
    CANCELLED = "cancelled", "cancelled"


class ProgrammeNotice(models.Model):
    """One change to a session, owed to one person who bookmarked it.

    Written inside the transaction that changed the session; `sent_at` is stamped by the
    digest that told the person, so a digest task that runs twice finds nothing left to send.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_notices"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="programme_notices")
    kinds = models.JSONField(help_text="The ChangeKind values of this change.")
    changed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["user", "sent_at"])]

    def __str__(self) -> str:
        return f"{', '.join(self.kinds)}: session {self.session_id} for user {self.user_id}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription (its PushSubscription.toJSON()), for one person.

    A push service answering 404 or 410 has forgotten the subscription; it is deleted then.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=2048, unique=True)
    p256dh = models.CharField("browser's public key (p256dh)", max_length=128)
    auth = models.CharField("browser's auth secret", max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of user {self.user_id}"

    def subscription_info(self) -> dict:
        """What pywebpush takes: the browser's PushSubscription.toJSON()."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
