"""Domain errors: each class carries its HTTP status; each error a stable machine-readable code.

An app defines one base error (e.g. `TicketsError`, answered 400) raised with a code per broken
rule, and a subclass per condition that deserves another status: a conflict with the current
state (409), a limit on one client that lifts with time (429, with Retry-After when the error
carries `retry_after`), a passing condition worth retrying (503). The API's exception handler
reads `status_code` and `code` from the error, so it needs to know no app.
"""


class DomainError(Exception):
    """A rule of the domain was broken; admin screens and the API turn it into a clear 4xx."""

    status_code = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.field = field
        self.extra = extra or {}


class NotFoundError(DomainError):
    """What was asked for does not exist, or is not the asker's to see."""

    status_code = 404
    code = "not_found"


class ConflictError(DomainError):
    """The request is valid but the current state does not allow it."""

    status_code = 409


class UnprocessableError(DomainError):
    """The request is well formed but contradicts an earlier one (e.g. a reused key)."""

    status_code = 422


class RateLimitedError(DomainError):
    """One client's limit, lifting with time; `extra["retry_after"]` becomes Retry-After."""

    status_code = 429


class UnavailableError(DomainError):
    """A passing condition on our side: the same request may succeed in a moment."""

    status_code = 503
