"""Domain errors of the privacy app."""

from core.exceptions import ConflictError, DomainError


class PrivacyError(DomainError):
    """A data-rights request that cannot go ahead as asked."""


class ConfirmationRequired(PrivacyError):
    """The person must confirm, knowing what will happen (said in the message and `extra`)."""

    code = "confirmation_required"


class AccountNotErasable(PrivacyError, ConflictError):
    code = "account_not_erasable"
