"""The public agenda read as plain rows (`.values()`), for the read paths that show all of it.

Building thousands of model instances and walking them through DRF serializers cost most of
an uncached render of a large agenda (the bundle of 200 sessions and 400 speakers made over
5,000 model instances and 80,000 serializer field reads). Here each kind of row is read once
with `.values()` and kept as a small slotted object; `session_document` and `speaker_document`
give exactly what SessionSerializer and LineupSpeakerSerializer give (the serializers stay the
declaration of the API and its schema; tests/agenda/test_agenda_rows.py holds the two equal).

To show a new field: add it to the row (and its `*_COLUMNS`), and to the document builder.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from events.models import Event, Session
from speakers.headshots import RENDITION_SIDES
from speakers.models import SessionRole, SessionSpeaker, Speaker, SpeakerLink

ROLE_LABELS = dict(SessionRole.choices)
# The rendition `headshot_url` names, kept for apps written before `headshots`.
LARGEST_HEADSHOT = str(max(RENDITION_SIDES))


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
    """A speaker as shown on a session: who, and in which role and order."""

    speaker_id: int
    name: str
    job_title: str
    organization: str | None
    role: str
    position: int

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
    updated_at: dt.datetime
    stage: StageRow
    tags: tuple[TagRow, ...] = ()
    speakers: tuple[SessionSpeakerRow, ...] = ()

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
                updated_at=value["updated_at"],
                stage=stage,
                tags=tuple(tags.get(value["id"], ())),
                speakers=tuple(speakers.get(value["id"], ())),
            )
        )
    return rows


# --- documents: what the API shows --------------------------------------------------------


def api_datetime(moment: dt.datetime | None) -> str | None:
    """An instant as DRF's DateTimeField shows it (UTC, `Z`)."""
    if moment is None:
        return None
    text = moment.astimezone(dt.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def local_datetime(moment: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    """An instant in an event's zone, as config.api.fields.EventLocalDateTimeField shows it."""
    return moment.astimezone(zone).isoformat() if moment else None


def session_document(row: SessionRow, zone: dt.tzinfo) -> dict:
    """What SessionSerializer shows of the session (`zone`: its event's)."""
    return {
        "id": row.id,
        "title": row.title,
        "abstract": row.abstract,
        "format": row.format,
        "stage": {"id": row.stage.id, "name": row.stage.name},
        "starts_at": local_datetime(row.starts_at, zone),
        "ends_at": local_datetime(row.ends_at, zone),
        "duration_minutes": int((row.ends_at - row.starts_at).total_seconds() // 60),
        "tags": [{"slug": tag.slug, "name": tag.name} for tag in row.tags],
        "speakers": [
            {
                "id": speaker.speaker_id,
                "name": speaker.name,
                "job_title": speaker.job_title,
                "organization": speaker.organization,
                "role": speaker.role,
                "position": speaker.position,
            }
            for speaker in row.speakers
        ],
        "updated_at": api_datetime(row.updated_at),
    }


def session_documents(rows: Iterable[SessionRow]) -> list[dict]:
    return [session_document(row, row.event.tzinfo) for row in rows]


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
    headshot_urls: Callable[[Speaker], dict[str, str] | None],
) -> list[dict]:
    """What LineupSpeakerSerializer shows of each speaker, with their roles in the event's
    published sessions: three queries (speakers with their company, links, roles).

    `headshot_urls(speaker)` gives the `headshots` of a speaker (an unsaved instance with
    `headshot` and `headshot_renditions` set), as the serializer builds them.
    """
    zone = event.tzinfo
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
                "starts_at": local_datetime(starts_at, zone),
                "ends_at": local_datetime(ends_at, zone),
                "stage": stage,
                "role": role,
            }
        )
    documents = []
    for value in values:
        headshots = None
        if value["headshot"] and value["headshot_renditions"]:
            headshots = headshot_urls(
                Speaker(
                    headshot=value["headshot"], headshot_renditions=value["headshot_renditions"]
                )
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
                "headshot_url": (headshots or {}).get(LARGEST_HEADSHOT),
                "headshots": headshots,
                "links": links.get(value["id"], []),
                "updated_at": api_datetime(value["updated_at"]),
                "sessions": roles.get(value["id"], []),
            }
        )
    return documents
