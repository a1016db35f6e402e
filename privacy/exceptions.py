"""Domain errors of the privacy app."""

from events.exceptions import DomainError


class PrivacyError(DomainError):
    """A data-rights request that cannot go ahead as asked (unconfirmed, not erasable…)."""
