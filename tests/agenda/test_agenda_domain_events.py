"""Domain events from the agenda: every path by which organizers change what the public sees
of a session tells the apps above, inside the change's transaction."""

import datetime as dt

import pytest
from django.urls import reverse

from agenda.services import (
    SpeakerSlot,
    cancel_session,
    reinstate_session,
    release_schedule,
    schedule_session,
    set_sessions_published,
)
from core import domain_events
from events.models import Session
from tests.agenda.test_session_admin import session_form
from tests.factories import (
    EventFactory,
    SessionFactory,
    SpeakerFactory,
    StageFactory,
    local_time,
)

pytestmark = pytest.mark.django_db


def kinds(heard) -> list[tuple[str, list[str]]]:
    return [(event.type, event.data.get("changes")) for event in heard]


def new_session(**fields) -> Session:
    event = EventFactory(slug="mobility-2030")
    stage = StageFactory(event=event, name="Main Stage", slug="main-stage")
    return Session(
        event=event,
        stage=stage,
        title="Robotaxis",
        format=Session.Format.PANEL,
        starts_at=local_time(event, 0, 10),
        ends_at=local_time(event, 0, 11),
        **fields,
    )


def test_scheduling_a_published_session_publishes_session_created_with_the_payload(heard):
    session = schedule_session(session=new_session(is_published=True), speakers=[])

    [created] = heard
    assert (created.type, created.event_id) == ("session.created", session.event_id)
    assert created.data == {
        "id": session.pk,
        "event": "mobility-2030",
        "title": "Robotaxis",
        "starts_at": "2030-06-10T17:00:00Z",
        "ends_at": "2030-06-10T18:00:00Z",
        "stage": {"id": session.stage_id, "slug": "main-stage", "name": "Main Stage"},
        "status": "scheduled",
        "changes": [],
    }


def test_scheduling_an_unpublished_session_publishes_nothing(heard):
    schedule_session(session=new_session(is_published=False), speakers=[])

    assert heard == []


def test_publishing_sessions_publishes_session_created_for_each_newly_published(heard):
    draft = SessionFactory(is_published=False)
    published = SessionFactory(event=draft.event, starts_at=local_time(draft.event, 1, 9))

    set_sessions_published(Session.objects.all(), published=True)

    assert [(e.type, e.data["id"]) for e in heard] == [("session.created", draft.pk)]
    assert published.pk != draft.pk


def test_withdrawing_sessions_publishes_nothing(heard):
    SessionFactory()

    set_sessions_published(Session.objects.all(), published=False)

    assert heard == []


def test_moving_a_published_session_publishes_session_changed_moved(heard):
    session = SessionFactory()
    session.starts_at += dt.timedelta(hours=1)
    session.ends_at += dt.timedelta(hours=1)

    schedule_session(session=session, speakers=[])

    assert kinds(heard) == [("session.changed", ["moved"])]
    assert heard[0].data["starts_at"] == "2030-06-10T18:00:00Z"


def test_new_stage_title_and_speakers_are_each_a_kind_of_change(heard):
    session = SessionFactory()
    session.stage = StageFactory(event=session.event)
    session.title = "Robotaxis at scale"

    schedule_session(session=session, speakers=[SpeakerSlot(SpeakerFactory())])

    assert kinds(heard) == [("session.changed", ["stage_changed", "retitled", "speakers_changed"])]


def test_editing_what_no_change_kind_covers_publishes_nothing(heard):
    session = SessionFactory()
    session.abstract = "A longer abstract."

    schedule_session(session=session, speakers=[])

    assert heard == []


def test_editing_an_unpublished_session_publishes_nothing(heard):
    session = SessionFactory(is_published=False)
    session.starts_at += dt.timedelta(hours=1)
    session.ends_at += dt.timedelta(hours=1)

    schedule_session(session=session, speakers=[])

    assert heard == []


def test_cancelling_a_published_session_publishes_session_cancelled(heard):
    session = SessionFactory()

    cancel_session(session=session)

    assert kinds(heard) == [("session.cancelled", ["cancelled"])]
    assert heard[0].data["status"] == "cancelled"


def test_cancelling_an_unpublished_session_publishes_nothing(heard):
    cancel_session(session=SessionFactory(is_published=False))

    assert heard == []


def test_reinstating_publishes_session_changed_with_status_scheduled(heard):
    session = SessionFactory(status=Session.Status.CANCELLED)

    reinstate_session(session=session)

    assert [(e.type, e.data["status"], e.data["changes"]) for e in heard] == [
        ("session.changed", "scheduled", [])
    ]


def test_releasing_publishes_schedule_released_with_the_count_of_changes(heard):
    session = SessionFactory()
    release_schedule(event=session.event, version="1.0")
    cancel_session(session=session)
    heard.clear()

    release = release_schedule(event=session.event, version="1.1", note="One cancelled")

    [released] = heard
    assert (released.type, released.event_id) == ("schedule.released", session.event_id)
    assert released.data == {
        "id": release.pk,
        "event": session.event.slug,
        "version": "1.1",
        "note": "One cancelled",
        "released_at": release.released_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "changes": 1,
    }


def test_a_failing_subscriber_undoes_the_cancel_it_was_told_of():
    session = SessionFactory()

    def refuse(event):
        raise RuntimeError("outbox unavailable")

    domain_events.SUBSCRIBERS.register("test.refusing", refuse)
    try:
        with pytest.raises(RuntimeError):
            cancel_session(session=session)
    finally:
        domain_events.SUBSCRIBERS.unregister("test.refusing")

    assert Session.objects.get(pk=session.pk).status == "scheduled"


def test_moving_a_session_in_the_admin_publishes_session_changed(heard, organizer_client):
    session = SessionFactory(title="Electric fleets")

    response = organizer_client.post(
        reverse("admin:events_session_change", args=[session.pk]),
        session_form(session.stage, day=session.event.start_date, start="12:00", end="12:45"),
    )

    assert response.status_code == 302
    assert kinds(heard) == [("session.changed", ["moved"])]


def test_adding_a_published_session_in_the_admin_publishes_session_created(heard, organizer_client):
    stage = StageFactory()

    response = organizer_client.post(
        reverse("admin:events_session_add"),
        session_form(stage, day=stage.event.start_date, start="12:00", end="12:45"),
    )

    assert response.status_code == 302
    assert kinds(heard) == [("session.created", [])]


@pytest.mark.parametrize(
    ("action", "status", "published"),
    [
        ("cancel", "scheduled", ("session.cancelled", ["cancelled"])),
        ("reinstate", "cancelled", ("session.changed", [])),
    ],
)
def test_admin_cancel_and_reinstate_actions_go_through_the_services(
    heard, organizer_client, action, status, published
):
    session = SessionFactory(status=status)

    response = organizer_client.post(
        reverse("admin:events_session_changelist"),
        {"action": action, "_selected_action": [session.pk]},
    )

    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).status != status
    assert kinds(heard) == [published]
