"""Reads of speakers shared by the admin and the CSV export."""

from collections.abc import Iterator

from django.db.models import QuerySet

from speakers.models import Speaker

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
