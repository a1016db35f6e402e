"""App configuration for notices."""

from django.apps import AppConfig


class NoticesConfig(AppConfig):
    """Notices to people who bookmarked a session that moved, changed stage or was cancelled:
    one digest e-mail per batching window, and Web Push to the devices they chose."""

    name = "notices"

    def ready(self) -> None:
        from core import domain_events, personal_data
        from notices.privacy import NoticesPersonalData
        from notices.services import record_programme_change

        domain_events.SUBSCRIBERS.register(self.label, record_programme_change)
        personal_data.register(self.label, NoticesPersonalData())
