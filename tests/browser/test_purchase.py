"""A buyer on a phone pays for a pass against localstripe, through Stripe.js on the pay page.

localstripe (1.15) fires its signed webhooks at the live server, registered as `make run` does.
Its Stripe.js has a card element (number, exp_month, exp_year, cvc, postal_code) but its
`confirmCardPayment` ignores the card typed there: it only completes a 3-D Secure challenge of
an intent that already awaits one (`requires_action`); any other intent gets 400. So, after the
buyer has typed the test card, the test attaches a 3-D Secure test card to the intent through
localstripe's API (as the card form of real Stripe would) and the buyer completes the challenge
in localstripe's dialog; localstripe then charges and sends payment_intent.succeeded.
"""

import io
import re
import urllib.parse
import urllib.request

from django.core.management import call_command
from playwright.sync_api import expect

from events.demo import DEMO_EVENT_SLUG
from tests.browser.helpers import link_in
from tests.tickets.conftest import WEBHOOK_SECRET, localstripe_call
from tickets.models import Order, OrderStatus

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


def attach_card(localstripe: str, client_secret: str) -> None:
    """Give the intent a card that asks for 3-D Secure (see the module's docstring)."""
    intent_id = client_secret.split("_secret_")[0]
    card = {"number": THREE_D_SECURE_CARD, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    method = localstripe_call(
        localstripe,
        "POST",
        "/v1/payment_methods",
        {"type": "card", **{f"card[{key}]": value for key, value in card.items()}},
    )
    path = f"/v1/payment_intents/{intent_id}"
    localstripe_call(localstripe, "POST", path, {"payment_method": method["id"]})
    assert localstripe_call(localstripe, "POST", f"{path}/confirm")["status"] == "requires_action"


def type_test_card(phone) -> None:
    phone.get_by_placeholder("number").press_sequentially("4242424242424242")
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
    type_test_card(phone)
    attach_card(localstripe_url, phone.locator("#pay-form").get_attribute("data-client-secret"))
    phone.get_by_role("button", name=re.compile(r"^Pay \$190\.00$")).click()
    phone.get_by_role("button", name="Complete authentication").click()

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
