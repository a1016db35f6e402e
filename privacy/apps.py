"""App configuration for privacy."""

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Attendees' data rights (export, erasure, retention, consents) and the audit log's admin."""

    name = "privacy"

    def ready(self) -> None:
        from core import personal_data
        from privacy.accounts import AccountPersonalData

        personal_data.register(self.label, AccountPersonalData())
