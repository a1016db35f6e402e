"""Headshot image functions: the decompression-bomb guard, renditions written twice."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from speakers.exceptions import SpeakersError
from speakers.headshots import open_headshot
from speakers.services import store_headshot_renditions
from tests.factories import SpeakerFactory
from tests.helpers import photo, png_header

pytestmark = pytest.mark.django_db


def test_decompression_bomb_is_refused_even_when_the_side_cap_allows_it(settings):
    settings.GREENROOM_HEADSHOT_MAX_SIDE = 100_000
    bomb = SimpleUploadedFile("bomb.png", png_header(30000, 30000))  # 900 Mpx

    with pytest.raises(SpeakersError) as refused:
        open_headshot(bomb)

    assert refused.value.code == "headshot_too_many_pixels"


def test_store_headshot_renditions_twice_rewrites_the_same_files():
    speaker = SpeakerFactory(headshot=ContentFile(photo(), name="bo.jpg"))
    first = dict(store_headshot_renditions(speaker=speaker).headshot_renditions)

    second = store_headshot_renditions(speaker=speaker).headshot_renditions

    assert second == first
    assert all(default_storage.exists(name) for name in second.values())
