"""Phone-sized screenshots of the public pages for the README (docs/screenshots/)."""

import io

import pytest
from django.core.management import call_command
from PIL import Image

from events.demo import DEMO_EVENT_SLUG
from tests.browser.helpers import save_screenshot

PHONE_PIXELS = (780, 1688)  # 390×844 CSS pixels at scale 2


@pytest.fixture
def demo(site, settings) -> None:
    settings.GREENROOM_PAYMENTS_SIMULATED = True  # as `make run` shows it
    call_command("seed_demo", stdout=io.StringIO())


def test_event_home_screenshot_on_a_phone(demo, phone):
    phone.goto(f"/events/{DEMO_EVENT_SLUG}/")
    phone.get_by_role("heading", level=1, name="TC Sessions: Mobility 2021").wait_for()

    path = save_screenshot(phone, "event-home-phone")

    with Image.open(path) as image:
        assert image.size == PHONE_PIXELS


def test_agenda_screenshot_on_a_phone(demo, phone):
    phone.goto(f"/events/{DEMO_EVENT_SLUG}/agenda/")
    phone.get_by_role("heading", level=1).wait_for()

    path = save_screenshot(phone, "agenda-phone")

    with Image.open(path) as image:
        assert image.size == PHONE_PIXELS


def test_checkout_screenshot_on_a_phone(demo, phone):
    phone.goto(f"/events/{DEMO_EVENT_SLUG}/passes/")
    phone.get_by_role("button", name="Checkout with General Admission").click()
    phone.get_by_label("Name on pass 1").fill("Ada Lovelace")
    phone.get_by_label("E-mail").fill("ada@example.com")
    phone.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")

    path = save_screenshot(phone, "checkout-phone")

    with Image.open(path) as image:
        assert image.size == PHONE_PIXELS
