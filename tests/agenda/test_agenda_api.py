"""The agenda, lineup and speaker endpoints: content, filters, local days, ETags, query budgets."""

import datetime as dt
import gzip
import json
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Session
from tests.factories import (
    EventFactory,
    LineupEntryFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    SpeakerLinkFactory,
    StageFactory,
    TagFactory,
    UserFactory,
    local_time,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def session_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_session_shows_stage_utc_times_tags_and_speakers_in_order(api):
    event = EventFactory(time_zone="Asia/Shanghai")
    session = SessionFactory(
        event=event,
        stage=StageFactory(event=event, name="Main Stage"),
        title="China's robotaxi race",
        format="panel",
        starts_at=local_time(event, 0, 10),
    )
    session.tags.add(TagFactory(name="robotaxi", slug="robotaxi"))
    SessionSpeakerFactory(
        session=session,
        speaker=SpeakerFactory(name="Jennifer Li", job_title="", organization__name="WeRide"),
        role="panelist",
        position=2,
    )
    SessionSpeakerFactory(
        session=session,
        speaker=SpeakerFactory(name="Morgan Reyes", job_title="Editor", organization=None),
        role="moderator",
        position=1,
    )

    body = api.get(reverse("session-detail", args=[event.slug, session.pk])).json()

    assert body["starts_at"] == "2030-06-10T02:00:00Z"
    assert body["ends_at"] == "2030-06-10T02:45:00Z"
    assert (body["duration_minutes"], body["format"]) == (45, "panel")
    assert body["stage"] == {"id": session.stage_id, "name": "Main Stage"}
    assert body["tags"] == [{"slug": "robotaxi", "name": "robotaxi"}]
    assert [(s["name"], s["organization"], s["role"], s["position"]) for s in body["speakers"]] == [
        ("Morgan Reyes", None, "moderator", 1),
        ("Jennifer Li", "WeRide", "panelist", 2),
    ]


def test_agenda_lists_published_sessions_of_public_events_only(api):
    event = EventFactory()
    shown = SessionFactory(event=event)
    SessionFactory(event=event, is_published=False)
    draft_session = SessionFactory(event=EventFactory(status="draft"))

    assert session_ids(api.get(reverse("session-list", args=[event.slug]))) == [shown.pk]
    draft_url = reverse("session-list", args=[draft_session.event.slug])
    assert api.get(draft_url).status_code == 404


@pytest.fixture
def agenda():
    """Two stages over two days with tagged sessions and speakers, for the filter table."""
    event = EventFactory()
    main, side = StageFactory(event=event, name="Main"), StageFactory(event=event, name="Side")
    robotaxi = TagFactory(slug="robotaxi", name="robotaxi")
    keynote = SessionFactory(
        event=event, stage=main, title="Opening keynote", format="keynote",
        starts_at=local_time(event, 0, 9),
    )  # fmt: skip
    panel = SessionFactory(
        event=event, stage=side, title="Robotaxi race", format="panel",
        abstract="Who wins the driverless contest?", starts_at=local_time(event, 0, 9),
    )  # fmt: skip
    workshop = SessionFactory(
        event=event, stage=main, title="Build a fleet", format="workshop",
        starts_at=local_time(event, 1, 14),
    )  # fmt: skip
    panel.tags.add(robotaxi)
    speaker = SessionSpeakerFactory(session=panel, speaker__name="Huan Sun").speaker
    return {
        "event": event, "main": main, "side": side, "keynote": keynote, "panel": panel,
        "workshop": workshop, "speaker": speaker,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda a: {"day": a["event"].start_date.isoformat()}, ["keynote", "panel"]),
        (lambda a: {"day": "2030-06-11"}, ["workshop"]),
        (lambda a: {"stage": a["side"].pk}, ["panel"]),
        (lambda a: {"stage": a["side"].slug}, ["panel"]),
        (lambda a: {"format": "workshop"}, ["workshop"]),
        (lambda a: {"tag": "robotaxi"}, ["panel"]),
        (lambda a: {"speaker": a["speaker"].pk}, ["panel"]),
        (lambda a: {"q": "driverless"}, ["panel"]),
        (lambda a: {"q": "huan"}, ["panel"]),
        (lambda a: {"q": "fleet"}, ["workshop"]),
        (lambda a: {"ordering": "-starts_at"}, ["workshop", "keynote", "panel"]),
    ],
    ids=["day-1", "day-2", "stage", "stage-slug", "format", "tag", "speaker", "q-abstract",
         "q-speaker", "q-title", "ordering"],
)  # fmt: skip
def test_agenda_filter(api, agenda, params, expected):
    url = reverse("session-list", args=[agenda["event"].slug])

    found = session_ids(api.get(url, params(agenda)))

    assert found == [agenda[name].pk for name in expected]


def test_day_filter_reads_the_event_zone_across_a_dst_change(api):
    # Clocks in Los Angeles go forward at 02:00 on Sunday 10 March 2030.
    event = EventFactory(
        time_zone="America/Los_Angeles",
        start_date=dt.date(2030, 3, 9),
        end_date=dt.date(2030, 3, 10),
    )
    stage = StageFactory(event=event)
    late_saturday = SessionFactory(
        event=event, stage=stage, starts_at=local_time(event, 0, 23, 30)
    )  # 07:30 UTC on Sunday
    sunday_morning = SessionFactory(event=event, stage=stage, starts_at=local_time(event, 1, 9))
    url = reverse("session-list", args=[event.slug])

    saturday = api.get(url, {"day": "2030-03-09"})
    sunday = api.get(url, {"day": "2030-03-10"})

    assert session_ids(saturday) == [late_saturday.pk]
    assert session_ids(sunday) == [sunday_morning.pk]
    assert saturday.json()["results"][0]["starts_at"] == "2030-03-10T07:30:00Z"
    assert sunday.json()["results"][0]["starts_at"] == "2030-03-10T16:00:00Z"


def test_lineup_lists_confirmed_and_scheduled_speakers_with_their_sessions(api):
    event = EventFactory()
    confirmed = LineupEntryFactory(event=event, status="confirmed", confirmed_at=timezone.now())
    LineupEntryFactory(event=event, status="invited")
    LineupEntryFactory(event=event, status="declined", declined_at=timezone.now())
    scheduled = SessionSpeakerFactory(session=SessionFactory(event=event), role="host")

    body = api.get(reverse("lineup", args=[event.slug])).json()

    by_id = {speaker["id"]: speaker for speaker in body["results"]}
    assert set(by_id) == {confirmed.speaker_id, scheduled.speaker_id}
    assert [(s["session_id"], s["role"]) for s in by_id[scheduled.speaker_id]["sessions"]] == [
        (scheduled.session_id, "host")
    ]
    assert by_id[confirmed.speaker_id]["sessions"] == []


def test_lineup_filters_by_text_and_organization(api):
    event = EventFactory()
    confirmed = {"status": "confirmed", "confirmed_at": timezone.now()}
    autox = LineupEntryFactory(event=event, speaker__organization__name="AutoX", **confirmed)
    LineupEntryFactory(event=event, speaker__organization__name="Zoox", **confirmed)
    url = reverse("lineup", args=[event.slug])

    by_text = session_ids(api.get(url, {"q": "autox"}))
    by_organization = session_ids(api.get(url, {"organization": autox.speaker.organization_id}))

    assert by_text == by_organization == [autox.speaker_id]


def test_speaker_profile_lists_sessions_across_public_events(api):
    speaker = SpeakerFactory()
    first = SessionSpeakerFactory(speaker=speaker).session
    second = SessionSpeakerFactory(
        speaker=speaker,
        session__event__start_date=dt.date(2031, 1, 5),
        session__event__end_date=dt.date(2031, 1, 5),
    ).session
    SessionSpeakerFactory(speaker=speaker, session__is_published=False)

    body = api.get(reverse("speaker-detail", args=[speaker.pk])).json()

    assert [(item["event"], item["session_id"]) for item in body["sessions"]] == [
        (first.event.slug, first.pk),
        (second.event.slug, second.pk),
    ]
    assert "email" not in body


READ_ENDPOINTS = [
    ("session-list", True),
    ("lineup", True),
    ("bundle", True),
    ("agenda-ics", True),
    ("schedule-xml", True),
    ("schedule-json", True),
    ("event-detail", True),
    ("event-list", False),
]


@pytest.mark.parametrize(("name", "per_event"), READ_ENDPOINTS)
def test_read_endpoint_answers_304_to_a_current_etag_and_200_after_a_change(api, name, per_event):
    session = SessionSpeakerFactory().session
    url = reverse(name, args=[session.event.slug] if per_event else [])
    first = api.get(url)

    again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    session.event.tagline = "Changed"
    session.event.save()
    after_change = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert (first.status_code, again.status_code, after_change.status_code) == (200, 304, 200)
    assert again["ETag"] == first["ETag"] != after_change["ETag"]
    assert first["Cache-Control"] == "public, max-age=60"
    assert first.has_header("Last-Modified")


@pytest.mark.parametrize(("name", "per_event"), READ_ENDPOINTS)
@pytest.mark.parametrize("micro_cache_seconds", [0, 5], ids=["uncached", "micro-cached"])
def test_read_endpoint_answers_304_to_its_etag_made_weak_by_a_compressing_proxy(
    api, settings, name, per_event, micro_cache_seconds
):
    settings.GREENROOM_VERSION_CACHE_SECONDS = micro_cache_seconds
    session = SessionSpeakerFactory().session
    url = reverse(name, args=[session.event.slug] if per_event else [])
    etag = api.get(url)["ETag"]

    again = api.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}")

    assert again.status_code == 304


def test_agenda_etag_changes_when_a_speaker_is_renamed(api):
    row = SessionSpeakerFactory()
    url = reverse("session-list", args=[row.session.event.slug])
    etag = api.get(url)["ETag"]

    row.speaker.name = "New name"
    row.speaker.save()

    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_agenda_etag_changes_when_a_session_is_deleted(api):
    kept, deleted = SessionFactory(), None
    deleted = SessionFactory(event=kept.event, starts_at=local_time(kept.event, 1, 9))
    url = reverse("session-list", args=[kept.event.slug])
    etag = api.get(url)["ETag"]

    Session.objects.filter(pk=deleted.pk).delete()

    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_not_modified_answer_runs_one_query(api, django_assert_num_queries):
    session = SessionSpeakerFactory().session
    url = reverse("session-list", args=[session.event.slug])
    etag = api.get(url)["ETag"]

    with django_assert_num_queries(2):  # the event by slug, then the agenda version
        response = api.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


def test_full_bundle_is_served_from_the_cache_until_the_agenda_changes(api):
    session = SessionSpeakerFactory().session
    url = reverse("bundle", args=[session.event.slug])
    api.get(url)

    with CaptureQueriesContext(connection) as cached:
        cached_body = api.get(url).json()
    cached_queries = len(cached)  # read now: the next request resets Django's query log
    session.title = "Retitled"
    session.save()
    fresh_body = api.get(url).json()

    # The event, the agenda version and the passes' availability (part of the bundle's
    # version); nothing of the agenda is read or rendered again.
    assert cached_queries == 3
    assert cached_body["sessions"][0]["title"] != "Retitled"
    assert fresh_body["sessions"][0]["title"] == "Retitled"


def build_agenda(event, count: int) -> None:
    """`count` published sessions with two speakers and a tag each, on four stages."""
    stages = [StageFactory(event=event) for _ in range(4)]
    tag = TagFactory()
    for index in range(count):
        session = SessionFactory(
            event=event,
            stage=stages[index % 4],
            starts_at=local_time(event, 0, 0) + dt.timedelta(minutes=10 * (index // 4)),
            ends_at=local_time(event, 0, 0) + dt.timedelta(minutes=10 * (index // 4) + 10),
        )
        session.tags.add(tag)
        for position in (1, 2):
            speaker = SessionSpeakerFactory(session=session, position=position).speaker
            LineupEntryFactory(
                event=event, speaker=speaker, status="confirmed", confirmed_at=timezone.now()
            )


def queries_for(url_name: str, event, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = APIClient().get(reverse(url_name, args=[event.slug]), params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("session-list", {"page_size": 200}),
        ("session-list", {"page_size": 200, "updated_since": "2000-01-01T00:00:00Z"}),
        ("lineup", {"page_size": 200}),
        ("bundle", {}),
        ("agenda-ics", {}),
        ("schedule-xml", {}),
        ("schedule-json", {}),
    ],
    ids=["agenda", "agenda-delta", "lineup", "bundle", "ics", "xml", "json"],
)
def test_list_endpoint_query_count_does_not_grow_with_sessions(settings, url_name, params):
    settings.GREENROOM_TOMBSTONE_DAYS = 365 * 100
    small, large = EventFactory(), EventFactory()
    build_agenda(small, 5)
    build_agenda(large, 200)

    assert queries_for(url_name, small, params) == queries_for(url_name, large, params)


@pytest.mark.parametrize(
    "change",
    [
        lambda row: row.speaker.organization.__class__.objects.filter(
            pk=row.speaker.organization_id
        ).update(name="Renamed Inc.", updated_at=timezone.now()),
        lambda row: SpeakerLinkFactory(speaker=row.speaker),
        lambda row: row.speaker.links.all().delete(),
    ],
    ids=["organization-renamed", "link-added", "link-removed"],
)
def test_agenda_etag_changes_when_what_the_lineup_shows_changes(api, change):
    row = SessionSpeakerFactory()
    SpeakerLinkFactory(speaker=row.speaker)
    url = reverse("lineup", args=[row.session.event.slug])
    etag = api.get(url)["ETag"]

    change(row)

    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_bundle_is_sent_gzipped_to_clients_that_accept_it_with_its_own_etag(api):
    session = SessionSpeakerFactory().session
    url = reverse("bundle", args=[session.event.slug])
    plain = api.get(url)

    zipped = api.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    revalidated = api.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=zipped["ETag"])

    assert zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content)) == plain.json()
    assert zipped["ETag"] == plain["ETag"][:-1] + '-gzip"'
    assert "Accept-Encoding" in zipped["Vary"]
    assert revalidated.status_code == 304


def test_repeated_public_reads_are_answered_by_the_micro_cache_without_queries(api, settings):
    settings.GREENROOM_VERSION_CACHE_SECONDS = 5
    session = SessionSpeakerFactory().session
    url = reverse("session-list", args=[session.event.slug])
    first = api.get(url)

    with CaptureQueriesContext(connection) as again_queries:
        again = api.get(url)
    with CaptureQueriesContext(connection) as revalidate_queries:
        revalidated = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert (len(again_queries), len(revalidate_queries)) == (0, 0)
    assert (again.content, again["ETag"]) == (first.content, first["ETag"])
    assert (revalidated.status_code, revalidated["ETag"]) == (304, first["ETag"])
    assert again["Cache-Control"] == first["Cache-Control"] == "public, max-age=60"


def test_micro_cache_forgets_a_url_after_its_few_seconds(api, settings):
    settings.GREENROOM_VERSION_CACHE_SECONDS = 1
    session = SessionSpeakerFactory().session
    url = reverse("session-list", args=[session.event.slug])
    api.get(url)
    session.title = "Moved to the main stage"
    session.save()

    time.sleep(1.2)
    fresh = api.get(url)

    assert fresh.json()["results"][0]["title"] == "Moved to the main stage"


def test_micro_cache_never_serves_personal_answers(settings):
    settings.GREENROOM_VERSION_CACHE_SECONDS = 5
    first, second = UserFactory(), UserFactory()
    session = SessionFactory()
    mine = APIClient()
    mine.force_authenticate(first)
    theirs = APIClient()
    theirs.force_authenticate(second)
    mine.put(reverse("my-agenda-item", args=[session.pk]))

    assert len(mine.get(reverse("my-agenda")).json()["results"]) == 1
    assert theirs.get(reverse("my-agenda")).json()["results"] == []


def test_stage_filter_by_an_unknown_slug_or_an_id_past_64_bits_finds_nothing(api, agenda):
    url = reverse("session-list", args=[agenda["event"].slug])

    unknown = api.get(url, {"stage": "no-such-stage"})
    huge = api.get(url, {"stage": str(2**64)})

    assert (unknown.status_code, session_ids(unknown)) == (200, [])
    assert (huge.status_code, session_ids(huge)) == (200, [])


def speaker_with_headshot():
    return SpeakerFactory(
        headshot="headshots/grace.jpg",
        headshot_renditions={side: f"headshots/grace_{side}.jpg" for side in ("96", "256", "512")},
    )


def test_session_speakers_carry_absolute_headshot_urls_by_side_or_null(api):
    session = SessionFactory()
    SessionSpeakerFactory(session=session, speaker=speaker_with_headshot(), position=1)
    SessionSpeakerFactory(session=session, speaker=SpeakerFactory(headshot=""), position=2)

    body = api.get(reverse("session-detail", args=[session.event.slug, session.pk])).json()

    assert [speaker["headshots"] for speaker in body["speakers"]] == [
        {
            "96": "http://testserver/media/headshots/grace_96.jpg",
            "256": "http://testserver/media/headshots/grace_256.jpg",
            "512": "http://testserver/media/headshots/grace_512.jpg",
        },
        None,
    ]


def test_session_speaker_headshots_match_the_speaker_endpoint(api):
    speaker = speaker_with_headshot()
    session = SessionSpeakerFactory(speaker=speaker).session
    LineupEntryFactory(event=session.event, speaker=speaker)

    in_session = api.get(reverse("session-list", args=[session.event.slug])).json()
    profile = api.get(reverse("speaker-detail", args=[speaker.pk])).json()

    assert in_session["results"][0]["speakers"][0]["headshots"] == profile["headshots"]


def agenda_with_headshots(sessions: int) -> str:
    event = EventFactory()
    stage = StageFactory(event=event)
    for index in range(sessions):
        session = SessionFactory(
            event=event, stage=stage, starts_at=local_time(event, 0, 8 + index)
        )
        session.tags.add(TagFactory())
        for position in (1, 2):
            SessionSpeakerFactory(
                session=session, speaker=speaker_with_headshot(), position=position
            )
    return reverse("session-list", args=[event.slug])


def test_session_list_with_headshots_costs_the_same_queries_for_many_sessions(
    api, django_assert_max_num_queries
):
    one = agenda_with_headshots(1)
    many = agenda_with_headshots(12)
    with CaptureQueriesContext(connection) as for_one:
        assert api.get(one).status_code == 200

    with django_assert_max_num_queries(len(for_one)):
        response = api.get(many)

    assert [len(session["speakers"]) for session in response.json()["results"]] == [2] * 12


def test_session_carries_its_livestream_and_recording_links_or_null(api):
    event = EventFactory()
    streamed = SessionFactory(
        event=event,
        starts_at=local_time(event, 0, 9),
        livestream_url="https://stream.example/main",
        recording_url="https://video.example/talk-1",
    )
    SessionFactory(event=event, starts_at=local_time(event, 0, 10))

    results = api.get(reverse("session-list", args=[event.slug])).json()["results"]

    assert [(item["id"], item["livestream_url"], item["recording_url"]) for item in results] == [
        (streamed.pk, "https://stream.example/main", "https://video.example/talk-1"),
        (results[1]["id"], None, None),
    ]


def test_bundle_sessions_carry_links_and_speaker_headshots(api):
    session = SessionFactory(recording_url="https://video.example/talk-1")
    SessionSpeakerFactory(session=session, speaker=speaker_with_headshot())

    [bundled] = api.get(reverse("bundle", args=[session.event.slug])).json()["sessions"]

    assert (bundled["recording_url"], bundled["livestream_url"]) == (
        "https://video.example/talk-1",
        None,
    )
    assert bundled["speakers"][0]["headshots"]["96"] == (
        "http://testserver/media/headshots/grace_96.jpg"
    )
