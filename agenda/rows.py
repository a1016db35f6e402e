"""The public agenda read as plain rows (`.values()`), for the read paths that show all of it.

Building thousands of model instances and walking them through DRF serializers cost most of
an uncached render of a large agenda (the bundle of 200 sessions and 400 speakers made over
5,000 model instances and 80,000 serializer field reads). Here each kind of row is read once
with `.values()` and kept as a small slotted object; `session_document` and `speaker_documents`
give exactly what SessionSerializer and LineupSpeakerSerializer give (the serializers stay the
declaration of the API and its schema; tests/agenda/test_agenda_rows.py holds the two equal).

To show a new field: add it to the row (and its `*_COLUMNS`), and to the document builder.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from config.api.timestamps import api_timestamp
from events.models import Event, Session
from speakers.headshots import RENDITION_SIDES
from speakers.models import SessionRole, SessionSpeaker, Speaker, SpeakerLink

ROLE_LABELS = dict(SessionRole.choices)
# The rendition `headshot_url` names, kept for apps written before `headshots`.
LARGEST_HEADSHOT = str(max(RENDITION_SIDES))
# `headshot_urls(speaker)`: the `headshots` of a speaker (an unsaved instance with `headshot`
# and `headshot_renditions` set), as the serializers build them
# (agenda.api.serializers.headshot_urls with the request).
HeadshotUrls = Callable[[Speaker], dict[str, str] | None]


@dataclass(slots=True, frozen=True)
class StageRow:
    id: int
    name: str
    position: int
    capacity: int | None

    @property
    def pk(self) -> int:
        return self.id


@dataclass(slots=True, frozen=True)
class TagRow:
    slug: str
    name: str


@dataclass(slots=True, frozen=True)
class SessionSpeakerRow:
    """A speaker as shown on a session: who, in which role and order, and their headshot (the
    stored file's name and its renditions' names by side)."""

    speaker_id: int
    name: str
    job_title: str
    organization: str | None
    role: str
    position: int
    headshot: str
    headshot_renditions: dict[str, str]

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass(slots=True)
class SessionRow:
    """A published session with its stage, tags (by name) and speakers (by position)."""

    id: int
    event: Event
    title: str
    abstract: str
    format: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    livestream_url: str
    recording_url: str
    updated_at: dt.datetime
    stage: StageRow
    tags: tuple[TagRow, ...] = ()
    speakers: tuple[SessionSpeakerRow, ...] = ()

    # The model's own rules, read from the row's fields, so that a row is marked in every
    # export exactly as a session is.
    is_cancelled = Session.is_cancelled
    marked_title = Session.marked_title

    @property
    def pk(self) -> int:
        return self.id

    @classmethod
    def of(cls, session: "Session | SessionRow") -> "SessionRow":
        """A session loaded as agenda.selectors.published_sessions loads it, as a row."""
        if isinstance(session, SessionRow):
            return session
        stage = session.stage
        return cls(
            id=session.pk,
            event=session.event,
            title=session.title,
            abstract=session.abstract,
            format=session.format,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            status=session.status,
            livestream_url=session.livestream_url,
            recording_url=session.recording_url,
            updated_at=session.updated_at,
            stage=StageRow(stage.pk, stage.name, stage.position, stage.capacity),
            tags=tuple(TagRow(tag.slug, tag.name) for tag in session.tags.all()),
            speakers=tuple(
                SessionSpeakerRow(
                    speaker_id=entry.speaker_id,
                    name=entry.speaker.name,
                    job_title=entry.speaker.job_title,
                    organization=entry.speaker.organization.name
                    if entry.speaker.organization
                    else None,
                    role=entry.role,
                    position=entry.position,
                    headshot=entry.speaker.headshot.name,
                    headshot_renditions=entry.speaker.headshot_renditions,
                )
                for entry in session.session_speakers.all()
            ),
        )


SESSION_COLUMNS = (
    "id",
    "event_id",
    "title",
    "abstract",
    "format",
    "starts_at",
    "ends_at",
    "status",
    "livestream_url",
    "recording_url",
    "updated_at",
    "stage_id",
    "stage__name",
    "stage__position",
    "stage__capacity",
)


def session_rows(sessions: QuerySet[Session], *, event: Event) -> list[SessionRow]:
    """The sessions of `event` that `sessions` selects, in its order, as rows: three queries
    (sessions with their stage, their tags, their speakers), whatever their number."""
    sessions = sessions.prefetch_related(None).select_related(None)
    found = list(sessions.values(*SESSION_COLUMNS))
    # A subquery rather than hundreds of ids: cheaper to send, and for PostgreSQL to plan.
    return _with_tags_and_speakers(found, event=event, ids=sessions.order_by().values("pk"))


def rows_of_values(values: Sequence[dict], *, event: Event) -> list[SessionRow]:
    """Rows for sessions already read as `.values(*SESSION_COLUMNS)` (a page of them)."""
    return _with_tags_and_speakers(values, event=event, ids=[value["id"] for value in values])


def _with_tags_and_speakers(
    values: Sequence[dict], *, event: Event, ids: Sequence[int] | QuerySet
) -> list[SessionRow]:
    tags: dict[int, list[TagRow]] = {}
    speakers: dict[int, list[SessionSpeakerRow]] = {}
    if values:
        links = (
            Session.tags.through.objects.filter(session_id__in=ids)
            .order_by("tag__name", "tag_id")
            .values_list("session_id", "tag__slug", "tag__name")
        )
        for session_id, slug, name in links:
            tags.setdefault(session_id, []).append(TagRow(slug, name))
        roles = (
            SessionSpeaker.objects.filter(session_id__in=ids)
            .order_by("position", "pk")
            .values_list(
                "session_id",
                "speaker_id",
                "speaker__name",
                "speaker__job_title",
                "speaker__organization__name",
                "role",
                "position",
                "speaker__headshot",
                "speaker__headshot_renditions",
            )
        )
        for session_id, *speaker in roles:
            speakers.setdefault(session_id, []).append(SessionSpeakerRow(*speaker))
    stages: dict[int, StageRow] = {}
    rows = []
    for value in values:
        stage_id = value["stage_id"]
        stage = stages.get(stage_id)
        if stage is None:
            stage = stages[stage_id] = StageRow(
                stage_id, value["stage__name"], value["stage__position"], value["stage__capacity"]
            )
        rows.append(
            SessionRow(
                id=value["id"],
                event=event,
                title=value["title"],
                abstract=value["abstract"],
                format=value["format"],
                starts_at=value["starts_at"],
                ends_at=value["ends_at"],
                status=value["status"],
                livestream_url=value["livestream_url"],
                recording_url=value["recording_url"],
                updated_at=value["updated_at"],
                stage=stage,
                tags=tuple(tags.get(value["id"], ())),
                speakers=tuple(speakers.get(value["id"], ())),
            )
        )
    return rows


# --- documents: what the API shows --------------------------------------------------------


class Headshots:
    """The `headshots` of each speaker, built once per speaker however many sessions show
    them; a speaker without a headshot costs nothing."""

    def __init__(self, headshot_urls: HeadshotUrls) -> None:
        self.headshot_urls = headshot_urls
        self.known: dict[int, dict[str, str] | None] = {}

    def of(self, speaker_id: int, headshot: str, renditions: dict[str, str]) -> dict | None:
        if not headshot or not renditions:
            return None
        if speaker_id not in self.known:
            speaker = Speaker(headshot=headshot, headshot_renditions=renditions)
            self.known[speaker_id] = self.headshot_urls(speaker)
        return self.known[speaker_id]


def session_document(row: SessionRow, headshots: Headshots) -> dict:
    """What SessionSerializer shows of the session."""
    return {
        "id": row.id,
        "title": row.title,
        "abstract": row.abstract,
        "format": row.format,
        "stage": {"id": row.stage.id, "name": row.stage.name},
        "starts_at": api_timestamp(row.starts_at),
        "ends_at": api_timestamp(row.ends_at),
        "duration_minutes": int((row.ends_at - row.starts_at).total_seconds() // 60),
        "status": row.status,
        "tags": [{"slug": tag.slug, "name": tag.name} for tag in row.tags],
        "speakers": [
            {
                "id": speaker.speaker_id,
                "name": speaker.name,
                "job_title": speaker.job_title,
                "organization": speaker.organization,
                "role": speaker.role,
                "position": speaker.position,
                "headshots": headshots.of(
                    speaker.speaker_id, speaker.headshot, speaker.headshot_renditions
                ),
            }
            for speaker in row.speakers
        ],
        "livestream_url": row.livestream_url or None,
        "recording_url": row.recording_url or None,
        "updated_at": api_timestamp(row.updated_at),
    }


def session_documents(rows: Iterable[SessionRow], *, headshot_urls: HeadshotUrls) -> list[dict]:
    headshots = Headshots(headshot_urls)
    return [session_document(row, headshots) for row in rows]


# --- the lineup -------------------------------------------------------------------------------

SPEAKER_COLUMNS = (
    "id",
    "name",
    "slug",
    "job_title",
    "organization_id",
    "organization__name",
    "organization__website",
    "pronouns",
    "bio",
    "headshot",
    "headshot_renditions",
    "updated_at",
)


def speaker_documents(
    speakers: QuerySet[Speaker],
    *,
    event: Event,
    headshot_urls: HeadshotUrls,
) -> list[dict]:
    """What LineupSpeakerSerializer shows of each speaker, with their roles in the event's
    published sessions: three queries (speakers with their company, links, roles)."""
    headshots = Headshots(headshot_urls)
    values = list(speakers.prefetch_related(None).select_related(None).values(*SPEAKER_COLUMNS))
    # The ids rather than the lineup as a subquery: its DISTINCT over two joins, run again
    # for links and for roles, cost PostgreSQL more than the whole answer costs Python.
    ids = [value["id"] for value in values]
    links: dict[int, list[dict]] = {}
    for speaker_id, url, label in (
        SpeakerLink.objects.filter(speaker_id__in=ids)
        .order_by("speaker", "id")
        .values_list("speaker_id", "url", "label")
    ):
        links.setdefault(speaker_id, []).append({"url": url, "label": label})
    roles: dict[int, list[dict]] = {}
    for speaker_id, session_id, title, starts_at, ends_at, stage, role in (
        SessionSpeaker.objects.filter(
            speaker_id__in=ids, session__event=event, session__is_published=True
        )
        .order_by("session__starts_at")
        .values_list(
            "speaker_id",
            "session_id",
            "session__title",
            "session__starts_at",
            "session__ends_at",
            "session__stage__name",
            "role",
        )
    ):
        roles.setdefault(speaker_id, []).append(
            {
                "session_id": session_id,
                "event": event.slug,
                "title": title,
                "starts_at": api_timestamp(starts_at),
                "ends_at": api_timestamp(ends_at),
                "stage": stage,
                "role": role,
            }
        )
    documents = []
    for value in values:
        speaker_headshots = headshots.of(
            value["id"], value["headshot"], value["headshot_renditions"]
        )
        organization = None
        if value["organization_id"] is not None:
            organization = {
                "id": value["organization_id"],
                "name": value["organization__name"],
                "website": value["organization__website"],
            }
        documents.append(
            {
                "id": value["id"],
                "name": value["name"],
                "slug": value["slug"],
                "job_title": value["job_title"],
                "organization": organization,
                "pronouns": value["pronouns"],
                "bio": value["bio"],
                "headshot_url": (speaker_headshots or {}).get(LARGEST_HEADSHOT),
                "headshots": speaker_headshots,
                "links": links.get(value["id"], []),
                "updated_at": api_timestamp(value["updated_at"]),
                "sessions": roles.get(value["id"], []),
            }
        )
    return documents
