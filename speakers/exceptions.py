"""Domain errors of the speakers app."""

from core.exceptions import DomainError, NotFoundError


class SpeakersError(DomainError):
    """A speaker rule was broken: a speaker booked twice at once, a bad lineup change…"""


class PortalLinkUnknown(NotFoundError):
    """A speaker portal link that was never handed out (mistyped, forged, its entry gone)."""


class PortalLinkRefused(SpeakersError):
    """A real speaker portal link that no longer opens the portal: expired or revoked."""

    status_code = 410
