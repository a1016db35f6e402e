"""Database constraints of the events app hold even when code bypasses the services."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.db.models import F

from events.models import Session
from tests.factories import EventFactory, SessionFactory, StageFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_event_ending_before_it_starts_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        EventFactory(start_date=dt.date(2030, 6, 10), end_date=dt.date(2030, 6, 9))


def test_one_day_event_is_allowed():
    event = EventFactory(start_date=dt.date(2030, 6, 10), end_date=dt.date(2030, 6, 10))

    assert event.days == [dt.date(2030, 6, 10)]


def test_event_with_unknown_status_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        EventFactory(status="archived")


@pytest.mark.parametrize("minutes", [0, -30])
def test_session_not_ending_after_its_start_is_refused_by_the_database(minutes):
    session = SessionFactory()

    with pytest.raises(IntegrityError):
        Session.objects.filter(pk=session.pk).update(
            ends_at=F("starts_at") + dt.timedelta(minutes=minutes)
        )


def test_session_with_unknown_format_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        SessionFactory(format="concert")


def test_stage_slug_is_unique_within_an_event():
    stage = StageFactory(slug="main")

    with pytest.raises(IntegrityError):
        StageFactory(event=stage.event, slug="main")


def test_same_stage_slug_in_two_events_is_allowed():
    StageFactory(slug="main")
    StageFactory(slug="main")


def test_event_slug_is_unique():
    EventFactory(slug="mobility")

    with pytest.raises(IntegrityError):
        EventFactory(slug="mobility")


def test_tag_names_are_unique_ignoring_case():
    TagFactory(name="Robotaxi", slug="robotaxi")

    with pytest.raises(IntegrityError):
        TagFactory(name="robotaxi", slug="robotaxi-2")
