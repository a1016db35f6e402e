"""App configuration for webhooks."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outbound webhooks: organizers' endpoints, signed deliveries of domain events, their log."""

    name = "webhooks"
    verbose_name = "Outbound webhooks"

    def ready(self) -> None:
        from core.domain_events import SUBSCRIBERS
        from webhooks.services import record_deliveries

        SUBSCRIBERS.register(self.label, record_deliveries)
