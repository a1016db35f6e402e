"""App configuration for agenda."""

from django.apps import AppConfig


class AgendaConfig(AppConfig):
    """Scheduling, the public agenda and lineup API, exports, delta sync and bookmarks."""

    name = "agenda"

    def ready(self) -> None:
        from agenda import signals  # noqa: F401  (connects the receivers)
        from agenda.privacy import BookmarksPersonalData
        from core import personal_data

        personal_data.register(self.label, BookmarksPersonalData())
