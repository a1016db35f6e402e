"""Organizer admin of the tickets app: passes and promo codes, orders and sales."""

from tickets.admin import orders, passes  # noqa: F401  (registers the screens)
