"""Domain errors of the events app."""

from core.exceptions import DomainError


class EventsError(DomainError):
    """An agenda rule of the events app was broken (dates, stage clashes…)."""
