"""Schedule releases: what each records, the changelog between them, the frab `version`, the
releases API and its query budget."""

import datetime as dt

import pytest
from django.urls import reverse
from lxml import etree
from rest_framework.test import APIClient

from agenda.exceptions import AgendaError, ReleaseVersionTaken
from agenda.releases import change_kinds
from agenda.services import SpeakerSlot, release_schedule, schedule_session
from core.domain_events import utc_iso
from events.models import Session
from tests.agenda.test_schedule_formats import assert_valid_json, assert_valid_xml
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    StageFactory,
    local_time,
)

pytestmark = pytest.mark.django_db


def move(session: Session, *, hours: int) -> None:
    """Move a session through the organizers' service, its speakers kept."""
    session.starts_at += dt.timedelta(hours=hours)
    session.ends_at += dt.timedelta(hours=hours)
    slots = [
        SpeakerSlot(entry.speaker, entry.role, entry.position)
        for entry in session.session_speakers.all()
    ]
    schedule_session(session=session, speakers=slots)


def fetch(name: str, event, **query):
    response = APIClient().get(reverse(name, args=[event.slug]), query)
    assert response.status_code == 200, response.content
    return response


def test_first_release_records_the_published_sessions_and_no_changes():
    session = SessionFactory(title="Robotaxis")
    SessionFactory(
        event=session.event, is_published=False, starts_at=local_time(session.event, 1, 9)
    )

    release = release_schedule(event=session.event, version="1.0", note=" Hello ")

    assert (release.session_count, [s["id"] for s in release.snapshot]) == (1, [session.pk])
    assert (release.note, release.changes.count()) == ("Hello", 0)


def test_session_moved_after_a_release_is_in_the_next_release_as_moved_with_both_times():
    session = SessionFactory(title="Robotaxis")
    release_schedule(event=session.event, version="1.0")
    move(session, hours=2)

    release = release_schedule(event=session.event, version="1.1")

    change = release.changes.get()
    assert (change.session_key, change.kinds) == (session.pk, ["moved"])
    event = session.event
    assert (change.before["starts_at"], change.after["starts_at"]) == (
        utc_iso(local_time(event, 0, 10)),
        utc_iso(local_time(event, 0, 12)),
    )
    assert change.after["starts_at"].endswith("Z")


def test_frab_exports_carry_the_latest_release_as_their_version():
    session = SessionFactory()
    release_schedule(event=session.event, version="1.0")
    move(session, hours=1)
    release_schedule(event=session.event, version="1.1 evening")

    document = fetch("schedule-json", session.event).json()
    root = etree.fromstring(fetch("schedule-xml", session.event).content)

    assert assert_valid_json(document)["schedule"]["version"] == "1.1 evening"
    assert assert_valid_xml(etree.tostring(root)).findtext("version") == "1.1 evening"


def test_frab_version_before_any_release_is_a_digest_that_follows_the_content():
    session = SessionFactory()
    first = fetch("schedule-json", session.event).json()["schedule"]["version"]
    move(session, hours=1)

    second = fetch("schedule-json", session.event).json()["schedule"]["version"]

    assert (len(first), first != second) == (12, True)


def test_a_release_changes_the_agenda_etag():
    session = SessionFactory()
    url = reverse("schedule-json", args=[session.event.slug])
    etag = APIClient().get(url)["ETag"]

    release_schedule(event=session.event, version="1.0")

    assert APIClient().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_duplicate_version_name_is_refused_with_a_conflict_code():
    event = SessionFactory().event
    release_schedule(event=event, version="1.0")

    with pytest.raises(ReleaseVersionTaken) as refused:
        release_schedule(event=event, version=" 1.0 ")

    assert (refused.value.status_code, refused.value.code) == (409, "release_version_taken")
    assert event.schedule_releases.count() == 1


def test_same_version_name_is_fine_for_another_event():
    release_schedule(event=EventFactory(), version="1.0")

    release = release_schedule(event=EventFactory(), version="1.0")

    assert release.version == "1.0"


def test_blank_version_name_is_refused():
    with pytest.raises(AgendaError) as refused:
        release_schedule(event=EventFactory(), version="  ")

    assert refused.value.code == "release_version_required"


def snapshot(**changes) -> dict:
    state = {
        "id": 1,
        "title": "Robotaxis",
        "starts_at": "2030-06-10T08:00:00Z",
        "ends_at": "2030-06-10T09:00:00Z",
        "stage": {"id": 1, "slug": "main", "name": "Main"},
        "speakers": [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Grace"}],
        "status": "scheduled",
    }
    return state | changes


@pytest.mark.parametrize(
    ("before", "after", "kinds"),
    [
        (None, snapshot(), ["new"]),
        (None, snapshot(status="cancelled"), ["new", "cancelled"]),
        (snapshot(), None, ["removed"]),
        (snapshot(), snapshot(), []),
        (snapshot(), snapshot(ends_at="2030-06-10T09:30:00Z"), ["moved"]),
        (snapshot(), snapshot(stage={"id": 2, "slug": "b", "name": "B"}), ["stage_changed"]),
        (snapshot(), snapshot(stage={"id": 1, "slug": "m", "name": "Renamed"}), []),
        (snapshot(), snapshot(title="Robotaxis at scale"), ["retitled"]),
        (snapshot(), snapshot(speakers=[{"id": 2, "name": "Grace"}, {"id": 1, "name": "Ada"}]),
         ["speakers_changed"]),
        (snapshot(), snapshot(status="cancelled"), ["cancelled"]),
        (snapshot(status="cancelled"), snapshot(), ["reinstated"]),
        (snapshot(), snapshot(status="cancelled", title="Gone", starts_at="2030-06-10T07:00:00Z"),
         ["cancelled", "moved", "retitled"]),
    ],
)  # fmt: skip
def test_change_kinds_between_two_snapshots(before, after, kinds):
    assert change_kinds(before, after) == kinds


def test_releases_api_lists_newest_first_with_each_change_before_and_after():
    session = SessionFactory(title="Robotaxis")
    speaker = SessionSpeakerFactory(session=session, position=1).speaker
    release_schedule(event=session.event, version="1.0", note="First")
    new_stage = StageFactory(event=session.event, name="Breakout")
    session.stage = new_stage
    session.title = "Robotaxis at scale"
    schedule_session(session=session, speakers=[])

    release_schedule(event=session.event, version="1.1", note="Moved to Breakout")
    releases = fetch("release-list", session.event).json()["results"]

    assert [(r["version"], r["note"]) for r in releases] == [
        ("1.1", "Moved to Breakout"),
        ("1.0", "First"),
    ]
    [change] = releases[0]["changes"]
    assert (change["session_id"], change["title"], change["kinds"]) == (
        session.pk,
        "Robotaxis at scale",
        ["stage_changed", "retitled", "speakers_changed"],
    )
    assert change["before"]["speakers"] == [{"id": speaker.pk, "name": speaker.name}]
    assert (change["before"]["stage"]["name"], change["after"]["stage"]["name"]) == (
        session.event.stages.exclude(pk=new_stage.pk).get().name,
        "Breakout",
    )
    assert change["after"]["status"] == "scheduled"
    assert releases[1]["changes"] == []


def test_releases_api_of_an_unknown_event_is_404():
    response = APIClient().get(reverse("release-list", args=["no-such-event"]))

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("sessions", [2, 20])
def test_releases_api_runs_a_fixed_number_of_queries(django_assert_max_num_queries, sessions):
    event = EventFactory()
    stage = StageFactory(event=event)
    created = [
        SessionFactory(event=event, stage=stage, starts_at=local_time(event, 0, 8) + dt.timedelta(
            minutes=30 * number), ends_at=local_time(event, 0, 8) + dt.timedelta(
            minutes=30 * number + 15))
        for number in range(sessions)
    ]  # fmt: skip
    for version in ("1.0", "1.1", "1.2"):
        release_schedule(event=event, version=version)
        for session in created:
            session.title += "!"
            schedule_session(session=session, speakers=[])

    # the event, the agenda version, the count, the releases, their changes with sessions
    with django_assert_max_num_queries(5):
        releases = fetch("release-list", event).json()["results"]

    assert [len(release["changes"]) for release in releases] == [sessions, sessions, 0]


def test_session_deleted_after_a_release_is_removed_in_the_next():
    session = SessionFactory(title="Robotaxis")
    release_schedule(event=session.event, version="1.0")
    session_id = session.pk
    session.delete()

    release = release_schedule(event=session.event, version="1.1")

    change = release.changes.get()
    assert (change.session_key, change.session, change.kinds, change.after) == (
        session_id,
        None,
        ["removed"],
        None,
    )


def test_speaker_added_after_a_release_shows_as_speakers_changed():
    session = SessionFactory()
    release_schedule(event=session.event, version="1.0")
    schedule_session(session=session, speakers=[SpeakerSlot(SpeakerFactory(name="Ada"))])

    release = release_schedule(event=session.event, version="1.1")

    assert release.changes.get().kinds == ["speakers_changed"]
