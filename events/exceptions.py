"""Domain errors: each carries a stable machine-readable `code` and a message written once."""


class DomainError(Exception):
    """A rule of the domain was broken; admin screens and the API turn it into a clear 4xx."""

    def __init__(
        self, code: str, message: str, *, field: str | None = None, extra: dict | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra or {}


class EventsError(DomainError):
    """An agenda rule of the events app was broken (dates, stage clashes…)."""
