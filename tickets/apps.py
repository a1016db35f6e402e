"""App configuration for tickets."""

from django.apps import AppConfig


class TicketsConfig(AppConfig):
    """Passes, orders, tickets."""

    name = "tickets"
