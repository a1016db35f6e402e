"""Domain errors of the notices app."""

from core.exceptions import DomainError, NotFoundError


class NoticesError(DomainError):
    """A notices rule was broken: a push subscription the site will not send to…"""


class UnsubscribeLinkUnknown(NotFoundError):
    """An unsubscribe link this site never signed, or whose account is gone."""
