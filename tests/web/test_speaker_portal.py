"""The speaker portal: by the invitation's signed link or signed in, a speaker answers, keeps
their profile current, sees their sessions and the logistics, and adds slides and recordings."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.core import mail, signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from speakers.models import LineupEntry, SessionRole
from speakers.portal_links import SALT, portal_token
from speakers.services import invite_speakers, revoke_portal_links
from tests.factories import (
    EventFactory,
    LineupEntryFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    SpeakerLinkFactory,
    StageFactory,
    UserFactory,
    local_time,
)
from tests.helpers import photo, png_header
from tests.web.test_agenda_pages import winter_event

pytestmark = pytest.mark.django_db


def portal(entry: LineupEntry, page: str = "") -> str:
    name = f"web:speaker-portal-{page}" if page else "web:speaker-portal"
    return reverse(name, args=[portal_token(entry)])


def text(response) -> str:
    """The page's visible text, tags dropped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def organizer_inbox(organizer):
    organizer.email = "team@greenroom.test"
    organizer.save()
    return organizer.email


@pytest.mark.parametrize(
    ("answer", "stamp", "subject"),
    [
        ("confirmed", "confirmed_at", "Ada Lovelace accepted to speak at Robotics Days"),
        ("declined", "declined_at", "Ada Lovelace declined to speak at Robotics Days"),
    ],
)
def test_link_answer_changes_the_entry_and_emails_the_organizers(
    client, organizer_inbox, django_capture_on_commit_callbacks, answer, stamp, subject
):
    entry = LineupEntryFactory(
        event=EventFactory(name="Robotics Days"), speaker=SpeakerFactory(name="Ada Lovelace")
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(portal(entry, "answer"), {"answer": answer})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == answer
    assert getattr(entry, stamp) is not None
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([organizer_inbox], subject)
    ]


def test_same_answer_twice_tells_the_organizers_once(
    client, organizer_inbox, django_capture_on_commit_callbacks
):
    entry = LineupEntryFactory()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(portal(entry, "answer"), {"answer": "confirmed"})
        client.post(portal(entry, "answer"), {"answer": "confirmed"})

    assert len(mail.outbox) == 1


def test_answer_other_than_accept_or_decline_changes_nothing(client):
    entry = LineupEntryFactory()

    client.post(portal(entry, "answer"), {"answer": "invited"})

    entry.refresh_from_db()
    assert entry.status == "invited"


def test_invitation_email_carries_a_link_that_opens_the_portal(
    client, django_capture_on_commit_callbacks
):
    speaker = SpeakerFactory(email="huan@momenta.example")
    event = EventFactory(name="TC Sessions: Mobility 2021")
    with django_capture_on_commit_callbacks(execute=True):
        invite_speakers(event=event, speakers=[speaker])

    link = re.search(r"https?://\S+/speaker/\S+/", mail.outbox[0].body).group(0)
    response = client.get(link)

    assert response.status_code == 200
    assert "Will you speak at TC Sessions: Mobility 2021?" in text(response)


def old_token(entry: LineupEntry, *, days: int) -> str:
    """The link as it was signed `days` ago."""

    class PastSigner(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - days * 24 * 3600)

    return PastSigner(salt=SALT).sign_object({"e": entry.pk, "v": entry.link_version})


def test_expired_link_is_refused_with_a_page_that_says_so(client, settings):
    settings.GREENROOM_SPEAKER_LINK_DAYS = 60
    entry = LineupEntryFactory()

    response = client.get(reverse("web:speaker-portal", args=[old_token(entry, days=61)]))

    assert response.status_code == 410
    assert "This link has expired" in text(response)
    assert response["Referrer-Policy"] == "same-origin"


def test_link_within_its_days_still_opens(client, settings):
    settings.GREENROOM_SPEAKER_LINK_DAYS = 60
    entry = LineupEntryFactory()

    response = client.get(reverse("web:speaker-portal", args=[old_token(entry, days=59)]))

    assert response.status_code == 200


def test_revoked_link_is_refused_and_a_resent_one_works(
    client, organizer_client, django_capture_on_commit_callbacks
):
    entry = LineupEntryFactory()
    old_link = portal(entry)
    changelist = reverse("admin:speakers_lineupentry_changelist")

    organizer_client.post(changelist, {"action": "revoke_links", "_selected_action": [entry.pk]})
    refused = client.get(old_link)
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(
            changelist, {"action": "resend_links", "_selected_action": [entry.pk]}
        )
    new_link = re.search(r"https?://\S+/speaker/\S+/", mail.outbox[0].body).group(0)

    assert refused.status_code == 410
    assert "This link was revoked or replaced by a newer one." in text(refused)
    assert client.get(old_link).status_code == 410
    assert client.get(new_link).status_code == 200


def test_inviting_again_after_a_revoke_sends_a_working_link(
    client, django_capture_on_commit_callbacks
):
    entry = LineupEntryFactory(status="declined", declined_at="2030-01-01T00:00:00Z")
    old_link = portal(entry)
    revoke_portal_links(entries=[entry])

    with django_capture_on_commit_callbacks(execute=True):
        invite_speakers(event=entry.event, speakers=[entry.speaker])
    new_link = re.search(r"https?://\S+/speaker/\S+/", mail.outbox[0].body).group(0)

    entry.refresh_from_db()
    assert entry.link_revoked_at is None
    assert client.get(old_link).status_code == 410
    assert client.get(new_link).status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signing.dumps({"e": 1, "v": 1}, salt="another.purpose"),
        "eyJlIjoxLCJ2IjoxfQ:1tZZZZ:forgedsignatureforgedsignatureforgedsig",
    ],
    ids=["garbage", "other-salt", "forged"],
)
def test_a_token_this_site_never_gave_is_not_found(client, token):
    LineupEntryFactory()

    assert client.get(reverse("web:speaker-portal", args=[token])).status_code == 404


def test_a_link_whose_entry_was_deleted_is_not_found(client):
    entry = LineupEntryFactory()
    link = portal(entry)
    entry.delete()

    assert client.get(link).status_code == 404


def test_profile_edit_saves_bio_pronouns_title_company_and_links(client):
    speaker = SpeakerFactory(bio="Old bio.")
    SpeakerLinkFactory(speaker=speaker, url="https://old.example/")
    entry = LineupEntryFactory(speaker=speaker)

    response = client.post(
        portal(entry, "profile"),
        {
            "bio": "Builds robots.",
            "pronouns": "she/her",
            "job_title": "CTO",
            "company": "Starship Technologies",
            "links": "https://ada.example/\n\nada.dev",
        },
    )

    assert response.status_code == 302
    speaker.refresh_from_db()
    assert (speaker.bio, speaker.pronouns, speaker.job_title) == (
        "Builds robots.",
        "she/her",
        "CTO",
    )
    assert speaker.organization.name == "Starship Technologies"
    assert list(speaker.links.values_list("url", flat=True)) == [
        "https://ada.example/",
        "https://ada.dev",
    ]


def test_profile_headshot_is_stored_as_a_square_with_renditions(client):
    entry = LineupEntryFactory()

    client.post(
        portal(entry, "profile"),
        {"headshot": SimpleUploadedFile("me.png", photo((1200, 800), image_format="PNG"))},
    )

    speaker = entry.speaker
    speaker.refresh_from_db()
    with default_storage.open(speaker.headshot.name) as file:
        assert Image.open(file).size == (800, 800)
    assert sorted(speaker.headshot_renditions) == ["256", "512", "96"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            png_header(100, 100) + b"\x00" * (6 * 1024 * 1024),
            "The headshot is 6.0 MiB; at most 5.0 MiB is accepted.",
        ),
        (png_header(5000, 300), "The headshot is 5000×300 pixels; at most 4000×4000 are accepted."),
        (b"not an image", "The headshot is not a readable JPEG, PNG or WebP image."),
    ],
    ids=["bytes", "pixels", "unreadable"],
)
def test_profile_headshot_beyond_the_caps_is_a_form_error(client, settings, content, message):
    settings.GREENROOM_HEADSHOT_MAX_BYTES = 5 * 1024 * 1024
    settings.GREENROOM_HEADSHOT_MAX_SIDE = 4000
    entry = LineupEntryFactory()

    response = client.post(
        portal(entry, "profile"), {"headshot": SimpleUploadedFile("me.png", content)}
    )

    assert response.status_code == 400
    assert message in response.context["form"].errors["headshot"][0]
    assert 'aria-invalid="true"' in response.content.decode()
    entry.speaker.refresh_from_db()
    assert not entry.speaker.headshot


LOGISTICS = "Arrive by 08:30 at the north door.\nGreen room: level 2."


def test_sessions_show_local_time_stage_co_panelists_and_moderator(client):
    event = winter_event(name="Robotics Days", speaker_logistics=LOGISTICS)
    stage = StageFactory(event=event, name="Main Stage")
    session = SessionFactory(
        event=event,
        stage=stage,
        title="Robotaxis",
        starts_at=local_time(event, 0, 10, 30),
        ends_at=local_time(event, 0, 11, 15),
    )
    ada = SpeakerFactory(name="Ada Lovelace")
    SessionSpeakerFactory(
        session=session, speaker=SpeakerFactory(name="Grace Hopper"), role=SessionRole.MODERATOR
    )
    SessionSpeakerFactory(session=session, speaker=ada, role=SessionRole.PANELIST)
    SessionSpeakerFactory(session=session, speaker=SpeakerFactory(name="Alan Turing"))
    entry = LineupEntryFactory(event=event, speaker=ada)

    page = text(client.get(portal(entry)))

    assert "Robotaxis Tue 15 Jan, 10:30 –11:15" in page
    assert "Main Stage · Panel · you: Panelist" in page
    assert "With: Grace Hopper (Moderator), Alan Turing (Panelist)" in page
    assert "Times in America/Los_Angeles" in page
    assert "Arrive by 08:30 at the north door. Green room: level 2." in page


def test_slides_and_recording_links_are_saved_for_the_speakers_session(client):
    role = SessionSpeakerFactory()
    entry = LineupEntryFactory(event=role.session.event, speaker=role.speaker)
    prefix = f"session-{role.session_id}"

    response = client.post(
        portal(entry, "materials"),
        {
            "session": role.session_id,
            f"{prefix}-slides_url": "https://slides.example/deck",
            f"{prefix}-recording_url": "https://video.example/talk",
        },
    )

    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.slides_url, role.recording_url) == (
        "https://slides.example/deck",
        "https://video.example/talk",
    )


def test_materials_with_a_bad_link_say_so_and_save_nothing(client):
    role = SessionSpeakerFactory()
    entry = LineupEntryFactory(event=role.session.event, speaker=role.speaker)

    response = client.post(
        portal(entry, "materials"),
        {"session": role.session_id, f"session-{role.session_id}-slides_url": "not a link"},
    )

    assert response.status_code == 400
    assert "Enter a valid URL." in text(response)
    role.refresh_from_db()
    assert role.slides_url == ""


def test_materials_for_someone_elses_session_are_not_found(client):
    entry = LineupEntryFactory()
    other = SessionSpeakerFactory(session=SessionFactory(event=entry.event))

    response = client.post(
        portal(entry, "materials"),
        {
            "session": other.session_id,
            f"session-{other.session_id}-slides_url": "https://x.example",
        },
    )

    assert response.status_code == 404


def test_signed_in_speaker_reaches_the_same_portal(client):
    entry = LineupEntryFactory(speaker=SpeakerFactory(email="Ada@Example.com"))
    user = UserFactory(email="ada@example.com")
    EmailAddress.objects.create(user=user, email="ada@example.com", verified=True, primary=True)
    client.force_login(user)

    account = client.get(reverse("web:account"))
    response = client.get(reverse("web:my-speaker-portal", args=[entry.event.slug]))
    client.post(
        reverse("web:my-speaker-portal-answer", args=[entry.event.slug]), {"answer": "confirmed"}
    )

    assert reverse("web:my-speaker-portal", args=[entry.event.slug]) in account.content.decode()
    assert response.status_code == 200
    assert f"Your speaker page for {entry.event.name}" in text(response)
    entry.refresh_from_db()
    assert entry.status == "confirmed"


def test_signed_in_with_an_unverified_address_is_not_a_speaker(client):
    entry = LineupEntryFactory(speaker=SpeakerFactory(email="ada@example.com"))
    user = UserFactory(email="ada@example.com")
    EmailAddress.objects.create(user=user, email="ada@example.com", verified=False, primary=True)
    client.force_login(user)

    response = client.get(reverse("web:my-speaker-portal", args=[entry.event.slug]))

    assert response.status_code == 404


def test_signed_in_portal_asks_an_anonymous_visitor_to_log_in(client):
    entry = LineupEntryFactory()

    response = client.get(reverse("web:my-speaker-portal", args=[entry.event.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def speaker_with_sessions(count: int) -> LineupEntry:
    event = winter_event(speaker_logistics=LOGISTICS)
    stages = [StageFactory(event=event, position=index) for index in range(2)]
    speaker = SpeakerFactory()
    for index in range(count):
        session = SessionFactory(
            event=event,
            stage=stages[index % 2],
            starts_at=local_time(event, 0, 8 + index, 0),
            ends_at=local_time(event, 0, 8 + index, 45),
        )
        SessionSpeakerFactory(session=session, speaker=SpeakerFactory(), role=SessionRole.MODERATOR)
        SessionSpeakerFactory(session=session, speaker=speaker)
    return LineupEntryFactory(event=event, speaker=speaker)


# The entry with its event and speaker, the speaker's sessions here, everyone on them.
PORTAL_QUERIES = 3


@pytest.mark.parametrize("sessions", [1, 10])
def test_portal_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, sessions):
    entry = speaker_with_sessions(sessions)
    url = portal(entry)

    with django_assert_num_queries(PORTAL_QUERIES):
        response = client.get(url)

    assert response.content.decode().count('class="card slot"') == sessions


def test_lineup_admin_shows_who_has_not_answered(organizer_client):
    waiting = LineupEntryFactory(speaker=SpeakerFactory(name="Waiting Speaker"))
    LineupEntryFactory(
        event=waiting.event,
        speaker=SpeakerFactory(name="Answered Speaker"),
        status="confirmed",
        confirmed_at="2030-01-01T00:00:00Z",
    )

    response = organizer_client.get(
        reverse("admin:speakers_lineupentry_changelist"), {"answered": "no"}
    )

    page = response.content.decode()
    assert "Waiting Speaker" in page
    assert "Answered Speaker" not in page
