"""What the privacy app stores: the audit trail of who handled personal data in the admin."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    EXPORTED = "exported", "Exported"
    CHANGED = "changed", "Changed"
    ERASED = "erased", "Erased"


class AuditEntry(models.Model):
    """One time a staff member saw, exported, changed or erased somebody's personal data.

    It names the data by type and id (or order code), never by its content: the log itself
    must not become a second copy of what it guards. The actor's username is kept as text
    so the trail survives the staff account being deleted.
    """

    at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    subject_type = models.CharField(max_length=100, help_text='For example "tickets.order".')
    subject_id = models.CharField(max_length=64, blank=True)
    object_count = models.PositiveIntegerField(default=1)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values), name="audit_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_username} {self.action} {self.subject_type} {self.subject_id}"


class ConsentPurpose(models.TextChoices):
    EVENT_NEWS = "event_news", "E-mails about this organizer's future events"


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
