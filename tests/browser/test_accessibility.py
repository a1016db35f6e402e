"""axe-core on a phone: no serious or critical violation on the public pages that exist."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from events.demo import DEMO_EVENT_SLUG
from events.models import EventStatus
from tests.browser.helpers import serious_violations
from tests.factories import EventFactory, UserFactory

PASSWORD = "a long phone passphrase 42"


@pytest.fixture
def demo_site(site, settings) -> str:
    """The site as `make run` serves it: the demo event (speakers, passes on sale), a second
    upcoming event so that `/` lists events, and the simulated-payments banner."""
    settings.GREENROOM_PAYMENTS_SIMULATED = True
    call_command("seed_demo", stdout=io.StringIO())
    EventFactory(name="Robotics Summit", status=EventStatus.PUBLISHED)
    return site


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/events/{DEMO_EVENT_SLUG}/",
        "/accounts/signup/",
        "/accounts/login/",
        "/accounts/login/code/",
        "/accounts/password/reset/",
    ],
)
def test_public_page_has_no_serious_accessibility_violation(demo_site, phone, path):
    phone.goto(path)

    assert serious_violations(phone) == []


def test_signup_form_with_errors_has_no_serious_accessibility_violation(demo_site, phone):
    phone.goto("/accounts/signup/")
    phone.get_by_label("Email").fill("not-an-address@")
    phone.get_by_role("button", name="Sign Up").click()

    assert serious_violations(phone) == []


def test_signed_in_event_home_has_no_serious_accessibility_violation(demo_site, phone):
    user = UserFactory(username="ada", email="ada@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    phone.goto("/accounts/login/")
    phone.get_by_label("Email").fill("ada@example.com")
    phone.get_by_label("Password:", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.get_by_role("button", name="Log out").wait_for()

    phone.goto(f"/events/{DEMO_EVENT_SLUG}/")

    assert serious_violations(phone) == []
