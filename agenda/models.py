"""What the agenda app stores: people's personal agendas and the schedule's releases (the
sessions and their speakers are the events' and speakers' models, which this app arranges into
a programme)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import TimeStampedModel
from events.models import Event, Session


class Bookmark(TimeStampedModel):
    """A session on one person's personal agenda."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookmarks")

    class Meta:
        ordering = ["session__starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "session"], name="bookmark_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.session} for {self.user}"


class AgendaVersion(models.Model):
    """The stored version of an event's agenda (its ETag): moved in the same transaction as
    every write to a part agenda.changes declares, so reading it is one small query.

    `event_id` is a plain number, not a foreign key, as for tombstones: a version is moved
    while an event's rows are being deleted, and must not hold up the event's own deletion.
    """

    event_id = models.BigIntegerField(primary_key=True)
    counter = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"agenda of event {self.event_id}: version {self.counter} at {self.changed_at}"


class ScheduleRelease(TimeStampedModel):
    """A version of an event's schedule an organizer released: a snapshot of its published
    sessions, compared with the previous release's into `changes`."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="schedule_releases")
    version = models.CharField(
        "version name", max_length=64, help_text="Shown to apps as the frab `version`, e.g. 1.2."
    )
    note = models.TextField(blank=True, help_text="Shown on the public changelog.")
    released_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    session_count = models.PositiveIntegerField(default=0)
    # What agenda.releases.session_snapshot records of each published session: the next
    # release is compared with this, not with a history of edits.
    snapshot = models.JSONField(default=list, editable=False)

    class Meta:
        ordering = ["-released_at", "-pk"]
        get_latest_by = ["released_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "version"],
                name="release_version_unique_per_event",
                violation_error_message="This event already has a release of that version name.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.event.name}"


class ReleaseChange(models.Model):
    """How one session changed in a release since the previous one.

    `before` and `after` are the session's snapshots (None when it is new, or gone); the
    session itself may since have been deleted, so its id is kept in them, not only in a key.
    """

    release = models.ForeignKey(ScheduleRelease, on_delete=models.CASCADE, related_name="changes")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    session_key = models.PositiveIntegerField("session id")
    title = models.CharField(max_length=200)
    kinds = models.JSONField(default=list)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["release", "pk"]

    def __str__(self) -> str:
        return f"{self.title}: {', '.join(self.kinds)}"
