"""Sessions as an iCalendar feed: an event's `agenda.ics` and a person's bookmarked sessions."""

import datetime as dt
import re
from collections.abc import Callable, Iterable

from icalendar import Calendar, Timezone
from icalendar import Event as CalendarEvent

from events.models import Session
from speakers.models import SessionSpeaker

PRODID = "-//Greenroom//Agenda//EN"
# RFC 5545 TEXT holds no control characters but tab and line breaks (which icalendar escapes);
# pasted abstracts sometimes carry others (vertical tab, terminal escapes).
ICS_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def ics_text(value: str) -> str:
    """`value` without the control characters iCalendar text cannot carry."""
    return ICS_CONTROL.sub("", value)


def agenda_calendar(
    *,
    name: str,
    sessions: Iterable[Session],
    url_for_session: Callable[[Session], str] | None = None,
) -> bytes:
    """An iCalendar with one VEVENT per session, each in its event's own time zone.

    Sessions may come from several events. Load them with their event, stage, tags and
    `session_speakers` (with speaker and organization), as `published_sessions` does:
    nothing here queries the database.
    """
    sessions = sorted(sessions, key=lambda session: (session.starts_at, session.pk))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", ics_text(name))
    calendar.add("x-wr-calname", ics_text(name))
    for timezone in _timezones(sessions):
        calendar.add_component(timezone)
    for session in sessions:
        calendar.add_component(_vevent(session, url_for_session))
    return calendar.to_ical()


def _vevent(session: Session, url_for_session: Callable[[Session], str] | None) -> CalendarEvent:
    zone = session.event.tzinfo
    updated_at = session.updated_at.astimezone(dt.UTC)
    vevent = CalendarEvent()
    vevent.add("uid", f"session-{session.pk}@greenroom")
    vevent.add("dtstamp", updated_at)
    vevent.add("last-modified", updated_at)
    # Wall time with its TZID, so calendars show the time printed on the event's agenda.
    vevent.add("dtstart", session.starts_at.astimezone(zone))
    vevent.add("dtend", session.ends_at.astimezone(zone))
    # RFC 5545's STATUS for calendars that act on it, the summary for those that do not.
    vevent.add("summary", ics_text(session.marked_title()))
    if session.is_cancelled:
        vevent.add("status", "CANCELLED")
    description = ics_text(_description(session))
    if description:
        vevent.add("description", description)
    vevent.add("location", ics_text(f"{session.stage.name}, {session.event.name}"))
    tags = [ics_text(tag.name) for tag in session.tags.all()]
    if tags:
        vevent.add("categories", tags)
    if url_for_session is not None:
        vevent.add("url", url_for_session(session))
    return vevent


def _description(session: Session) -> str:
    speakers = "\n".join(_speaker_line(entry) for entry in session.session_speakers.all())
    # In the text, where every calendar shows them: a VEVENT has one URL (the session's page).
    links = "\n".join(
        f"{label}: {url}"
        for label, url in (
            ("Watch live", session.livestream_url),
            ("Watch the recording", session.recording_url),
        )
        if url
    )
    return "\n\n".join(part for part in (session.abstract, speakers, links) if part)


def _speaker_line(session_speaker: SessionSpeaker) -> str:
    speaker = session_speaker.speaker
    organization = speaker.organization.name if speaker.organization else ""
    who = ", ".join(part for part in (speaker.name, speaker.job_title, organization) if part)
    return f"{who} ({session_speaker.get_role_display()})"


def _timezones(sessions: list[Session]) -> list[Timezone]:
    """A VTIMEZONE per event zone in use, covering just the days its sessions span."""
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for session in sessions:
        zone = session.event.tzinfo
        first = session.starts_at.astimezone(zone).date()
        last = session.ends_at.astimezone(zone).date() + dt.timedelta(days=1)
        known_first, known_last = spans.get(session.event.time_zone, (first, last))
        spans[session.event.time_zone] = (min(first, known_first), max(last, known_last))
    # Not Calendar.add_missing_timezones(): it covers 1970–2038 unless told otherwise, and
    # before icalendar 7 it placed the VTIMEZONEs after the events that refer to them.
    return [
        Timezone.from_tzid(time_zone, first_date=first, last_date=last)
        for time_zone, (first, last) in sorted(spans.items())
    ]
