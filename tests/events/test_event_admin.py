"""The event screen: stages inline and the agenda overview by day and stage."""

import pytest
from django.urls import reverse

from tests.factories import EventFactory, SessionFactory, StageFactory, local_time

pytestmark = pytest.mark.django_db


def test_event_page_shows_the_agenda_by_day_and_stage_in_local_time(organizer_client):
    event = EventFactory(time_zone="Asia/Shanghai")
    stage = StageFactory(event=event, name="Main Stage")
    SessionFactory(
        event=event,
        stage=stage,
        title="China's robotaxi race",
        starts_at=local_time(event, 1, 16, 30),
    )

    response = organizer_client.get(reverse("admin:events_event_change", args=[event.pk]))

    page = response.content.decode()
    assert "Times in Asia/Shanghai." in page
    assert "<strong>16:30–17:15</strong>" in page
    assert "China&#x27;s robotaxi race" in page
    assert page.index("Tuesday 11 June 2030") < page.index("China&#x27;s robotaxi race")


def test_event_is_created_with_its_stages(organizer_client):
    form = {
        "name": "TC Sessions: Mobility 2031",
        "slug": "mobility-2031",
        "status": "draft",
        "start_date": "2031-06-09",
        "end_date": "2031-06-10",
        "time_zone": "America/Los_Angeles",
        "attendance_mode": "hybrid",
        "currency": "usd",
        "stages-TOTAL_FORMS": 1,
        "stages-INITIAL_FORMS": 0,
        "stages-0-name": "Main Stage",
        "stages-0-slug": "main-stage",
        "stages-0-position": 1,
    }

    response = organizer_client.post(reverse("admin:events_event_add"), form)

    assert response.status_code == 302
    event = EventFactory._meta.model.objects.get(slug="mobility-2031")
    assert list(event.stages.values_list("name", flat=True)) == ["Main Stage"]


def stageless_event_form(**changes) -> dict:
    """The add form of a virtual event without stages, with `changes`."""
    return {
        "name": "Nowhere",
        "slug": "nowhere",
        "status": "draft",
        "start_date": "2031-06-09",
        "end_date": "2031-06-10",
        "time_zone": "UTC",
        "attendance_mode": "virtual",
        "currency": "usd",
        "stages-TOTAL_FORMS": 0,
        "stages-INITIAL_FORMS": 0,
        **changes,
    }


def test_event_with_an_unknown_time_zone_is_refused(organizer_client):
    form = stageless_event_form(time_zone="Mars/Olympus_Mons")

    response = organizer_client.post(reverse("admin:events_event_add"), form)

    assert response.status_code == 200
    assert "Select a valid choice. Mars/Olympus_Mons is not one of" in response.content.decode()


def test_event_lasting_decades_is_refused_with_the_cap(settings, organizer_client):
    settings.GREENROOM_MAX_EVENT_DAYS = 31
    form = stageless_event_form(slug="forever", start_date="2027-01-01", end_date="2099-12-31")

    response = organizer_client.post(reverse("admin:events_event_add"), form)

    assert response.status_code == 200
    assert "An event lasts at most 31 days; this one would last 26663." in (
        response.content.decode()
    )
    assert not EventFactory._meta.model.objects.filter(slug="forever").exists()
