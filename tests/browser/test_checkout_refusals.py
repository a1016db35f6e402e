"""The checkout's refusals on a phone, explained in place with what the buyer typed kept: the
last passes sold to someone else meanwhile, and a hold that ended before paying."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PassTypeFactory
from tickets.models import Order
from tickets.services.ordering import LineRequest, place_order


def test_checkout_says_sold_out_in_place_and_keeps_what_was_typed(site, phone):
    pass_type = PassTypeFactory(name="Founders", capacity=3, phase__price=9900)
    event = pass_type.event
    phone.goto(f"/events/{event.slug}/passes/")
    phone.get_by_label("Quantity Founders").select_option("2")
    phone.get_by_role("button", name="Checkout with Founders").click()
    phone.get_by_label("Name on pass 1").fill("Ada Lovelace")
    phone.get_by_label("Name on pass 2").fill("Grace Hopper")
    phone.get_by_label("E-mail").fill("ada@example.com")
    # Meanwhile, someone else takes two of the three seats.
    place_order(event=event, lines=[LineRequest(pass_type.pk, 2)], email="quick@example.com")

    phone.get_by_role("button", name="Continue to payment").click()

    expect(phone.get_by_role("alert")).to_contain_text("Please check the fields marked below.")
    quantity = phone.get_by_label("Quantity")
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(phone.locator(f"#id_quantity-{pass_type.pk}-error")).to_have_text(
        "Only 1 left: choose 1 or fewer."
    )
    expect(quantity).to_have_value("2")
    expect(phone.get_by_label("Name on pass 1")).to_have_value("Ada Lovelace")
    expect(phone.get_by_label("Name on pass 2")).to_have_value("Grace Hopper")
    expect(phone.get_by_label("E-mail")).to_have_value("ada@example.com")
    assert not Order.objects.filter(email="ada@example.com").exists()


def test_pay_page_after_the_hold_ended_offers_to_start_again_with_the_same_passes(
    site, phone, stripe_settings
):
    pass_type = PassTypeFactory(name="Founders", phase__price=9900)
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, 2, attendees=({"name": "Ada Lovelace"},))],
        email="ada@example.com",
    )
    Order.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    phone.goto(f"/orders/{order.code}/pay/?key={order.secret}")

    expect(phone.get_by_role("heading", level=1)).to_have_text("Your hold has ended")
    expect(phone.get_by_role("alert")).to_contain_text("Start again with the same selection")
    phone.get_by_role("button", name="Start again with the same passes").click()
    expect(phone).to_have_url(re.compile(rf"/events/{pass_type.event.slug}/checkout/$"))
    expect(phone.get_by_label("Quantity")).to_have_value("2")
    expect(phone.get_by_label("Name on pass 1")).to_have_value("Ada Lovelace")
    expect(phone.get_by_label("Name on pass 2")).to_have_value("")
