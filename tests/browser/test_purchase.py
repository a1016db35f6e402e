"""A buyer on a phone pays for a pass against localstripe, through Stripe.js on the pay page.

localstripe (1.15) fires its signed webhooks at the live server, registered as `make run` does.
The buyer types the card into localstripe's card element; pay.js makes the payment method at
the local server (its Stripe.js has no createPaymentMethod), our server confirms the payment,
and a card that asks for 3-D Secure is finished in localstripe's dialog.
"""

import io
import re
import urllib.parse
import urllib.request

from django.core.management import call_command
from playwright.sync_api import expect

from events.demo import DEMO_EVENT_SLUG
from tests.browser.helpers import link_in
from tests.tickets.conftest import WEBHOOK_SECRET
from tickets.models import Order, OrderStatus

TEST_CARD = "4242424242424242"
THREE_D_SECURE_CARD = "4000002760003184"


def register_webhook(localstripe: str, site: str) -> None:
    """What `make run` does (config/rundev.py): localstripe signs and posts to our endpoint."""
    data = urllib.parse.urlencode(
        [
            ("url", f"{site}/api/v1/webhooks/stripe/"),
            ("secret", WEBHOOK_SECRET),
            ("events[]", "payment_intent.succeeded"),
        ]
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (our own local server)
        f"{localstripe}/_config/webhooks/greenroom", data=data, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


def type_card(phone, number: str = TEST_CARD) -> None:
    phone.get_by_placeholder("number").press_sequentially(number)
    phone.get_by_placeholder("exp_month").press_sequentially("12")
    phone.get_by_placeholder("exp_year").press_sequentially("34")
    phone.get_by_placeholder("cvc").press_sequentially("123")
    phone.get_by_placeholder("postal_code").press_sequentially("94103")


def test_buyer_pays_with_the_test_card_and_gets_qr_tickets_and_the_email(
    site, phone, stripe_settings, localstripe_url, outbox
):
    call_command("seed_demo", stdout=io.StringIO())
    register_webhook(localstripe_url, site)

    phone.goto(f"/events/{DEMO_EVENT_SLUG}/")
    phone.get_by_role("link", name="Get your pass").click()
    phone.get_by_label("Quantity General Admission").select_option("2")
    phone.get_by_role("button", name="Checkout with General Admission").click()
    phone.get_by_label("Name on pass 1").fill("Ada Lovelace")
    phone.get_by_label("Name on pass 2").fill("Grace Hopper")
    phone.get_by_label("E-mail").fill("ada@example.com")
    phone.get_by_role("button", name="Continue to payment").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Payment")
    type_card(phone)
    phone.get_by_role("button", name=re.compile(r"^Pay \$190\.00$")).click()

    expect(phone).to_have_url(re.compile(r"/orders/\w+/\?key="))
    expect(phone.locator("#order-status")).to_contain_text("Paid")
    tickets = phone.get_by_role("img", name=re.compile("^QR code of ticket "))
    expect(tickets).to_have_count(2)
    expect(phone.locator(".ticket")).to_contain_text(["Ada Lovelace", "Grace Hopper"])
    order = Order.objects.get(email="ada@example.com")
    assert order.status == OrderStatus.PAID
    [confirmation] = [message for message in outbox if message.to == ["ada@example.com"]]
    link = link_in(confirmation, f"/orders/{order.code}/")
    assert f"key={order.secret}" in link


def buy_one_pass(phone, email: str) -> None:
    phone.goto(f"/events/{DEMO_EVENT_SLUG}/passes/")
    phone.get_by_role("button", name="Checkout with General Admission").click()
    phone.get_by_label("E-mail").fill(email)
    phone.get_by_role("button", name="Continue to payment").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Payment")


def test_card_that_asks_for_3d_secure_is_paid_after_the_buyer_authenticates(
    site, phone, stripe_settings, localstripe_url
):
    call_command("seed_demo", stdout=io.StringIO())
    register_webhook(localstripe_url, site)
    buy_one_pass(phone, "grace@example.com")

    type_card(phone, THREE_D_SECURE_CARD)
    phone.get_by_role("button", name=re.compile(r"^Pay ")).click()
    phone.get_by_role("button", name="Complete authentication").click()

    expect(phone.locator("#order-status")).to_contain_text("Paid")
    assert Order.objects.get(email="grace@example.com").status == OrderStatus.PAID
