"""App configuration for speakers."""

from django.apps import AppConfig


class SpeakersConfig(AppConfig):
    """Organizations, speakers, lineups and session speakers."""

    name = "speakers"

    def ready(self) -> None:
        from speakers import signals  # noqa: F401  (connects the receivers)
