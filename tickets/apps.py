"""App configuration for tickets."""

from django.apps import AppConfig


class TicketsConfig(AppConfig):
    """Passes, orders, tickets."""

    name = "tickets"

    def ready(self) -> None:
        from core import extensions, personal_data
        from tickets import signals  # noqa: F401  (connects the receivers)
        from tickets.api.bundle import PassesSection
        from tickets.privacy import TicketsPersonalData
        from tickets.selectors import event_sales_status

        extensions.EVENT_SALES_STATUS.register(self.label, event_sales_status)
        extensions.BUNDLE_SECTIONS.register(self.label, PassesSection)
        personal_data.register(self.label, TicketsPersonalData())
