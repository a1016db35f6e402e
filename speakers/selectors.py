"""Reads of speakers shared by the admin, the CSV export and the speaker portal."""

from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower

from speakers.models import LineupEntry, SessionSpeaker, Speaker

EXPORT_COLUMNS = ("name", "job_title", "company", "bio", "email", "phone", "links")


def speaker_export_rows(speakers: QuerySet[Speaker]) -> Iterator[tuple[str, ...]]:
    """One row per speaker in EXPORT_COLUMNS order; the CSV importer reads the same columns."""
    yield EXPORT_COLUMNS
    for speaker in speakers.select_related("organization").prefetch_related("links"):
        yield (
            speaker.name,
            speaker.job_title,
            speaker.organization.name if speaker.organization else "",
            speaker.bio,
            speaker.email,
            speaker.phone,
            " ".join(link.url for link in speaker.links.all()),
        )


def lineup_entries_for_emails(emails: Iterable[str]) -> QuerySet[LineupEntry]:
    """The lineup entries of the speakers with one of these lowercase addresses (a list, or a
    query of addresses nested into this one): what a signed-in person with verified addresses
    may open as their speaker portal."""
    return (
        LineupEntry.objects.annotate(speaker_email=Lower("speaker__email"))
        .filter(speaker_email__in=emails)
        .exclude(speaker__email="")
        .select_related("event", "speaker__organization")
        .order_by("-event__start_date", "pk")
    )


def portal_roles(entry: LineupEntry) -> list[SessionSpeaker]:
    """The speaker's sessions at the entry's event, by time, each with its stage and everyone
    on it (co-panelists, moderator) in stage order: three queries, however many sessions."""
    everyone = Prefetch(
        "session__session_speakers",
        SessionSpeaker.objects.select_related("speaker").order_by("position"),
    )
    return list(
        SessionSpeaker.objects.filter(speaker_id=entry.speaker_id, session__event_id=entry.event_id)
        .select_related("session__stage")
        .prefetch_related(everyone)
        .order_by("session__starts_at", "session_id")
    )
