"""Headshots: size caps checked before decoding, a normalised re-encoding, sized renditions."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from speakers.models import Speaker
from speakers.services import store_headshot_renditions
from tests.factories import SessionSpeakerFactory, SpeakerFactory
from tests.helpers import photo, png_header
from tests.speakers.test_speaker_admin import speaker_page_form

pytestmark = pytest.mark.django_db

EXIF_ORIENTATION, EXIF_GPS = 0x0112, 0x8825


def post_headshot(client, speaker: Speaker, content: bytes, name: str = "ada.png"):
    form = speaker_page_form(speaker, headshot=SimpleUploadedFile(name, content))
    return client.post(reverse("admin:speakers_speaker_change", args=[speaker.pk]), form)


def stored_image(name: str) -> Image.Image:
    with default_storage.open(name) as file:
        image = Image.open(file)
        image.load()
    return image


def headshot_errors(response) -> list[str]:
    return response.context["adminform"].form.errors["headshot"]


def test_headshot_over_the_byte_cap_is_refused_with_a_clear_form_error(organizer_client):
    speaker = SpeakerFactory()
    six_mib = png_header(100, 100) + b"\x00" * (6 * 1024 * 1024)

    response = post_headshot(organizer_client, speaker, six_mib)

    assert headshot_errors(response) == [
        "The headshot is 6.0 MiB; at most 5.0 MiB is accepted. Save it smaller (a JPEG photo "
        "is usually well under 1 MiB) and upload it again."
    ]
    speaker.refresh_from_db()
    assert not speaker.headshot


def test_headshot_over_the_pixel_cap_is_refused_from_its_header(organizer_client):
    speaker = SpeakerFactory()

    response = post_headshot(organizer_client, speaker, png_header(12000, 12000))

    assert headshot_errors(response) == [
        "The headshot is 12000×12000 pixels; at most 4000×4000 are accepted. Scale it down "
        "and upload it again."
    ]


def test_headshot_that_is_not_an_image_is_refused(organizer_client):
    speaker = SpeakerFactory()

    response = post_headshot(organizer_client, speaker, b"<svg onload=alert(1)>", "ada.png")

    assert headshot_errors(response) == [
        "The headshot is not a readable JPEG, PNG or WebP image. Save it as a JPEG and upload "
        "it again."
    ]


def test_headshot_is_stored_as_an_upright_jpeg_without_exif_within_1024_px(organizer_client):
    speaker = SpeakerFactory()
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6  # the camera was turned: show it rotated 90°
    exif[EXIF_GPS] = {2: (48.0, 51.0, 24.0)}  # where the photo was taken
    upload = photo((3000, 2000), exif=exif.tobytes())

    response = post_headshot(organizer_client, speaker, upload, "ada.jpg")

    assert response.status_code == 302
    speaker.refresh_from_db()
    stored = stored_image(speaker.headshot.name)
    assert (stored.format, stored.size, dict(stored.getexif())) == ("JPEG", (683, 1024), {})


def test_headshot_upload_writes_renditions_of_96_256_and_512_px(organizer_client):
    speaker = SpeakerFactory()

    post_headshot(organizer_client, speaker, photo((1200, 800), image_format="PNG", mode="RGBA"))

    speaker.refresh_from_db()
    sizes = {side: stored_image(name).size for side, name in speaker.headshot_renditions.items()}
    assert sizes == {"96": (96, 64), "256": (256, 171), "512": (512, 342)}


def test_api_gives_headshot_renditions_and_never_the_stored_file(organizer_client):
    speaker = SessionSpeakerFactory().speaker
    post_headshot(organizer_client, speaker, photo())
    speaker.refresh_from_db()
    media = "http://testserver/media/"

    body = APIClient().get(reverse("speaker-detail", args=[speaker.pk])).json()

    renditions = speaker.headshot_renditions
    assert body["headshots"] == {side: media + name for side, name in renditions.items()}
    assert body["headshot_url"] == media + renditions["512"]


def test_api_gives_no_headshot_url_for_a_headshot_without_renditions():
    speaker = SessionSpeakerFactory(
        speaker__headshot=ContentFile(photo(), name="legacy.jpg")
    ).speaker

    body = APIClient().get(reverse("speaker-detail", args=[speaker.pk])).json()

    assert (body["headshots"], body["headshot_url"]) == (None, None)


def test_normalise_headshots_reencodes_stored_uploads_and_lists_the_oversized(
    django_capture_on_commit_callbacks,
):
    legacy = SpeakerFactory(headshot=ContentFile(photo((3000, 2000)), name="legacy.jpg"))
    original = legacy.headshot.name
    SpeakerFactory(name="Huge Hal", headshot=ContentFile(png_header(12000, 12000), name="h.png"))
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("normalise_headshots", stdout=out)

    legacy.refresh_from_db()
    assert stored_image(legacy.headshot.name).size == (1024, 683)
    assert sorted(legacy.headshot_renditions) == ["256", "512", "96"]
    assert not default_storage.exists(original)
    assert out.getvalue().splitlines()[-1] == "1 headshot(s) normalised, 1 left to upload again."


def test_normalise_headshots_twice_leaves_normalised_headshots_alone():
    speaker = SpeakerFactory(headshot=ContentFile(photo(), name="twice.jpg"))
    call_command("normalise_headshots", stdout=io.StringIO())
    speaker.refresh_from_db()
    before = (speaker.headshot.name, speaker.headshot_renditions)

    call_command("normalise_headshots", stdout=io.StringIO())

    speaker.refresh_from_db()
    assert (speaker.headshot.name, speaker.headshot_renditions) == before


def test_clearing_the_headshot_deletes_it_and_its_renditions(
    organizer_client, django_capture_on_commit_callbacks
):
    speaker = SpeakerFactory()
    post_headshot(organizer_client, speaker, photo())
    speaker.refresh_from_db()
    files = [speaker.headshot.name, *speaker.headshot_renditions.values()]
    change = reverse("admin:speakers_speaker_change", args=[speaker.pk])

    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(change, speaker_page_form(speaker, **{"headshot-clear": "on"}))

    speaker.refresh_from_db()
    assert (speaker.headshot.name, speaker.headshot_renditions) == ("", {})
    assert [name for name in files if default_storage.exists(name)] == []


def test_replacing_the_headshot_deletes_the_previous_files(
    organizer_client, django_capture_on_commit_callbacks
):
    speaker = SpeakerFactory()
    post_headshot(organizer_client, speaker, photo(), "first.jpg")
    speaker.refresh_from_db()
    first = [speaker.headshot.name, *speaker.headshot_renditions.values()]

    with django_capture_on_commit_callbacks(execute=True):
        post_headshot(organizer_client, speaker, photo(), "second.jpg")

    speaker.refresh_from_db()
    assert [name for name in first if default_storage.exists(name)] == []
    assert speaker.headshot.name == "headshots/second.jpg"


def test_renditions_are_written_through_the_storage_api_only(settings, tmp_path):
    """Shared media (S3) has no local paths: in-memory storage stands for it here."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    speaker = SpeakerFactory()
    speaker.headshot.save("ada.jpg", ContentFile(photo((1200, 800))), save=True)

    store_headshot_renditions(speaker=speaker)

    speaker.refresh_from_db()
    assert [default_storage.exists(name) for name in speaker.headshot_renditions.values()] == [
        True,
        True,
        True,
    ]
    assert list(tmp_path.iterdir()) == []
