"""The stored agenda version: every write to a part of agenda.changes moves it, reading it is
one small query, and a conditional GET stays cheap without the micro-cache."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agenda.changes import PARTS, SESSION_DELETED, Part, last_changed
from agenda.models import AgendaVersion
from agenda.selectors import agenda_version
from agenda.services import release_schedule
from core.models import Tombstone
from core.services import record_deletion
from events.models import Event
from tests.agenda.test_agenda_api import build_agenda
from tests.factories import (
    EventFactory,
    LineupEntryFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    SpeakerLinkFactory,
    StageFactory,
    TagFactory,
    local_time,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda():
    """An event with one of every part: a session with a tag and a speaker (with company and
    link) in the lineup, an empty stage (deletable), a tombstone and a release."""
    session = SessionSpeakerFactory().session
    event = session.event
    session.tags.add(TagFactory())
    speaker = session.session_speakers.get().speaker
    SpeakerLinkFactory(speaker=speaker)
    LineupEntryFactory(event=event, speaker=speaker)
    StageFactory(event=event)
    record_deletion(kind=SESSION_DELETED, object_id=999, event_id=event.pk)
    release_schedule(event=event, version="1.0")
    return event


def newest_row(part: Part, event: Event):
    return part.rows(event).order_by("-pk").first()


def part_id(part: Part) -> str:
    return part.model._meta.model_name


# A tombstone is only ever created, and an event deleted takes its agenda with it.
EDITS = [
    *((part, "save") for part in PARTS),
    *((part, "update") for part in PARTS if part.model is not Tombstone),
    *((part, "delete") for part in PARTS if part.model not in (Event, Tombstone)),
]


def edit(part: Part, how: str, event: Event) -> None:
    row = newest_row(part, event)
    if how == "save" and part.model is Tombstone:
        record_deletion(kind=SESSION_DELETED, object_id=1000, event_id=event.pk)
    elif how == "save":
        row.save()
    elif how == "update":
        part.model.objects.filter(pk=row.pk).update(updated_at=timezone.now())
    else:
        row.delete()


@pytest.mark.parametrize(
    ("part", "how"), EDITS, ids=[f"{part_id(part)}-{how}" for part, how in EDITS]
)
def test_each_kind_of_edit_to_a_part_moves_the_stored_version(agenda, part, how):
    before = agenda_version(agenda)

    with transaction.atomic():
        edit(part, how, agenda)

    after = agenda_version(agenda)
    assert after.token != before.token
    assert after.last_modified >= before.last_modified


@pytest.mark.parametrize("part", PARTS, ids=part_id)
def test_a_parts_event_lookups_reach_exactly_the_events_whose_rows_hold_it(agenda, part):
    other = SessionSpeakerFactory().session.event
    LineupEntryFactory(event=other)

    for event in (agenda, other):
        for row in part.rows(event):
            reached = set()
            for lookup in part.events:
                rows = part.model.objects.filter(pk=row.pk)
                reached |= set(rows.values_list(lookup, flat=True))
            holding = {e.pk for e in (agenda, other) if part.rows(e).filter(pk=row.pk).exists()}
            assert reached - {None} == holding


@pytest.mark.parametrize(
    "change",
    [
        lambda session, tag: session.tags.add(tag),
        lambda session, tag: tag.sessions.add(session),
        lambda session, tag: session.tags.clear(),
        lambda session, tag: session.tags.remove(*session.tags.all()),
    ],
    ids=["tag-added", "session-added-to-tag", "tags-cleared", "tag-removed"],
)
def test_tagging_a_session_moves_the_version(agenda, change):
    session = agenda.sessions.get()
    before = agenda_version(agenda)

    change(session, TagFactory())

    assert agenda_version(agenda).token != before.token


def test_giving_an_existing_speaker_a_session_moves_that_events_version(agenda):
    speaker = SpeakerFactory()
    before = agenda_version(agenda)

    SessionSpeakerFactory(session=agenda.sessions.get(), speaker=speaker)

    assert agenda_version(agenda).token != before.token


def test_an_organization_edit_moves_every_event_its_speakers_appear_in(agenda):
    speaker = agenda.sessions.get().session_speakers.get().speaker
    elsewhere = SessionSpeakerFactory(speaker=speaker).session.event
    untouched = SessionSpeakerFactory().session.event
    before = {event.pk: agenda_version(event).token for event in (agenda, elsewhere, untouched)}

    speaker.organization.name = "Renamed Inc."
    speaker.organization.save()

    after = {event.pk: agenda_version(event).token for event in (agenda, elsewhere, untouched)}
    assert [before[pk] != after[pk] for pk in before] == [True, True, False]


def test_releasing_the_schedule_moves_the_version_and_the_frab_exports_answer_anew(agenda):
    api = APIClient()
    url = reverse("schedule-json", args=[agenda.slug])
    etag = api.get(url)["ETag"]
    before = agenda_version(agenda)

    release_schedule(event=agenda, version="2.0")

    assert agenda_version(agenda).token != before.token
    response = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (response.status_code, response.json()["schedule"]["version"]) == (200, "2.0")


def test_a_session_moved_to_another_event_moves_both_versions(agenda):
    session = agenda.sessions.get()
    target = EventFactory()
    before = (agenda_version(agenda).token, agenda_version(target).token)

    session.event = target
    session.stage = StageFactory(event=target)
    session.save()

    assert agenda_version(agenda).token != before[0]
    assert agenda_version(target).token != before[1]


def test_an_event_without_a_stored_version_gets_one_from_its_parts_once(agenda):
    AgendaVersion.objects.all().delete()

    first = agenda_version(agenda)
    again = agenda_version(agenda)
    agenda.sessions.update(title="Retitled")

    assert first == again
    assert first.last_modified == last_changed(agenda)
    assert agenda_version(agenda).token != first.token


def test_a_write_rolled_back_leaves_the_version_as_it_was(agenda):
    before = agenda_version(agenda)

    def edit_then_fail() -> None:
        with transaction.atomic():
            agenda.sessions.update(title="Never")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        edit_then_fail()

    assert agenda_version(agenda) == before


@pytest.mark.parametrize("count", [5, 200])
def test_not_modified_sessions_list_without_the_micro_cache_costs_at_most_two_queries(
    settings, django_assert_max_num_queries, count
):
    settings.GREENROOM_VERSION_CACHE_SECONDS = 0
    event = EventFactory()
    build_agenda(event, count)
    api = APIClient()
    url = reverse("session-list", args=[event.slug])
    etag = api.get(url)["ETag"]

    with django_assert_max_num_queries(2):  # the event by slug, then its stored version
        response = api.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


def test_session_list_etag_changes_after_an_edit_without_the_micro_cache(settings):
    settings.GREENROOM_VERSION_CACHE_SECONDS = 0
    session = SessionFactory()
    api = APIClient()
    url = reverse("session-list", args=[session.event.slug])
    etag = api.get(url)["ETag"]

    SessionFactory(event=session.event, starts_at=local_time(session.event, 1, 9))

    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200
