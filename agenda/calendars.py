"""Sessions as an iCalendar feed: an event's `agenda.ics` and a person's bookmarked sessions."""

import datetime as dt
import re
from collections.abc import Callable, Iterable

from icalendar import Timezone

from agenda.rows import SessionRow
from events.models import Session

PRODID = "-//Greenroom//Agenda//EN"
# RFC 5545 TEXT holds no control characters but tab and line breaks (which are escaped);
# pasted abstracts sometimes carry others (vertical tab, terminal escapes).
ICS_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_OCTETS = 75  # RFC 5545 3.1: longer content lines are folded


def ics_text(value: str) -> str:
    """`value` without the control characters iCalendar text cannot carry."""
    return ICS_CONTROL.sub("", value)


def agenda_calendar(
    *,
    name: str,
    sessions: Iterable[Session | SessionRow],
    url_for_session: Callable[[SessionRow], str] | None = None,
) -> bytes:
    """An iCalendar with one VEVENT per session, each in its event's own time zone.

    Sessions may come from several events: rows (agenda.rows.session_rows), or sessions loaded
    with their event, stage, tags and `session_speakers` (with speaker and organization), as
    `published_sessions` does. Nothing here queries the database.

    Each VEVENT is written as text: icalendar's components cost over a millisecond per event
    (most of it folding lines), more than the whole rest of the answer. The VTIMEZONEs, a
    few per calendar, still come from icalendar.
    """
    rows = sorted(map(SessionRow.of, sessions), key=lambda row: (row.starts_at, row.pk))
    lines = [
        "BEGIN:VCALENDAR",
        _property("PRODID", PRODID),
        _property("VERSION", "2.0"),
        _property("CALSCALE", "GREGORIAN"),
        _property("NAME", _text(name)),
        _property("X-WR-CALNAME", _text(name)),
    ]
    for timezone in _timezones(rows):
        lines.append(timezone.to_ical().decode().rstrip("\r\n"))
    for row in rows:
        lines.extend(_vevent(row, url_for_session))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def _vevent(row: SessionRow, url_for_session: Callable[[SessionRow], str] | None) -> list[str]:
    zone = row.event.tzinfo
    updated_at = _utc(row.updated_at)
    lines = [
        "BEGIN:VEVENT",
        _property("UID", f"session-{row.pk}@greenroom"),
        _property("DTSTAMP", updated_at),
        _property("LAST-MODIFIED", updated_at),
        # Wall time with its TZID, so calendars show the time printed on the event's agenda.
        _property(f"DTSTART;TZID={row.event.time_zone}", _local(row.starts_at, zone)),
        _property(f"DTEND;TZID={row.event.time_zone}", _local(row.ends_at, zone)),
        # RFC 5545's STATUS for calendars that act on it, the summary for those that do not.
        _property("SUMMARY", _text(row.marked_title())),
    ]
    if row.is_cancelled:
        lines.append(_property("STATUS", "CANCELLED"))
    description = _text(_description(row))
    if description:
        lines.append(_property("DESCRIPTION", description))
    lines.append(_property("LOCATION", _text(f"{row.stage.name}, {row.event.name}")))
    if row.tags:
        lines.append(_property("CATEGORIES", ",".join(_text(tag.name) for tag in row.tags)))
    if url_for_session is not None:
        lines.append(_property("URL", url_for_session(row)))
    lines.append("END:VEVENT")
    return lines


def _description(row: SessionRow) -> str:
    speakers = "\n".join(
        ", ".join(part for part in (speaker.name, speaker.job_title, speaker.organization) if part)
        + f" ({speaker.role_label})"
        for speaker in row.speakers
    )
    # In the text, where every calendar shows them: a VEVENT has one URL (the session's page).
    links = "\n".join(
        f"{label}: {url}"
        for label, url in (
            ("Watch live", row.livestream_url),
            ("Watch the recording", row.recording_url),
        )
        if url
    )
    return "\n\n".join(part for part in (row.abstract, speakers, links) if part)


def _text(value: str) -> str:
    """A TEXT value without control characters, escaped as RFC 5545 3.3.11 says: backslash,
    semicolon and comma, and a line break as `\\n` (str.replace: translate() is far slower)."""
    text = ics_text(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: dt.datetime, zone: dt.tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def _property(name: str, value: str) -> str:
    """One content line, folded into lines of at most 75 octets, never inside a character."""
    line = f"{name}:{value}"
    encoded = line.encode()
    if len(encoded) <= LINE_OCTETS:
        return line
    parts, start, limit = [], 0, LINE_OCTETS
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and encoded[end] & 0xC0 == 0x80:  # a continuation byte
            end -= 1
        parts.append(encoded[start:end].decode())
        start, limit = end, LINE_OCTETS - 1  # a folded line starts with a space
    return "\r\n ".join(parts)


def _timezones(rows: list[SessionRow]) -> list[Timezone]:
    """A VTIMEZONE per event zone in use, covering just the days its sessions span."""
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for row in rows:
        zone = row.event.tzinfo
        first = row.starts_at.astimezone(zone).date()
        last = row.ends_at.astimezone(zone).date() + dt.timedelta(days=1)
        known_first, known_last = spans.get(row.event.time_zone, (first, last))
        spans[row.event.time_zone] = (min(first, known_first), max(last, known_last))
    # Not Calendar.add_missing_timezones(): it covers 1970–2038 unless told otherwise, and
    # before icalendar 7 it placed the VTIMEZONEs after the events that refer to them.
    return [
        Timezone.from_tzid(time_zone, first_date=first, last_date=last)
        for time_zone, (first, last) in sorted(spans.items())
    ]
