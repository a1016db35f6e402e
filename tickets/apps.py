"""App configuration for tickets."""

from django.apps import AppConfig


class TicketsConfig(AppConfig):
    """Passes, orders, tickets."""

    name = "tickets"

    def ready(self) -> None:
        from tickets import signals  # noqa: F401  (connects the receivers)
