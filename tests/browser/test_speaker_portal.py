"""The speaker portal on a phone: from the invitation e-mail's link to confirmed, with a photo."""

import pytest

from events.models import EventStatus
from events.services import ensure_organizers_group
from speakers.models import LineupEntry, SessionRole
from speakers.services import invite_speakers
from tests.browser.helpers import link_in, serious_violations
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    StageFactory,
    UserFactory,
    local_time,
)
from tests.helpers import photo


@pytest.fixture
def invited_speaker(site, settings):
    """A speaker invited to a published event where they are on a moderated panel; the
    invitation e-mail (its links pointing at the live server) is in the outbox."""
    settings.GREENROOM_SITE_URL = site
    organizer = UserFactory(username="organizer", email="team@greenroom.test", is_staff=True)
    organizer.groups.add(ensure_organizers_group())
    event = EventFactory(
        name="Robotics Days",
        status=EventStatus.PUBLISHED,
        speaker_logistics="Arrive by 08:30 at the north door. Green room: level 2.",
    )
    session = SessionFactory(
        event=event,
        stage=StageFactory(event=event, name="Main Stage"),
        title="Robotaxis",
        starts_at=local_time(event, 0, 10),
        ends_at=local_time(event, 0, 11),
    )
    speaker = SpeakerFactory(name="Ada Lovelace", email="ada@example.com")
    SessionSpeakerFactory(
        session=session, speaker=SpeakerFactory(name="Grace Hopper"), role=SessionRole.MODERATOR
    )
    SessionSpeakerFactory(session=session, speaker=speaker, role=SessionRole.PANELIST)
    invite_speakers(event=event, speakers=[speaker])  # autocommit: the e-mail goes at once
    return speaker


def test_speaker_accepts_from_the_email_link_and_uploads_a_photo(phone, outbox, invited_speaker):
    phone.goto(link_in(outbox[0], "/speaker/"))
    phone.get_by_role("heading", name="Your speaker page for Robotics Days").wait_for()
    phone.get_by_text("With: Grace Hopper (Moderator)").wait_for()
    assert serious_violations(phone) == []

    phone.get_by_role("button", name="Accept").click()
    phone.get_by_text("You are confirmed. Thank you!").wait_for()
    assert serious_violations(phone) == []

    phone.get_by_role("link", name="Edit your profile and photo").click()
    phone.get_by_role("heading", name="Your profile").wait_for()
    assert serious_violations(phone) == []
    phone.get_by_label("Pronouns").fill("she/her")
    phone.get_by_label("Photo").set_input_files(
        {"name": "ada.jpg", "mimeType": "image/jpeg", "buffer": photo((900, 600))}
    )
    phone.get_by_role("button", name="Save profile").click()
    phone.get_by_text("Your profile is saved.").wait_for()

    entry = LineupEntry.objects.select_related("speaker").get(speaker=invited_speaker)
    assert entry.status == "confirmed"
    assert entry.speaker.pronouns == "she/her"
    assert sorted(entry.speaker.headshot_renditions) == ["256", "512", "96"]
    assert [(message.to, message.subject) for message in outbox[1:]] == [
        (["team@greenroom.test"], "Ada Lovelace accepted to speak at Robotics Days")
    ]


def test_profile_form_with_errors_and_a_revoked_link_have_no_serious_violation(
    phone, outbox, invited_speaker
):
    link = link_in(outbox[0], "/speaker/")
    phone.goto(f"{link}profile/")
    phone.get_by_label("Links").fill("not a link")
    phone.get_by_role("button", name="Save profile").click()
    phone.get_by_text("Please check the fields marked below.").wait_for()
    assert serious_violations(phone) == []

    entry = LineupEntry.objects.get(speaker=invited_speaker)
    LineupEntry.objects.filter(pk=entry.pk).update(link_version=entry.link_version + 1)
    phone.goto(link)
    phone.get_by_role("heading", name="This link no longer works").wait_for()
    assert serious_violations(phone) == []
