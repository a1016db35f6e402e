"""Phone-sized screenshots of the public pages for the README (docs/screenshots/)."""

import io

from django.core.management import call_command
from PIL import Image

from events.demo import DEMO_EVENT_SLUG
from tests.browser.helpers import save_screenshot


def test_event_home_screenshot_on_a_phone(site, settings, phone):
    settings.GREENROOM_PAYMENTS_SIMULATED = True  # as `make run` shows it
    call_command("seed_demo", stdout=io.StringIO())
    phone.goto(f"/events/{DEMO_EVENT_SLUG}/")
    phone.get_by_role("heading", level=1, name="TC Sessions: Mobility 2021").wait_for()

    path = save_screenshot(phone, "event-home-phone")

    with Image.open(path) as image:
        assert image.size == (780, 1688)  # 390×844 CSS pixels at scale 2
