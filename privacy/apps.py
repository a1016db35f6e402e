"""App configuration for privacy."""

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Attendees' data rights (export, erasure, retention) and the audit log of personal data."""

    name = "privacy"
