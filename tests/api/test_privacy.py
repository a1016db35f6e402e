"""Speakers' private contacts never leave the API, and unannounced speakers stay unlisted."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.utils import timezone

from events.models import Event
from speakers.models import LineupEntry
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

PRIVATE_CONTACTS = {
    "Jewel Chen": ("private-jewel@autox.example", "+86 555 0100"),
    "Rui Okafor": ("private-rui@weride.example", "+1 415 555 0199"),
    "Ines Marlow": ("private-ines@momenta.example", "+49 30 555 0142"),
}


def private_fragments() -> list[str]:
    """Each contact whole, and in the shapes it could leak in: local part, phone digits."""
    fragments = []
    for email, phone in PRIVATE_CONTACTS.values():
        fragments += [email, email.split("@")[0], phone, phone.replace(" ", "")]
    return fragments


@pytest.fixture
def announced_event(db):
    """A public event whose confirmed speakers have private e-mails and phones on file.

    Jewel and Rui share a published session; Ines is confirmed in the lineup with no session.
    """
    event = EventFactory(name="Autonomy Summit")
    stage = StageFactory(event=event, name="Main Stage")
    speakers = {
        name: SpeakerFactory(name=name, email=email, phone=phone)
        for name, (email, phone) in PRIVATE_CONTACTS.items()
    }
    for speaker in speakers.values():
        SpeakerLinkFactory(speaker=speaker)
        LineupEntryFactory(
            event=event,
            speaker=speaker,
            status=LineupEntry.Status.CONFIRMED,
            confirmed_at=timezone.now(),
        )
    session = SessionFactory(
        event=event, stage=stage, title="Robotaxis at scale", abstract="Fleet economics."
    )
    session.tags.add(TagFactory(name="robotaxi"))
    SessionSpeakerFactory(session=session, speaker=speakers["Jewel Chen"])
    SessionSpeakerFactory(session=session, speaker=speakers["Rui Okafor"])
    return {"event": event, "session": session, "speaker": speakers["Jewel Chen"]}


RECENTLY = quote((timezone.now() - dt.timedelta(days=1)).isoformat())

BROWSABLE_READS = [
    "/api/v1/events/",
    "/api/v1/events/{event}/",
    "/api/v1/events/{event}/sessions/",
    f"/api/v1/events/{{event}}/sessions/?updated_since={RECENTLY}",
    "/api/v1/events/{event}/sessions/{session}/",
    "/api/v1/events/{event}/speakers/",
    f"/api/v1/events/{{event}}/speakers/?updated_since={RECENTLY}",
    "/api/v1/speakers/{speaker}/",
]
PUBLIC_READS = [
    *BROWSABLE_READS,
    "/api/v1/events/{event}/bundle/",
    f"/api/v1/events/{{event}}/bundle/?updated_since={RECENTLY}",
    "/api/v1/events/{event}/agenda.ics",
    "/api/v1/events/{event}/schedule.xml",
    "/api/v1/events/{event}/schedule.json",
    "/api/v1/schema/",
]


@pytest.mark.parametrize("url", PUBLIC_READS)
def test_public_read_never_shows_private_contacts(api_client, announced_event, url):
    path = url.format(
        event=announced_event["event"].slug,
        session=announced_event["session"].pk,
        speaker=announced_event["speaker"].pk,
    )

    response = api_client.get(path)

    assert response.status_code == 200
    # iCalendar folds long lines ("\r\n "); unfold so a split address is still found.
    body = response.content.decode().replace("\r\n ", "")
    assert [fragment for fragment in private_fragments() if fragment in body] == []


@pytest.mark.parametrize("url", BROWSABLE_READS)
def test_public_read_as_browsable_html_never_shows_private_contacts(
    api_client, announced_event, url
):
    path = url.format(
        event=announced_event["event"].slug,
        session=announced_event["session"].pk,
        speaker=announced_event["speaker"].pk,
    )

    response = api_client.get(path, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    body = response.content.decode()
    assert [fragment for fragment in private_fragments() if fragment in body] == []


def test_public_reads_show_the_announced_speakers(api_client, announced_event):
    """The privacy checks above only mean something if the speakers are really there."""
    slug = announced_event["event"].slug

    lineup = api_client.get(f"/api/v1/events/{slug}/speakers/").json()
    agenda = api_client.get(f"/api/v1/events/{slug}/sessions/").json()

    assert sorted(speaker["name"] for speaker in lineup["results"]) == sorted(PRIVATE_CONTACTS)
    assert [speaker["name"] for speaker in agenda["results"][0]["speakers"]] == [
        "Jewel Chen",
        "Rui Okafor",
    ]


@pytest.mark.parametrize("endpoint", ["speakers", "sessions"])
def test_text_search_does_not_match_private_contacts(api_client, announced_event, endpoint):
    slug = announced_event["event"].slug
    email, phone = PRIVATE_CONTACTS["Jewel Chen"]

    by_email = api_client.get(f"/api/v1/events/{slug}/{endpoint}/", {"q": email})
    by_phone = api_client.get(f"/api/v1/events/{slug}/{endpoint}/", {"q": phone})

    assert (by_email.json()["count"], by_phone.json()["count"]) == (0, 0)


def _invited(event: Event, draft_event: Event):
    speaker = SpeakerFactory()
    LineupEntryFactory(event=event, speaker=speaker, status=LineupEntry.Status.INVITED)
    return speaker


def _declined(event: Event, draft_event: Event):
    speaker = SpeakerFactory()
    LineupEntryFactory(
        event=event,
        speaker=speaker,
        status=LineupEntry.Status.DECLINED,
        declined_at=timezone.now(),
    )
    return speaker


def _confirmed_for_a_draft_event(event: Event, draft_event: Event):
    speaker = SpeakerFactory()
    LineupEntryFactory(
        event=draft_event,
        speaker=speaker,
        status=LineupEntry.Status.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    return speaker


def _in_an_unpublished_session(event: Event, draft_event: Event):
    speaker = SpeakerFactory()
    LineupEntryFactory(event=event, speaker=speaker, status=LineupEntry.Status.INVITED)
    session = SessionFactory(event=event, starts_at=local_time(event, 1, 9), is_published=False)
    SessionSpeakerFactory(session=session, speaker=speaker)
    return speaker


def _in_a_session_of_a_draft_event(event: Event, draft_event: Event):
    speaker = SpeakerFactory()
    SessionSpeakerFactory(session=SessionFactory(event=draft_event), speaker=speaker)
    return speaker


@pytest.mark.parametrize(
    "make_speaker",
    [
        _invited,
        _declined,
        _confirmed_for_a_draft_event,
        _in_an_unpublished_session,
        _in_a_session_of_a_draft_event,
    ],
    ids=["invited", "declined", "confirmed-draft-event", "unpublished-session", "draft-session"],
)
def test_unannounced_speaker_is_not_listed_and_has_no_profile(
    api_client, announced_event, make_speaker
):
    event = announced_event["event"]
    speaker = make_speaker(event, EventFactory(status=Event.Status.DRAFT))

    lineup = api_client.get(f"/api/v1/events/{event.slug}/speakers/").json()
    bundle = api_client.get(f"/api/v1/events/{event.slug}/bundle/").json()
    profile = api_client.get(f"/api/v1/speakers/{speaker.pk}/")

    assert speaker.pk not in [entry["id"] for entry in lineup["results"]]
    assert speaker.pk not in [entry["id"] for entry in bundle["speakers"]]
    assert profile.status_code == 404
    assert profile.json()["code"] == "not_found"


def test_confirmed_speaker_without_sessions_is_listed_with_a_profile(api_client, announced_event):
    event = announced_event["event"]
    speaker = SpeakerFactory(name="Ada Quist")
    LineupEntryFactory(
        event=event,
        speaker=speaker,
        status=LineupEntry.Status.CONFIRMED,
        confirmed_at=timezone.now(),
    )

    lineup = api_client.get(f"/api/v1/events/{event.slug}/speakers/").json()
    profile = api_client.get(f"/api/v1/speakers/{speaker.pk}/")

    assert speaker.pk in [entry["id"] for entry in lineup["results"]]
    assert (profile.status_code, profile.json()["name"]) == (200, "Ada Quist")


def test_speaker_profile_lists_only_published_sessions_of_public_events(
    api_client, announced_event
):
    speaker = announced_event["speaker"]
    event = announced_event["event"]
    hidden = SessionFactory(event=event, starts_at=local_time(event, 1, 9), is_published=False)
    SessionSpeakerFactory(session=hidden, speaker=speaker)
    SessionSpeakerFactory(
        session=SessionFactory(event=EventFactory(status=Event.Status.DRAFT)), speaker=speaker
    )

    profile = api_client.get(f"/api/v1/speakers/{speaker.pk}/").json()

    assert [role["session_id"] for role in profile["sessions"]] == [announced_event["session"].pk]
