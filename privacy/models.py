"""What the privacy app stores: people's consents, each answer kept."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ConsentPurpose(models.TextChoices):
    EVENT_NEWS = "event_news", "E-mails about this organizer's future events"
    PROGRAMME_CHANGES = (
        "programme_changes",
        "E-mails and push notifications when a session I bookmarked moves or is cancelled",
    )


class Consent(models.Model):
    """A person's answer about one purpose, at one time.

    Never updated in place: each change is a new row and the latest row wins, so the history
    of what somebody agreed to, and when, is kept as proof.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    granted = models.BooleanField()
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["user", "purpose", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "-recorded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose__in=ConsentPurpose.values), name="consent_purpose_valid"
            ),
        ]

    def __str__(self) -> str:
        answer = "granted" if self.granted else "refused"
        return f"{self.purpose} {answer} by user {self.user_id}"
