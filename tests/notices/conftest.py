"""Fixtures of the notices tests: a bookmarked session and its bookmarker, and the session
events the agenda services publish, built from the real session as the payload contract says."""

import datetime as dt

import pytest

from agenda.services import add_bookmark
from core import domain_events
from core.domain_events import utc_iso
from tests.factories import SessionFactory, UserFactory


def session_event(session, *changes: str) -> tuple[str, dict]:
    """The type and payload the agenda services publish after changing `session` (saved)."""
    session.refresh_from_db()
    return (
        "session.cancelled" if "cancelled" in changes else "session.changed",
        {
            "id": session.pk,
            "event": session.event.slug,
            "title": session.title,
            "starts_at": utc_iso(session.starts_at),
            "ends_at": utc_iso(session.ends_at),
            "stage": {
                "id": session.stage.pk,
                "slug": session.stage.slug,
                "name": session.stage.name,
            },
            "status": session.status,
            "changes": list(changes),
        },
    )


def publish_change(session, *changes: str) -> None:
    event_type, data = session_event(session, *changes)
    domain_events.publish(event_type, event_id=session.event_id, data=data)


def move(session, *, minutes: int) -> None:
    """Move the session later by `minutes`, and publish it."""
    session.starts_at += dt.timedelta(minutes=minutes)
    session.ends_at += dt.timedelta(minutes=minutes)
    session.save()
    publish_change(session, "moved")


@pytest.fixture
def session(db):
    return SessionFactory(title="Robotaxis at scale")


@pytest.fixture
def bookmarker(session):
    person = UserFactory(username="ada", email="ada@example.com")
    add_bookmark(user=person, session=session)
    return person
