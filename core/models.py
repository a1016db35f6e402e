"""The base model every app's rows share, and the two tables core keeps for all apps: the
tombstones of deleted items (for delta sync) and the audit trail of personal data."""

from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from core.tombstones import kind_choices

# Sent by QuerySet.update() of a TimeStampedModel, inside the update's transaction, with the
# `pks` of the rows it matched: Django sends no signal for a bulk update, and an app that keeps
# state derived from rows (the agenda's stored version) must hear of every write, as it does
# of save() and delete() through post_save and pre_delete.
rows_updated = Signal()


class SignallingQuerySet(models.QuerySet):
    """A QuerySet whose update() sends `rows_updated` when anybody listens for its model."""

    def update(self, **kwargs) -> int:
        if not rows_updated.has_listeners(self.model):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            # Read before: the update may change what the filter matches.
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            if pks:
                rows_updated.send(sender=self.model, pks=pks, using=self.db)
        return count


class TimeStampedModel(models.Model):
    """Every row records when it was created and last changed (delta sync reads `updated_at`)."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    objects = SignallingQuerySet.as_manager()

    class Meta:
        abstract = True


class Tombstone(models.Model):
    """A record that something apps may hold offline was deleted, for delta sync.

    `kind` is one each app registers (core.tombstones). `event_id` is a plain number, not a
    foreign key: the record must outlive a deleted event. Kept GREENROOM_TOMBSTONE_DAYS days.
    """

    kind = models.CharField(max_length=16, choices=kind_choices)
    object_id = models.BigIntegerField()
    event_id = models.BigIntegerField()
    deleted_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["deleted_at"]
        indexes = [models.Index(fields=["event_id", "kind", "deleted_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} deleted {self.deleted_at:%Y-%m-%d %H:%M}"


class AuditAction(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    EXPORTED = "exported", "Exported"
    CHANGED = "changed", "Changed"
    ERASED = "erased", "Erased"
    # Not personal data handled by staff: sign-in refused after repeated failures (a security
    # event the same superusers review).
    LOCKED_OUT = "locked_out", "Locked out"


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
