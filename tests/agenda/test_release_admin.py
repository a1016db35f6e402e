"""The release screen: organizers release the schedule with a version name and a note, and see
what changed in each release."""

import datetime as dt

import pytest
from django.urls import reverse

from agenda.models import ScheduleRelease
from agenda.services import release_schedule, schedule_session
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:agenda_schedulerelease_add")


def test_organizer_releases_the_schedule_from_the_admin(organizer_client, organizer):
    session = SessionFactory()

    response = organizer_client.post(
        ADD_URL, {"event": session.event.pk, "version": " 1.0 ", "note": "First full agenda"}
    )

    assert response.status_code == 302
    release = ScheduleRelease.objects.get()
    assert (release.version, release.note, release.released_by, release.session_count) == (
        "1.0",
        "First full agenda",
        organizer,
        1,
    )


def test_duplicate_version_is_a_form_error_naming_the_event(organizer_client):
    event = SessionFactory().event
    release_schedule(event=event, version="1.0")

    response = organizer_client.post(ADD_URL, {"event": event.pk, "version": "1.0", "note": ""})

    assert response.status_code == 200
    assert f"{event.name} already has a release named “1.0”" in response.content.decode()
    assert ScheduleRelease.objects.count() == 1


def test_release_page_lists_each_change_in_the_event_time(organizer_client):
    session = SessionFactory(title="Robotaxis")  # 10:00–10:45 in the event's zone
    release_schedule(event=session.event, version="1.0")
    session.starts_at += dt.timedelta(hours=2)
    session.ends_at += dt.timedelta(hours=2)
    schedule_session(session=session, speakers=[])
    release = release_schedule(event=session.event, version="1.1")

    page = organizer_client.get(
        reverse("admin:agenda_schedulerelease_change", args=[release.pk])
    ).content.decode()

    assert "Mon 10 Jun 10:00–10:45" in page
    assert "Mon 10 Jun 12:00–12:45" in page
    assert "Moved" in page


def test_release_list_shows_each_release_with_its_count_of_changes(organizer_client):
    session = SessionFactory()
    release_schedule(event=session.event, version="1.0")
    session.title = "Retitled"
    schedule_session(session=session, speakers=[])
    release_schedule(event=session.event, version="1.1")

    response = organizer_client.get(reverse("admin:agenda_schedulerelease_changelist"))

    rows = [release.change_count for release in response.context["cl"].result_list]
    assert (response.status_code, rows) == (200, [1, 0])


def test_releases_cannot_be_deleted(organizer_client):
    release = release_schedule(event=SessionFactory().event, version="1.0")

    response = organizer_client.get(
        reverse("admin:agenda_schedulerelease_delete", args=[release.pk])
    )

    assert response.status_code == 403
