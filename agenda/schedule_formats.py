"""An agenda in the frab / C3VOC `schedule.xml` and `schedule.json` formats that Giggity reads."""

import datetime as dt
import functools
import hashlib
import json
import re
import uuid
import xml.etree.ElementTree as ET  # nosec B405  # only builds XML, parses none
from collections.abc import Iterable

from django.utils.text import slugify

from agenda.rows import SessionRow
from events.models import Event, Session

# Fixed forever: every guid below is derived from it, and apps key bookmarks on guids.
GREENROOM_NAMESPACE = uuid.UUID("4f0c2f35-3b8e-4d1e-9a57-6c1f2b9e8d40")
SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
GENERATOR = "greenroom"
LANGUAGE = "en"
# Our sessions start on any minute; apps only use this to draw their grid.
TIMESLOT_DURATION = "00:05"
# schedule.schema.json only accepts zone names of this shape (re.search, as jsonschema does);
# others (Etc/GMT+5, US/Pacific) are left out of the JSON rather than making it invalid.
JSON_TIME_ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
# Characters XML 1.0 cannot carry at all, even escaped; pasted abstracts sometimes hold them.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TITLE_SLUG_LENGTH = 50


def schedule_json(
    *,
    event: Event,
    sessions: Iterable[Session | SessionRow],
    base_url: str,
    version: str | None = None,
) -> dict:
    """The agenda as a version-1 `schedule.json` document (validates against schedule.schema.json).

    `sessions` are the published sessions of `event` as rows (agenda.rows.session_rows) or as
    `agenda.selectors.published_sessions` loads them; nothing here queries the database.
    `base_url` is the event's absolute URL in the API (`…/api/v1/events/{slug}/`); session
    and schedule URLs are built under it. `version` is the name of the schedule's latest
    release; without one, a digest of the content stands in. A cancelled session stays, its
    title marked (the formats have no status).
    """
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": GENERATOR},
        "schedule": _schedule(event=event, sessions=sessions, base_url=base_url, version=version),
    }


def schedule_xml(
    *,
    event: Event,
    sessions: Iterable[Session | SessionRow],
    base_url: str,
    version: str | None = None,
) -> bytes:
    """The agenda as a `schedule.xml` document (validates against schedule.xml.xsd).

    Same content as `schedule_json`, from the same data; the same arguments and rules apply.
    """
    schedule = _schedule(event=event, sessions=sessions, base_url=base_url, version=version)
    conference = schedule["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR)
    _text(root, "url", f"{base_url.rstrip('/')}/schedule.xml")
    _text(root, "version", schedule["version"])
    conference_element = ET.SubElement(root, "conference")
    _text(conference_element, "acronym", conference["acronym"])
    _text(conference_element, "title", conference["title"])
    _text(conference_element, "start", conference["start"])
    _text(conference_element, "end", conference["end"])
    _text(conference_element, "days", str(conference["daysCount"]))
    _text(conference_element, "timeslot_duration", conference["timeslot_duration"])
    _text(conference_element, "time_zone_name", event.time_zone)
    _text(conference_element, "base_url", schedule["base_url"])
    room_guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    for day in conference["days"]:
        day_element = ET.SubElement(
            root,
            "day",
            index=str(day["index"]),
            date=day["date"],
            start=day["day_start"],
            end=day["day_end"],
        )
        for room_name, talks in day["rooms"].items():
            room_element = ET.SubElement(
                day_element, "room", name=_clean(room_name), guid=room_guids[room_name]
            )
            for talk in talks:
                _xml_event(room_element, talk)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# Every export names the same few thousand ids again, and each uuid5 is a SHA-1: uncached they
# were a third of the time of schedule.json.
@functools.lru_cache(maxsize=65536)
def _guid(kind: str, pk: int) -> str:
    # Not frab's uuid5 of a speaker's e-mail address: that address is private.
    return str(uuid.uuid5(GREENROOM_NAMESPACE, f"{kind}:{pk}"))


def _schedule(
    *, event: Event, sessions: Iterable[Session | SessionRow], base_url: str, version: str | None
) -> dict:
    zone = event.tzinfo
    # Sessions and schedules live under the event's URL, as api-v1.md fixes the paths.
    event_url = base_url.rstrip("/")
    acronym = _acronym(event)
    sessions = sorted(map(SessionRow.of, sessions), key=lambda row: (row.starts_at, row.pk))
    # Rooms come from the sessions, not `event.stages`, so that exporting costs no query.
    stages = sorted(
        {session.stage.pk: session.stage for session in sessions}.values(),
        key=lambda stage: (stage.position, stage.name, stage.pk),
    )
    by_day: dict[dt.date, list[SessionRow]] = {}
    for session in sessions:
        by_day.setdefault(session.starts_at.astimezone(zone).date(), []).append(session)
    # A session outside the event's dates (the admin refuses those) still gets its day.
    dates = sorted(set(event.days) | set(by_day))

    days = []
    for index, date in enumerate(dates, start=1):
        day_sessions = by_day.get(date, [])
        day_start = dt.datetime.combine(date, dt.time.min, tzinfo=zone)
        # Local midnight to local midnight: 23 or 25 hours on a DST change.
        day_end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        day_end = max([day_end, *(session.ends_at for session in day_sessions)])
        rooms: dict[str, list[dict]] = {stage.name: [] for stage in stages}
        for session in day_sessions:
            rooms[session.stage.name].append(
                _json_event(session=session, zone=zone, acronym=acronym, event_url=event_url)
            )
        days.append(
            {
                "index": index,
                "date": date.isoformat(),
                "day_start": _local_iso(day_start, zone),
                "day_end": _local_iso(day_end, zone),
                "rooms": rooms,
            }
        )

    conference = {
        "acronym": acronym,
        "title": event.name,
        "start": dates[0].isoformat(),
        "end": dates[-1].isoformat(),
        "daysCount": len(dates),
        "timeslot_duration": TIMESLOT_DURATION,
        "rooms": [
            {"name": stage.name, "guid": _guid("stage", stage.pk), "capacity": stage.capacity}
            for stage in stages
        ],
        "days": days,
    }
    if JSON_TIME_ZONE_NAME.search(event.time_zone):
        conference["time_zone_name"] = event.time_zone
    content = {
        "url": f"{event_url}/schedule.json",
        "base_url": f"{event_url}/",
        "conference": conference,
    }
    if version is None:
        # Before the first release, a digest of what is exported: it changes whenever an app
        # would see a change, including a session deleted or withdrawn, which no remaining
        # `updated_at` would reveal.
        version = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:12]
    return {"version": version, **content}


def _json_event(*, session: SessionRow, zone: dt.tzinfo, acronym: str, event_url: str) -> dict:
    tags = session.tags
    return {
        "guid": _guid("session", session.pk),
        "id": session.pk,
        "date": _local_iso(session.starts_at, zone),
        "start": session.starts_at.astimezone(zone).strftime("%H:%M"),
        "end": _local_iso(session.ends_at, zone),
        "duration": _duration(session.ends_at - session.starts_at),
        "room": session.stage.name,
        "slug": _session_slug(session, acronym),
        "url": f"{event_url}/sessions/{session.pk}/",
        # frab has no status for a talk: apps show the title, so that is where cancelling shows.
        "title": session.marked_title(),
        "subtitle": "",
        "track": tags[0].name if tags else None,
        "type": session.format,
        "language": LANGUAGE,
        "abstract": session.abstract,
        "description": "",
        # frab's person (`id` and `public_name`), which frab consumers such as pyfahrplan
        # read; without `name`, which would make it pretalx's person as well, and the
        # schema's oneOf allows one kind only.
        "persons": [
            {
                "id": speaker.speaker_id,
                "guid": _guid("speaker", speaker.speaker_id),
                "public_name": speaker.name,
            }
            for speaker in session.speakers
        ],
        "links": _links(session),
        "attachments": [],
    }


def _links(session: SessionRow) -> list[dict]:
    """Where to watch the session, as the schema's references of type `media`."""
    watch = (("Livestream", session.livestream_url), ("Recording", session.recording_url))
    return [{"type": "media", "url": url, "title": title} for title, url in watch if url]


def _xml_event(room_element: ET.Element, talk: dict) -> None:
    element = ET.SubElement(room_element, "event", guid=talk["guid"], id=str(talk["id"]))
    for name in ("date", "start", "duration", "room", "slug", "url", "title", "subtitle"):
        _text(element, name, talk[name])
    _text(element, "track", talk["track"] or "")
    for name in ("type", "language", "abstract", "description"):
        _text(element, name, talk[name])
    persons = ET.SubElement(element, "persons")
    for person in talk["persons"]:
        _text(persons, "person", person["public_name"], id=str(person["id"]), guid=person["guid"])
    links = ET.SubElement(element, "links")
    for link in talk["links"]:
        _text(links, "link", link["title"], href=link["url"], type=link["type"])
    ET.SubElement(element, "attachments")


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> None:
    ET.SubElement(parent, tag, attributes).text = _clean(text)


def _clean(text: str) -> str:
    return XML_FORBIDDEN.sub("", text)


def _acronym(event: Event) -> str:
    # Slugs like "tc-sessions-2030" fit neither the JSON schema's acronym (a hyphen only in a
    # "-2030-name" suffix) nor the XSD's session slug (four [a-z0-9_] before the first
    # hyphen), so hyphens become underscores; both schemas want four characters or more.
    acronym = re.sub(r"[^a-z0-9_]", "_", event.slug.lower())
    if len(acronym) < 4:
        acronym = f"{acronym}_{event.start_date.year}"
    return acronym


def _session_slug(session: SessionRow, acronym: str) -> str:
    # `{acronym}-{id}-{title}` as C3VOC names recordings; the XSD wants at least four
    # characters after the first hyphen and the JSON schema an alphanumeric last character.
    title = slugify(session.title)[:TITLE_SLUG_LENGTH].strip("-_")
    if len(title) < 2:
        title = "-".join(part for part in (title, "session") if part)
    return f"{acronym}-{session.pk}-{title}"


def _local_iso(moment: dt.datetime, zone: dt.tzinfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _duration(length: dt.timedelta) -> str:
    hours, minutes = divmod(int(length.total_seconds()) // 60, 60)
    return f"{hours:02d}:{minutes:02d}"
