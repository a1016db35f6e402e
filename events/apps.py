"""App configuration for events."""

from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Events, stages, sessions and tags."""

    name = "events"
