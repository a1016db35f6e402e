"""The speaker screen: filters, lineup actions, invitations and CSV export."""

import csv
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from speakers.models import LineupEntry
from tests.factories import EventFactory, LineupEntryFactory, SpeakerFactory, SpeakerLinkFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:speakers_speaker_changelist")


def speaker_page_form(speaker, **fields) -> dict:
    """The speaker page's form as posted unchanged, with no inline rows, and `fields`."""
    return {
        "name": speaker.name,
        "slug": speaker.slug,
        "job_title": speaker.job_title,
        "organization": speaker.organization_id,
        "email": speaker.email,
        "links-TOTAL_FORMS": 0,
        "links-INITIAL_FORMS": 0,
        "lineup_entries-TOTAL_FORMS": 0,
        "lineup_entries-INITIAL_FORMS": 0,
        **fields,
    }


def run_action(client, action: str, speakers, *, apply=None, chosen=None, **filters):
    """Post an action from the changelist (with filters in the URL), or its event page."""
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    form = {"action": action, "_selected_action": [speaker.pk for speaker in speakers]}
    if apply:
        form |= {"apply": apply, "event": chosen.pk if chosen else ""}
    return client.post(f"{CHANGELIST}?{query}", form, follow=True)


def listed(response) -> list[str]:
    return [speaker.name for speaker in response.context["cl"].result_list]


def test_search_finds_speakers_by_company_and_job_title(organizer_client):
    SpeakerFactory(name="Jewel Li", organization__name="AutoX", job_title="")
    SpeakerFactory(name="Pam Fletcher", job_title="VP of Global Innovation")

    by_company = organizer_client.get(CHANGELIST, {"q": "autox"})
    by_title = organizer_client.get(CHANGELIST, {"q": "global innovation"})

    assert (listed(by_company), listed(by_title)) == (["Jewel Li"], ["Pam Fletcher"])


def test_event_and_invitation_filters_combine(organizer_client):
    event, other_event = EventFactory(), EventFactory()
    confirmed = LineupEntryFactory(
        event=event, status="confirmed", confirmed_at="2030-01-01T00:00Z"
    )
    LineupEntryFactory(event=event, status="invited")
    LineupEntryFactory(event=other_event, status="confirmed", confirmed_at="2030-01-01T00:00Z")

    response = organizer_client.get(CHANGELIST, {"event": event.pk, "invitation": "confirmed"})

    assert listed(response) == [confirmed.speaker.name]


def test_mark_confirmed_asks_for_the_event_and_preselects_the_filtered_one(organizer_client):
    entry = LineupEntryFactory()

    response = run_action(organizer_client, "mark_confirmed", [entry.speaker], event=entry.event.pk)

    assert response.context["form"]["event"].value() == entry.event.pk
    entry.refresh_from_db()
    assert entry.status == "invited"


def test_mark_confirmed_for_the_chosen_event(organizer_client):
    entry = LineupEntryFactory()

    response = run_action(
        organizer_client, "mark_confirmed", [entry.speaker], apply="yes", chosen=entry.event
    )

    entry.refresh_from_db()
    assert entry.status == "confirmed"
    assert f"1 speaker(s) marked confirmed for {entry.event.name}." in response.content.decode()


def test_mark_declined_adds_a_speaker_outside_the_lineup(organizer_client):
    event, speaker = EventFactory(), SpeakerFactory()

    run_action(organizer_client, "mark_declined", [speaker], apply="yes", chosen=event)

    assert LineupEntry.objects.get(speaker=speaker, event=event).status == "declined"


def test_lineup_action_without_an_event_changes_nothing(organizer_client):
    entry = LineupEntryFactory()

    response = run_action(organizer_client, "mark_declined", [entry.speaker], apply="yes")

    entry.refresh_from_db()
    assert entry.status == "invited"
    assert response.context["form"].errors == {"event": ["This field is required."]}


def test_send_invitation_action_emails_the_speaker(
    organizer_client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    speaker = SpeakerFactory(email="tiffany@remix.example")

    with django_capture_on_commit_callbacks(execute=True):
        run_action(organizer_client, "send_invitation", [speaker], apply="yes", chosen=event)

    assert [message.to for message in mail.outbox] == [["tiffany@remix.example"]]
    assert LineupEntry.objects.get(speaker=speaker).invitation_sent_at is not None


def test_export_csv_gives_the_selected_speakers_in_import_columns(organizer_client):
    speaker = SpeakerFactory(
        name="Frank Reig", job_title="Co-founder and CEO", organization__name="Revel"
    )
    SpeakerLinkFactory(speaker=speaker, url="https://revel.example")
    SpeakerFactory(name="Not selected")

    response = run_action(organizer_client, "export_csv", [speaker])

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows == [
        ["name", "job_title", "company", "bio", "email", "phone", "links"],
        ["Frank Reig", "Co-founder and CEO", "Revel", "", speaker.email, "",
         "https://revel.example"],
    ]  # fmt: skip


def test_export_csv_neutralises_spreadsheet_formulas(organizer_client):
    speaker = SpeakerFactory(
        name='=HYPERLINK("https://evil.example","CV")',
        job_title="\uff1d1+1",
        organization__name="@Revel",
        bio="- keynote\n- panel",
        phone="+1 555 0100",
    )

    response = run_action(organizer_client, "export_csv", [speaker])

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == [
        '\'=HYPERLINK("https://evil.example","CV")', "'\uff1d1+1", "'@Revel", "'- keynote\n- panel",
        speaker.email, "'+1 555 0100", "",
    ]  # fmt: skip


def test_changelist_shows_a_headshot_thumbnail(organizer_client):
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(image, format="PNG")
    SpeakerFactory(headshot=SimpleUploadedFile("huan.png", image.getvalue()))

    response = organizer_client.get(CHANGELIST)

    assert '<img src="/media/headshots/huan' in response.content.decode()


def test_changing_lineup_status_on_the_speaker_page_stamps_the_time(organizer_client):
    entry = LineupEntryFactory()
    speaker = entry.speaker
    form = speaker_page_form(speaker) | {
        "lineup_entries-TOTAL_FORMS": 1,
        "lineup_entries-INITIAL_FORMS": 1,
        "lineup_entries-0-id": entry.pk,
        "lineup_entries-0-speaker": speaker.pk,
        "lineup_entries-0-event": entry.event_id,
        "lineup_entries-0-status": "declined",
    }

    response = organizer_client.post(
        reverse("admin:speakers_speaker_change", args=[speaker.pk]), form
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "declined"
    assert entry.declined_at is not None
