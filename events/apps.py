"""App configuration for events."""

from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Events, stages, sessions and tags."""

    name = "events"

    def ready(self) -> None:
        from events import signals  # noqa: F401  (connects the receivers)
