"""Organizers in the admin on a desktop browser: the agenda grid, a new panel, a partial refund."""

import re

import pytest
from playwright.sync_api import expect

from events.models import Session
from events.services import ensure_organizers_group
from speakers.models import SessionSpeaker
from tests.factories import (
    EventFactory,
    PassTypeFactory,
    SessionFactory,
    SpeakerFactory,
    StageFactory,
    UserFactory,
    local_time,
)
from tests.tickets.conftest import localstripe_call
from tickets.models import Order, Payment, TicketStatus
from tickets.services.fulfilment import fulfil_order
from tickets.services.ordering import LineRequest, place_order
from tickets.services.payment import start_payment

PASSWORD = "correct-horse-battery"
DESK = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def desk(chromium, site):
    """A desktop browser signed in to the admin as an organizer."""
    organizer = UserFactory(username="planner", is_staff=True)
    organizer.groups.add(ensure_organizers_group())
    context = chromium.new_context(base_url=site, **DESK)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("planner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_attached()
    yield page
    context.close()


def test_agenda_grid_places_parallel_sessions_side_by_side(desk):
    event = EventFactory()
    main, side = StageFactory(event=event, position=1), StageFactory(event=event, position=2)
    starts = local_time(event, 0, 10)
    SessionFactory(event=event, stage=main, title="Robotaxis", starts_at=starts)
    SessionFactory(event=event, stage=side, title="Scooters", starts_at=starts)

    desk.goto(f"/admin/events/session/grid/?event={event.pk}")

    left = desk.locator(".block", has_text="Robotaxis").bounding_box()
    right = desk.locator(".block", has_text="Scooters").bounding_box()
    assert left["y"] == pytest.approx(right["y"], abs=1)
    assert right["x"] > left["x"] + left["width"] - 1


def choose_speaker(page, row: int, name: str) -> None:
    """Pick a speaker in the inline's autocomplete (select2) by typing part of the name."""
    page.locator(f"#session_speakers-{row} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(name)
    page.locator(".select2-results__option", has_text=name).click()


def test_new_three_speaker_panel_saves_the_first_time(desk):
    event = EventFactory()
    stage = StageFactory(event=event, name="Main Stage")
    for name in ("Moderator Mo", "Panelist Pat", "Panelist Sam"):
        SpeakerFactory(name=name)

    desk.goto(f"/admin/events/session/add/?event={event.pk}&stage={stage.pk}"
              f"&starts_at={event.start_date.isoformat()}T10:00")  # fmt: skip
    desk.get_by_label("Title").fill("The road to robotaxis")
    desk.get_by_label("Format").select_option("panel")
    for row, name in enumerate(("Moderator Mo", "Panelist Pat", "Panelist Sam")):
        if row:
            desk.locator(".add-row a").click()
        choose_speaker(desk, row, name)
    desk.get_by_role("button", name="Save", exact=True).click()

    expect(desk.locator(".messagelist .success")).to_be_visible()
    session = Session.objects.get(title="The road to robotaxis")
    rows = SessionSpeaker.objects.filter(session=session).order_by("position")
    assert list(rows.values_list("speaker__name", "position")) == [
        ("Moderator Mo", 1),
        ("Panelist Pat", 2),
        ("Panelist Sam", 3),
    ]


def test_partial_refund_voids_the_chosen_ticket_and_emails_the_buyer(
    desk, stripe_settings, localstripe_url, outbox
):
    pass_type = PassTypeFactory(phase__price=12500)
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, 2, ({"name": "Ada"}, {"name": "Grace"}))],
        email="buyer@example.com",
    )
    payment = start_payment(order=order, flow=Payment.Flow.PAYMENT_SHEET)
    intent = f"/v1/payment_intents/{payment.stripe_payment_intent_id}"
    localstripe_call(localstripe_url, "POST", intent, {"payment_method": "pm_card_visa"})
    localstripe_call(localstripe_url, "POST", f"{intent}/confirm")
    fulfil_order(order=order, payment=payment, amount_received=25000, currency_received="usd")

    desk.goto(f"/admin/tickets/order/{order.pk}/refund/")
    desk.get_by_label("Amount").fill("125.00")
    desk.get_by_label(re.compile("Grace")).check()
    desk.get_by_role("button", name="Confirm refund").click()

    expect(desk.locator(".messagelist .success")).to_contain_text("Refunded $125.00")
    statuses = dict(order.tickets.values_list("attendee_name", "status"))
    assert statuses == {"Ada": TicketStatus.VALID, "Grace": TicketStatus.VOID}
    assert Order.objects.get(pk=order.pk).refunded_amount == 12500
    (notice,) = [message for message in outbox if "Refund" in message.subject]
    assert "Grace" in notice.body
