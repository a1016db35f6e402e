"""Delta sync: `updated_since` returns what changed and which ids to drop, from any point."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agenda.services import SpeakerSlot, cancel_session, schedule_session
from events.models import Session, Stage
from tests.factories import (
    EventFactory,
    LineupEntryFactory,
    SessionFactory,
    SessionSpeakerFactory,
    StageFactory,
    TagFactory,
    local_time,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """A controllable `timezone.now()` for rows and for the API, moved by hand."""
    state = {"now": dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)}

    def now():
        return state["now"]

    def advance(minutes: int = 5) -> dt.datetime:
        state["now"] += dt.timedelta(minutes=minutes)
        return state["now"]

    monkeypatch.setattr(timezone, "now", now)
    return advance


def sync(event, since: dt.datetime | None, resource: str = "session-list") -> dict:
    params = {"updated_since": since.isoformat()} if since else {}
    response = APIClient().get(reverse(resource, args=[event.slug]), params)
    assert response.status_code == 200, response.content
    return response.json()


def ids(page: dict) -> list[int]:
    return [item["id"] for item in page["results"]]


def test_sessions_delta_from_each_point_of_create_edit_unpublish_delete(clock):
    event = EventFactory()
    stage = StageFactory(event=event)
    steady = SessionFactory(event=event, stage=stage, starts_at=local_time(event, 1, 9))
    checkpoints = [clock(), clock()]  # a sync point, then time moves on before the change
    first = SessionFactory(event=event, stage=stage, starts_at=local_time(event, 0, 9))
    second = SessionFactory(event=event, stage=stage, starts_at=local_time(event, 0, 11))
    checkpoints += [clock(), clock()]
    first.title = "Renamed"
    first.save()
    checkpoints += [clock(), clock()]
    second.is_published = False
    second.save()
    checkpoints += [clock(), clock()]
    first_id = first.pk
    first.delete()
    steady.abstract = "Edited after everything else"
    steady.save()
    checkpoints += [clock(), clock()]
    after_create, after_edit, after_unpublish, after_delete = checkpoints[2::2]

    expected = {
        checkpoints[0]: ([steady.pk], [first_id, second.pk]),
        after_create: ([steady.pk], [first_id, second.pk]),
        after_edit: ([steady.pk], [first_id, second.pk]),
        after_unpublish: ([steady.pk], [first_id]),
        after_delete: ([], []),
    }
    for since, (changed, deleted) in expected.items():
        page = sync(event, since)
        assert (ids(page), page["deleted"]) == (changed, sorted(deleted)), since
    assert ids(sync(event, None)) == [steady.pk]


def test_sessions_delta_reports_an_edit_and_nothing_else(clock):
    event = EventFactory()
    kept = SessionFactory(event=event, starts_at=local_time(event, 0, 9))
    edited = SessionFactory(event=event, starts_at=local_time(event, 0, 14))
    synced = clock()
    clock()
    edited.title = "New title"
    edited.save()

    page = sync(event, synced)

    assert (ids(page), page["deleted"]) == ([edited.pk], [])
    assert page["results"][0]["title"] == "New title"
    assert kept.pk not in ids(page)


def test_sessions_delta_includes_a_session_whose_speaker_was_renamed(clock):
    row = SessionSpeakerFactory()
    synced = clock()
    clock()
    row.speaker.name = "Huan Sun"
    row.speaker.save()

    page = sync(row.session.event, synced)

    assert ids(page) == [row.session.pk]
    assert page["results"][0]["speakers"][0]["name"] == "Huan Sun"


def test_sessions_delta_includes_a_republished_session(clock):
    session = SessionFactory(is_published=False)
    synced = clock()
    clock()
    Session.objects.filter(pk=session.pk).update(is_published=True, updated_at=timezone.now())

    assert ids(sync(session.event, synced)) == [session.pk]


def test_sessions_delta_includes_a_cancelled_session_marked(clock):
    event = EventFactory()
    stage = StageFactory(event=event)
    cancelled = SessionFactory(event=event, stage=stage, starts_at=local_time(event, 0, 9))
    SessionFactory(event=event, stage=stage, starts_at=local_time(event, 0, 11))
    since = clock()
    clock()

    cancel_session(session=cancelled)

    page = sync(event, since)
    assert [(item["id"], item["status"]) for item in page["results"]] == [
        (cancelled.pk, "cancelled")
    ]
    assert page["deleted"] == []


def test_synced_at_lies_before_the_request_so_slow_commits_are_not_missed(clock):
    event = EventFactory()
    request_time = clock()

    page = sync(event, None)

    assert dt.datetime.fromisoformat(page["synced_at"]) == request_time - dt.timedelta(minutes=1)


def test_lineup_delta_reports_a_speaker_who_declined_and_one_removed(clock):
    event = EventFactory()
    confirmed = {"status": "confirmed", "confirmed_at": timezone.now()}
    staying = LineupEntryFactory(event=event, **confirmed)
    declining = LineupEntryFactory(event=event, **confirmed)
    removed = LineupEntryFactory(event=event, **confirmed)
    synced = clock()
    clock()
    declining.status = "declined"
    declining.declined_at = timezone.now()
    declining.save()
    removed_speaker_id = removed.speaker_id
    removed.delete()

    page = sync(event, synced, "lineup")

    assert ids(page) == []
    assert page["deleted"] == sorted([declining.speaker_id, removed_speaker_id])
    assert staying.speaker_id in ids(sync(event, None, "lineup"))


def test_lineup_delta_includes_a_speaker_given_a_new_session(clock):
    event = EventFactory()
    entry = LineupEntryFactory(event=event, status="confirmed", confirmed_at=timezone.now())
    synced = clock()
    clock()
    session = SessionFactory.build(event=event, stage=StageFactory(event=event))
    schedule_session(session=session, speakers=[SpeakerSlot(entry.speaker)])

    page = sync(event, synced, "lineup")

    assert ids(page) == [entry.speaker_id]
    assert [role["session_id"] for role in page["results"][0]["sessions"]] == [session.pk]


def test_bundle_delta_reports_deletions_by_kind(clock):
    event = EventFactory()
    stage = StageFactory(event=event)
    spare_stage = StageFactory(event=event)
    session = SessionFactory(event=event, stage=stage)
    entry = LineupEntryFactory(event=event, status="confirmed", confirmed_at=timezone.now())
    synced = clock()
    clock()
    ids_before = (session.pk, entry.speaker_id, spare_stage.pk)
    session.delete()
    entry.delete()
    spare_stage.delete()

    bundle = sync(event, synced, "bundle")

    assert (bundle["sessions"], bundle["speakers"]) == ([], [])
    assert bundle["deleted"] == {
        "sessions": [ids_before[0]],
        "speakers": [ids_before[1]],
        "stages": [ids_before[2]],
        "tags": [],
        "passes": [],
    }


def test_full_bundle_has_no_deleted_section():
    session = SessionFactory()

    bundle = sync(session.event, None, "bundle")

    assert "deleted" not in bundle
    assert [item["id"] for item in bundle["sessions"]] == [session.pk]


def test_lineup_and_bundle_deltas_carry_the_speakers_of_a_deleted_session(clock):
    event = EventFactory()
    confirmed = LineupEntryFactory(event=event, status="confirmed", confirmed_at=timezone.now())
    session = SessionFactory.build(event=event, stage=StageFactory(event=event))
    schedule_session(session=session, speakers=[SpeakerSlot(confirmed.speaker)])
    only_in_session = SessionSpeakerFactory(session=session, position=2).speaker
    synced = clock()
    clock()

    session.delete()

    lineup = sync(event, synced, "lineup")
    bundle = sync(event, synced, "bundle")
    assert ids(lineup) == [confirmed.speaker_id]
    assert lineup["results"][0]["sessions"] == []
    assert lineup["deleted"] == [only_in_session.pk]
    assert [speaker["id"] for speaker in bundle["speakers"]] == [confirmed.speaker_id]
    assert bundle["deleted"]["speakers"] == [only_in_session.pk]


def test_bundle_delta_reports_a_tag_no_published_session_carries_any_more(clock):
    event = EventFactory()
    stage = StageFactory(event=event)
    kept, dropped, withdrawn_only, deleted_only = TagFactory.create_batch(4)
    tagged = SessionFactory(event=event, stage=stage, starts_at=local_time(event, 0, 9))
    tagged.tags.set([kept, dropped])
    withdrawn = SessionFactory(event=event, stage=stage, starts_at=local_time(event, 0, 11))
    withdrawn.tags.set([kept, withdrawn_only])
    deleted = SessionFactory(event=event, stage=stage, starts_at=local_time(event, 0, 13))
    deleted.tags.set([deleted_only])
    synced = clock()
    clock()

    tagged.tags.remove(dropped)
    tagged.save()
    withdrawn.is_published = False
    withdrawn.save()
    deleted.delete()

    bundle = sync(event, synced, "bundle")
    removed = sorted(tag.slug for tag in (dropped, withdrawn_only, deleted_only))
    assert bundle["deleted"]["tags"] == removed
    assert [tag["slug"] for tag in bundle["tags"]] == [kept.slug]


def sessions_since(event, synced_at: str) -> list[int]:
    response = APIClient().get(
        reverse("session-list", args=[event.slug]), {"updated_since": synced_at}
    )
    return ids(response.json())


def test_a_change_committed_after_an_answer_is_in_the_delta_from_its_synced_at(clock):
    event = EventFactory()
    session = SessionFactory(event=event, starts_at=local_time(event, 0, 9))
    SessionFactory(event=event, starts_at=local_time(event, 0, 11))
    clock()
    synced_at = sync(event, None)["synced_at"]
    clock(minutes=1)

    session.recording_url = "https://video.example/talk"
    session.save()

    assert sessions_since(event, synced_at) == [session.pk]


@pytest.mark.parametrize(
    ("stamped_before_the_answer", "in_the_delta"),
    [(dt.timedelta(seconds=59), True), (dt.timedelta(seconds=61), False)],
    ids=["within-the-margin", "beyond-the-margin"],
)
def test_change_stamped_up_to_a_minute_before_an_answer_reaches_the_next_delta(
    clock, stamped_before_the_answer, in_the_delta
):
    # A slow transaction: its row was saved (and stamped) before the answer was read, but was
    # committed, and so became visible, only after it.
    event = EventFactory()
    request_time = clock()
    synced_at = sync(event, None)["synced_at"]
    late = SessionFactory(event=event)
    Session.objects.filter(pk=late.pk).update(updated_at=request_time - stamped_before_the_answer)
    Stage.objects.filter(pk=late.stage_id).update(
        updated_at=request_time - stamped_before_the_answer
    )

    assert (sessions_since(event, synced_at) == [late.pk]) is in_the_delta


def test_synced_at_is_written_in_utc_to_the_second(clock):
    event = EventFactory()
    clock(minutes=1)

    assert sync(event, None)["synced_at"] == "2030-01-01T12:00:00Z"
