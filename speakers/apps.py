"""App configuration for speakers."""

from django.apps import AppConfig


class SpeakersConfig(AppConfig):
    """Organizations, speakers, lineups and session speakers."""

    name = "speakers"
