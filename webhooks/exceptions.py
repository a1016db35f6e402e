"""Domain errors of the webhooks app."""

from core.exceptions import DomainError


class WebhooksError(DomainError):
    """An endpoint was refused: a URL we will not call, an event type we do not send."""
