"""Domain errors of the tickets app."""

from events.exceptions import DomainError


class TicketsError(DomainError):
    """A sales rule was broken: sold out, sales closed, a bad promo code, an unpayable order…"""
