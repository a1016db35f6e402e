"""The speaker admin's CSV import page: upload, preview every row, confirm, permissions."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from speakers.models import InvitationStatus, LineupEntry, Organization, Speaker, SpeakerLink
from tests.factories import EventFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:speakers_speaker_import")
CHANGELIST_URL = reverse("admin:speakers_speaker_changelist")
CSV = (
    "name,job title,company,bio,email,links\r\n"
    "Ana Ruiz,CEO,Acme,,ana@example.com,https://a.example\r\n"
    "Bo Chen,CTO,Globex,,bo@example.com,\r\n"
    ",Nobody,,,,\r\n"
)


def upload(client, text: str = CSV, *, event=None, encoding: str = "utf-8-sig"):
    data = {"csv_file": SimpleUploadedFile("speakers.csv", text.encode(encoding), "text/csv")}
    if event is not None:
        data["event"] = event.pk
    return client.post(IMPORT_URL, data)


def confirm(client, preview):
    """Press “Confirm import” on a preview page: post its hidden fields back."""
    initial = preview.context["confirm_form"].initial
    data = {**initial, "event": initial["event"] or "", "confirm": "Confirm import"}
    return client.post(IMPORT_URL, data)


def database_state() -> dict[str, list]:
    return {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        for model in (Speaker, Organization, SpeakerLink, LineupEntry)
    }


def preview_rows(response) -> list[tuple[int, str, tuple[str, ...]]]:
    return [
        (row_plan.row.number, row_plan.outcome, row_plan.details)
        for row_plan in response.context["plan"].rows
    ]


def test_speaker_changelist_offers_import_to_organizers(organizer_client):
    response = organizer_client.get(CHANGELIST_URL)

    assert response.status_code == 200
    assert f'<a href="{IMPORT_URL}" class="addlink">Import CSV</a>' in response.text


def test_import_page_shows_the_upload_form(organizer_client):
    response = organizer_client.get(IMPORT_URL)

    assert response.status_code == 200
    assert response.templates[0].name == ("admin/speakers/speaker/import_form.html")
    assert list(response.context["form"].fields) == ["csv_file", "event"]


def test_import_preview_lists_every_row_and_writes_nothing(organizer_client):
    speaker = SpeakerFactory(
        name="Bo Chen", job_title="Engineer", organization__name="Initech", email="bo@example.com"
    )
    before = database_state()

    response = upload(organizer_client)

    assert response.status_code == 200
    assert preview_rows(response) == [
        (2, "create", ("new organization “Acme”", "1 link(s)")),
        (
            3,
            "update",
            ("job title: “Engineer” → “CTO”", "company: “Initech” → “Globex” (new organization)"),
        ),
        (4, "reject", ("name is missing",)),
    ]
    assert response.context["plan"].summary() == "1 to create, 1 to update, 0 unchanged, 1 rejected"
    assert "job title: “Engineer” → “CTO”" in response.text
    assert 'name="confirm"' in response.text
    assert database_state() == before
    speaker.refresh_from_db()
    assert speaker.job_title == "Engineer"


def test_import_confirm_writes_and_returns_to_the_speaker_list(organizer_client):
    preview = upload(organizer_client)

    response = confirm(organizer_client, preview)

    assert (response.status_code, response.url) == (302, CHANGELIST_URL)
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Speakers imported: 2 created, 0 updated, 0 unchanged, 1 rejected."
    ]
    assert sorted(Speaker.objects.values_list("name", "job_title", "organization__name")) == [
        ("Ana Ruiz", "CEO", "Acme"),
        ("Bo Chen", "CTO", "Globex"),
    ]
    assert list(SpeakerLink.objects.values_list("url", flat=True)) == ["https://a.example"]


def test_import_confirm_with_an_event_puts_speakers_in_its_lineup(organizer_client):
    event = EventFactory()
    preview = upload(organizer_client, event=event)

    confirm(organizer_client, preview)

    assert sorted(event.lineup.values_list("speaker__name", "status")) == [
        ("Ana Ruiz", InvitationStatus.INVITED),
        ("Bo Chen", InvitationStatus.INVITED),
    ]


def test_import_of_the_same_file_again_offers_nothing_to_confirm(organizer_client):
    confirm(organizer_client, upload(organizer_client))
    before = database_state()

    response = upload(organizer_client)

    assert [outcome for _, outcome, _ in preview_rows(response)] == [
        "unchanged",
        "unchanged",
        "reject",
    ]
    assert 'name="confirm"' not in response.text
    assert database_state() == before


def test_import_confirm_after_speakers_changed_shows_the_new_preview_instead(organizer_client):
    preview = upload(organizer_client)
    SpeakerFactory(name="Ana Ruiz", job_title="CFO", email="ana@example.com")
    before = database_state()

    response = confirm(organizer_client, preview)

    assert response.status_code == 200
    assert preview_rows(response)[0][:2] == (2, "update")
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Speakers changed since this preview was made. Check it again."
    ]
    assert database_state() == before


@pytest.mark.parametrize(
    ("content", "encoding", "error"),
    [
        ("name\nZoë\n", "latin-1", "The file is not UTF-8 text."),
        ("speaker,company\nAna,Acme\n", "utf-8", "with a column named name; it reads"),
        ("", "utf-8", "The submitted file is empty."),
    ],
    ids=["not-utf8", "no-name-column", "empty"],
)
def test_import_unusable_file_is_refused_on_the_form(organizer_client, content, encoding, error):
    response = upload(organizer_client, content, encoding=encoding)

    assert response.status_code == 200
    assert "plan" not in response.context
    assert error in " ".join(response.context["form"].errors["csv_file"])
    assert Speaker.objects.count() == 0


def test_import_tampered_confirmation_writes_nothing(organizer_client):
    response = organizer_client.post(
        IMPORT_URL, {"csv_text": "garbage", "fingerprint": "x", "confirm": "Confirm import"}
    )

    assert (response.status_code, response.url) == (302, IMPORT_URL)
    assert Speaker.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "codenames", [["view_speaker"], ["view_speaker", "add_speaker"]], ids=["view", "view+add"]
)
def test_import_page_for_staff_without_add_and_change_permission_is_forbidden(
    client, method, codenames
):
    staff = UserFactory(username="viewer", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(staff)

    response = getattr(client, method)(IMPORT_URL)

    assert response.status_code == 403
    assert Speaker.objects.count() == 0


def test_import_page_for_anonymous_visitor_leads_to_login(client):
    response = client.get(IMPORT_URL)

    assert (response.status_code, response.url) == (
        302,
        f"{reverse('admin:login')}?next={IMPORT_URL}",
    )


def test_import_keeps_a_confirmed_lineup_entry_as_it_is(organizer_client):
    event = EventFactory()
    speaker = SpeakerFactory(name="Ana Ruiz", job_title="CEO", email="ana@example.com")
    confirmed_at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    LineupEntry.objects.create(
        event=event, speaker=speaker, status=InvitationStatus.CONFIRMED, confirmed_at=confirmed_at
    )

    confirm(organizer_client, upload(organizer_client, event=event))

    assert list(speaker.lineup_entries.values_list("status", "confirmed_at")) == [
        (InvitationStatus.CONFIRMED, confirmed_at)
    ]
