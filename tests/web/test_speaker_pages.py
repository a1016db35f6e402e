"""The speakers list and a speaker's page under an event: who is announced, and only them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from speakers.models import InvitationStatus, SessionRole
from tests.factories import (
    EventFactory,
    LineupEntryFactory,
    OrganizationFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    SpeakerLinkFactory,
    StageFactory,
)

pytestmark = pytest.mark.django_db


def speakers_url(event) -> str:
    return reverse("web:speakers", args=[event.slug])


def speaker_url(event, speaker) -> str:
    return reverse("web:speaker", args=[event.slug, speaker.slug])


def confirm(event, speaker):
    return LineupEntryFactory(
        event=event, speaker=speaker, status=InvitationStatus.CONFIRMED, confirmed_at=timezone.now()
    )


def winter_event():
    return EventFactory(start_date=dt.date(2030, 1, 15), end_date=dt.date(2030, 1, 16))


def test_speakers_list_shows_the_public_lineup_with_photo_title_and_company(client):
    event = winter_event()
    ada = SpeakerFactory(
        name="Ada Lovelace",
        job_title="Analyst",
        organization=OrganizationFactory(name="Engines Ltd"),
        headshot="headshots/ada.jpg",
        headshot_renditions={"96": "headshots/ada-96.jpg", "256": "headshots/ada-256.jpg"},
    )
    confirm(event, ada)
    on_stage = SpeakerFactory(name="Grace Hopper")
    SessionSpeakerFactory(session=SessionFactory(event=event), speaker=on_stage)
    LineupEntryFactory(event=event, speaker=SpeakerFactory(name="Only Invited"))
    SessionSpeakerFactory(
        session=SessionFactory(event=event, is_published=False),
        speaker=SpeakerFactory(name="Draft Session Person"),
    )

    page = client.get(speakers_url(event)).content.decode()

    assert f'<a href="{speaker_url(event, ada)}"><strong>Ada Lovelace</strong></a>' in page
    assert "Analyst, Engines Ltd" in page
    assert 'src="/media/headshots/ada-256.jpg"' in page
    assert f'href="{speaker_url(event, on_stage)}"' in page
    assert "Only Invited" not in page
    assert "Draft Session Person" not in page
    assert 'aria-current="page">Speakers</a>' in page


def test_speaker_page_shows_profile_links_and_sessions_here_in_the_event_zone(client):
    event = winter_event()
    speaker = SpeakerFactory(
        name="Grace Hopper",
        job_title="Admiral",
        bio="Wrote the first compiler.",
        pronouns="she/her",
    )
    SpeakerLinkFactory(speaker=speaker, url="https://example.com/grace", label="Website")
    session = SessionFactory(
        event=event,
        stage=StageFactory(event=event, name="Main Stage"),
        title="Compilers then and now",
        starts_at=dt.datetime(2030, 1, 15, 17, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 1, 15, 18, tzinfo=dt.UTC),
    )
    SessionSpeakerFactory(session=session, speaker=speaker, role=SessionRole.MODERATOR)
    SessionSpeakerFactory(
        session=SessionFactory(event=event, title="Not yet announced", is_published=False),
        speaker=speaker,
    )
    SessionSpeakerFactory(session=SessionFactory(title="At another event"), speaker=speaker)

    page = client.get(speaker_url(event, speaker)).content.decode()

    assert "<h1>Grace Hopper</h1>" in page
    assert "Admiral, " in page
    assert "she/her" in page
    assert "Wrote the first compiler." in page
    assert '<a href="https://example.com/grace" rel="nofollow noopener">Website</a>' in page
    session_page = reverse("web:session", args=[event.slug, session.pk])
    assert f'<a href="{session_page}">Compilers then and now</a>' in page
    assert ">Tue 15 Jan, 09:00</time>–10:00 · Main Stage · Moderator" in page
    assert "Not yet announced" not in page
    assert "At another event" not in page


def test_speaker_page_of_someone_confirmed_without_sessions_says_they_come_soon(client):
    event = winter_event()
    speaker = SpeakerFactory()
    confirm(event, speaker)

    page = client.get(speaker_url(event, speaker)).content.decode()

    assert "Sessions are announced soon." in page


def test_speaker_not_in_the_events_public_lineup_is_404(client):
    event = winter_event()
    invited = SpeakerFactory()
    LineupEntryFactory(event=event, speaker=invited)
    elsewhere = SpeakerFactory()
    confirm(winter_event(), elsewhere)
    in_a_draft_session = SpeakerFactory()
    SessionSpeakerFactory(
        session=SessionFactory(event=event, is_published=False), speaker=in_a_draft_session
    )

    for speaker in (invited, elsewhere, in_a_draft_session):
        assert client.get(speaker_url(event, speaker)).status_code == 404


def test_event_home_links_featured_speakers_to_their_pages(client):
    event = winter_event()
    speaker = SpeakerFactory(name="Ada Lovelace")
    confirm(event, speaker)

    page = client.get(reverse("web:event", args=[event.slug])).content.decode()

    assert f'<a href="{speaker_url(event, speaker)}"><strong>Ada Lovelace</strong></a>' in page
