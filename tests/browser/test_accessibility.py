"""axe-core on a phone: no serious or critical violation on the public pages that exist."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from agenda.services import cancel_session, release_schedule
from events.demo import DEMO_EVENT_SLUG
from events.models import Event, EventStatus
from tests.browser.helpers import serious_violations
from tests.factories import EventFactory, UserFactory
from tickets.models import Order
from tickets.services.order_states import mark_paid
from tickets.services.ordering import LineRequest, place_order

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


def sign_in(phone) -> None:
    user = UserFactory(username="ada", email="ada@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    phone.goto("/accounts/login/")
    phone.get_by_label("Email").fill("ada@example.com")
    phone.get_by_label("Password:", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.get_by_role("button", name="Log out").wait_for()


def test_signed_in_event_home_has_no_serious_accessibility_violation(demo_site, phone):
    sign_in(phone)

    phone.goto(f"/events/{DEMO_EVENT_SLUG}/")

    assert serious_violations(phone) == []


def demo_order():
    event = Event.objects.get(slug=DEMO_EVENT_SLUG)
    pass_type = event.pass_types.order_by("pk").first()
    order, _ = place_order(
        event=event,
        lines=[LineRequest(pass_type.pk, 2, attendees=({"name": "Ada Lovelace"},))],
        email="ada@example.com",
    )
    return order


@pytest.mark.parametrize(
    "page", ["agenda", "session", "changelog", "speakers", "speaker", "passes", "checkout"]
)
def test_event_page_has_no_serious_accessibility_violation(demo_site, phone, page):
    event = Event.objects.get(slug=DEMO_EVENT_SLUG)
    session = event.sessions.order_by("starts_at").first()
    speaker = session.speakers.order_by("pk").first()
    path = {
        "agenda": f"/events/{event.slug}/agenda/",
        "session": f"/events/{event.slug}/sessions/{session.pk}/",
        "changelog": f"/events/{event.slug}/changelog/",
        "speakers": f"/events/{event.slug}/speakers/",
        "speaker": f"/events/{event.slug}/speakers/{speaker.slug}/",
        "passes": f"/events/{event.slug}/passes/",
        "checkout": f"/events/{event.slug}/checkout/",
    }[page]
    phone.goto(path)

    assert serious_violations(phone) == []


@pytest.mark.parametrize("page", ["agenda", "session", "changelog"])
def test_cancelled_session_pages_have_no_serious_accessibility_violation(demo_site, phone, page):
    event = Event.objects.get(slug=DEMO_EVENT_SLUG)
    session = event.sessions.order_by("starts_at").first()
    cancel_session(session=session)
    release_schedule(event=event, version="1.1")
    path = {
        "agenda": f"/events/{event.slug}/agenda/?day={event.start_date:%Y-%m-%d}",
        "session": f"/events/{event.slug}/sessions/{session.pk}/",
        "changelog": f"/events/{event.slug}/changelog/",
    }[page]
    phone.goto(path)
    expect(phone.get_by_text("Cancelled").first).to_be_visible()

    assert serious_violations(phone) == []


def test_checkout_with_errors_has_no_serious_accessibility_violation(demo_site, phone):
    phone.goto(f"/events/{DEMO_EVENT_SLUG}/checkout/")
    phone.get_by_label("E-mail").fill("not-an-address@")
    phone.get_by_role("button", name="Continue to payment").click()
    expect(phone.get_by_role("alert")).to_be_visible()

    assert serious_violations(phone) == []


def test_pay_page_has_no_serious_accessibility_violation(demo_site, phone, stripe_settings):
    order = demo_order()
    phone.goto(f"/orders/{order.code}/pay/?key={order.secret}")
    phone.get_by_placeholder("number").wait_for()

    assert serious_violations(phone) == []


@pytest.mark.parametrize("paid", [False, True], ids=["pending", "paid"])
def test_order_page_has_no_serious_accessibility_violation(demo_site, phone, paid):
    order = demo_order()
    if paid:
        with transaction.atomic():
            mark_paid(Order.objects.select_for_update().get(pk=order.pk), now=timezone.now())
    phone.goto(f"/orders/{order.code}/?key={order.secret}")
    expect(phone.locator("#order-status")).to_contain_text("Paid" if paid else "Awaiting")

    assert serious_violations(phone) == []


@pytest.mark.parametrize("path", ["/account/", "/account/delete/"])
def test_account_page_has_no_serious_accessibility_violation(demo_site, phone, path):
    sign_in(phone)
    phone.goto(path)

    assert serious_violations(phone) == []


def is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(phone, locator, key: str = "Tab", most: int = 60) -> None:
    """Press Tab (or Shift+Tab) until `locator` has the focus; fail if it never does."""
    for _ in range(most):
        phone.keyboard.press(key)
        if is_focused(locator):
            return
    raise AssertionError(f"{key} never reached {locator}")


def test_checkout_works_with_the_keyboard_alone(demo_site, phone, stripe_settings):
    phone.goto(f"/events/{DEMO_EVENT_SLUG}/passes/")

    tab_to(phone, phone.get_by_label("Quantity General Admission"))
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("ArrowDown")
    tab_to(phone, phone.get_by_role("button", name="Checkout with General Admission"))
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Checkout")
    tab_to(phone, phone.get_by_label("Name on pass 1"))
    phone.keyboard.type("Ada Lovelace")
    tab_to(phone, phone.get_by_label("E-mail"))
    phone.keyboard.type("ada@example.com")
    tab_to(phone, phone.get_by_role("link", name="Back to the passes"))
    tab_to(phone, phone.get_by_label("Name on pass 2"), key="Shift+Tab")
    phone.keyboard.type("Grace Hopper")
    tab_to(phone, phone.get_by_role("button", name="Continue to payment"))
    phone.keyboard.press("Space")

    expect(phone.get_by_role("heading", level=1)).to_have_text("Payment")
    order = Order.objects.get(email="ada@example.com")
    line = order.lines.get()
    assert (line.quantity, [attendee["name"] for attendee in line.attendees]) == (
        2,
        ["Ada Lovelace", "Grace Hopper"],
    )
