"""Domain errors of the agenda app: releasing the schedule, cancelling sessions."""

from core.exceptions import ConflictError, DomainError


class AgendaError(DomainError):
    """A rule of the programme was broken (a release without a version name…)."""


class ReleaseVersionTaken(AgendaError, ConflictError):
    """The event already has a release of that version name: names stay unique, since apps
    show the frab `version` and the changelog links releases by it."""

    code = "release_version_taken"
