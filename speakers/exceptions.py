"""Domain errors of the speakers app."""

from core.exceptions import DomainError


class SpeakersError(DomainError):
    """A speaker rule was broken: a speaker booked twice at once, a bad lineup change…"""
