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
