"""What the agenda app stores: people's personal agendas (the sessions and their speakers are
the events' and speakers' models, which this app arranges into a programme)."""

from django.conf import settings
from django.db import models

from core.models import TimeStampedModel
from events.models import Session


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
