"""Domain errors of the speakers app."""

from events.exceptions import DomainError


class SpeakersError(DomainError):
    """A speaker rule was broken: a speaker booked twice at once, a bad lineup change…"""
