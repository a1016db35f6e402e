"""Fulfilment: tickets per admitted person, once; the confirmation e-mail; payments that land
after the hold ended (kept while passes remain, else refunded through localstripe and the
buyer told)."""

import datetime as dt
from email import message_from_bytes

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import EventFactory, InventoryPoolFactory, PassTypeFactory
from tests.tickets.conftest import stripe_event
from tests.tickets.helpers import read_qr_png
from tickets.models import Order, OrderStatus, Payment, PaymentStatus, Refund
from tickets.qr import ticket_qr_payload
from tickets.services.fulfilment import fulfil_order
from tickets.services.order_states import cancel_order, expire_held_orders
from tickets.services.ordering import LineRequest, place_order
from tickets.services.payment import start_payment

pytestmark = pytest.mark.django_db


def buy(pass_type, quantity=1, *, email="buyer@example.com", attendees=()) -> Order:
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, quantity, attendees=tuple(attendees))],
        email=email,
    )
    return order


def end_hold(order: Order) -> None:
    Order.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    expire_held_orders()


def succeeded_event(intent: dict) -> dict:
    return stripe_event("payment_intent.succeeded", intent)


def test_one_ticket_per_admitted_person_named_where_the_buyer_said(
    django_capture_on_commit_callbacks,
):
    pass_type = PassTypeFactory(phase__price=5000)
    order = buy(
        pass_type,
        3,
        attendees=[{"name": "Ada Lovelace", "email": "ada@example.com"}, {"name": "Grace"}],
    )

    with django_capture_on_commit_callbacks(execute=True):
        done = fulfil_order(
            order=order, payment=None, amount_received=15000, currency_received=order.currency
        )

    order.refresh_from_db()
    assert done is True
    assert (order.status, order.paid_at is not None) == (OrderStatus.PAID, True)
    assert [
        (t.attendee_name, t.attendee_email, t.pass_type_id, t.status) for t in order.tickets.all()
    ] == [
        ("Ada Lovelace", "ada@example.com", pass_type.pk, "valid"),
        ("Grace", "buyer@example.com", pass_type.pk, "valid"),
        ("", "buyer@example.com", pass_type.pk, "valid"),
    ]
    assert len(mail.outbox) == 1


def test_fulfilling_twice_issues_tickets_once():
    order = buy(PassTypeFactory(phase__price=5000), 2)

    results = [
        fulfil_order(
            order=order, payment=None, amount_received=10000, currency_received=order.currency
        )
        for _ in range(2)
    ]

    assert results == [True, False]
    assert order.tickets.count() == 2


def test_confirmation_has_text_html_a_qr_image_per_ticket_and_the_order_link(
    settings, django_capture_on_commit_callbacks
):
    settings.GREENROOM_SITE_URL = "https://greenroom.test"
    order = buy(PassTypeFactory(phase__price=12500, name="General Admission"), 2)

    with django_capture_on_commit_callbacks(execute=True):
        fulfil_order(
            order=order, payment=None, amount_received=25000, currency_received=order.currency
        )

    (sent,) = mail.outbox
    html, mimetype = sent.alternatives[0]
    link = f"https://greenroom.test/orders/{order.code}/?key={order.secret}"
    parsed = message_from_bytes(sent.message().as_bytes())
    images = [part for part in parsed.walk() if part.get_content_type() == "image/png"]
    tickets = list(order.tickets.order_by("pk"))
    assert mimetype == "text/html"
    assert link in sent.body
    assert link in html
    assert "$250.00" in sent.body
    assert len(images) == len(tickets) == 2
    assert [read_qr_png(image.get_payload(decode=True)) for image in images] == [
        ticket_qr_payload(ticket) for ticket in tickets
    ]
    for image in images:
        assert f"cid:{image['Content-ID'].strip('<>')}" in html


def test_payment_after_expiry_is_kept_while_the_passes_are_still_there(
    django_capture_on_commit_callbacks,
):
    pass_type = PassTypeFactory(phase__price=5000, capacity=3)
    order = buy(pass_type, 2)
    end_hold(order)
    buy(pass_type, 1)  # someone else takes one seat meanwhile: 2 are still free

    with django_capture_on_commit_callbacks(execute=True):
        done = fulfil_order(
            order=order, payment=None, amount_received=10000, currency_received=order.currency
        )

    order.refresh_from_db()
    assert done is True
    assert (order.status, order.tickets.count(), order.refunded_amount) == ("paid", 2, 0)
    assert len(mail.outbox) == 1


def test_payment_after_expiry_respects_a_shared_pool_that_filled_up():
    event = EventFactory()
    seats = InventoryPoolFactory(event=event, capacity=2)
    general = PassTypeFactory(event=event, phase__price=5000, capacity=10)
    student = PassTypeFactory(event=event, phase__price=2000, capacity=10)
    general.pools.add(seats)
    student.pools.add(seats)
    order = buy(general, 2)
    end_hold(order)
    buy(student, 1)  # the pool now has one seat, the late order needs two

    done = fulfil_order(
        order=order, payment=None, amount_received=10000, currency_received=order.currency
    )

    order.refresh_from_db()
    assert done is False
    assert (order.status, order.tickets.count()) == (OrderStatus.EXPIRED, 0)
    assert order.paid_at is not None  # the money arrived and is owed back


@pytest.mark.parametrize("how_it_ended", ["expired", "cancelled"])
def test_payment_after_the_passes_sold_out_is_refunded_at_stripe_and_the_buyer_told(
    stripe_settings, phone, deliver, django_capture_on_commit_callbacks, how_it_ended
):
    pass_type = PassTypeFactory(phase__price=5000, capacity=2)
    order = buy(pass_type, 2)
    payment = start_payment(order=order, flow="payment_sheet")
    if how_it_ended == "cancelled":
        cancel_order(order=order)
    else:
        end_hold(order)
    buy(pass_type, 2, email="quicker@example.com")  # the passes went to someone else
    intent = phone.pay(payment.stripe_payment_intent_id)  # the phone paid anyway

    with django_capture_on_commit_callbacks(execute=True):
        outcome = deliver(succeeded_event(intent))

    order.refresh_from_db()
    payment.refresh_from_db()
    refund = Refund.objects.get()
    at_stripe = phone.refunds(payment.stripe_payment_intent_id)
    assert outcome == "refund_scheduled"
    assert (order.status, order.tickets.count()) == (how_it_ended, 0)
    assert (order.refunded_amount, refund.amount, refund.payment_id) == (10000, 10000, payment.pk)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert [(r["id"], r["amount"]) for r in at_stripe] == [(refund.stripe_refund_id, 10000)]
    (notice,) = mail.outbox
    assert notice.to == ["buyer@example.com"]
    assert "Sold out" in notice.subject
    assert "$100.00" in notice.body


def test_late_payment_event_delivered_again_refunds_once(
    stripe_settings, phone, deliver, django_capture_on_commit_callbacks
):
    pass_type = PassTypeFactory(phase__price=5000, capacity=1)
    order = buy(pass_type, 1)
    payment = start_payment(order=order, flow="payment_sheet")
    end_hold(order)
    buy(pass_type, 1, email="quicker@example.com")
    intent = phone.pay(payment.stripe_payment_intent_id)

    with django_capture_on_commit_callbacks(execute=True):
        deliver(succeeded_event(intent))
        deliver(succeeded_event(intent))  # a new event id for the same payment

    assert Refund.objects.count() == 1
    assert len(phone.refunds(payment.stripe_payment_intent_id)) == 1
    assert len(mail.outbox) == 1


def test_payment_with_another_amount_is_not_fulfilled():
    order = buy(PassTypeFactory(phase__price=5000), 1)
    payment = Payment.objects.create(
        order=order,
        flow="payment_sheet",
        amount=5000,
        currency="usd",
        stripe_payment_intent_id="pi_x",
    )

    done = fulfil_order(
        order=order, payment=payment, amount_received=4999, currency_received=order.currency
    )

    order.refresh_from_db()
    payment.refresh_from_db()
    assert done is False
    assert (order.status, payment.status, order.tickets.count()) == ("pending", "created", 0)


def test_a_second_payment_for_a_paid_order_is_refunded_and_the_order_left_as_it_is(
    stripe_settings, phone, deliver, django_capture_on_commit_callbacks
):
    order = buy(PassTypeFactory(phase__price=5000), 1)
    first = start_payment(order=order, flow="payment_sheet")
    # The first attempt looked failed, so the buyer tried again; in the end both went through.
    Payment.objects.filter(pk=first.pk).update(status=PaymentStatus.FAILED)
    second = start_payment(order=order, flow="payment_sheet")
    paid_by_second = phone.pay(second.stripe_payment_intent_id)
    paid_by_first = phone.pay(first.stripe_payment_intent_id)

    with django_capture_on_commit_callbacks(execute=True):
        deliver(succeeded_event(paid_by_second))
        outcome = deliver(succeeded_event(paid_by_first))

    order.refresh_from_db()
    refund = Refund.objects.get()
    at_stripe = phone.refunds(first.stripe_payment_intent_id)
    assert outcome == "already_fulfilled"
    assert (order.status, order.refunded_amount, order.tickets.count()) == ("paid", 0, 1)
    assert (refund.payment_id, refund.amount) == (first.pk, 5000)
    assert [(r["id"], r["amount"]) for r in at_stripe] == [(refund.stripe_refund_id, 5000)]
    assert phone.refunds(second.stripe_payment_intent_id) == []


def test_payment_of_the_same_figure_in_another_currency_is_not_fulfilled():
    order = buy(PassTypeFactory(phase__price=5000), 1)

    done = fulfil_order(order=order, payment=None, amount_received=5000, currency_received="jpy")

    order.refresh_from_db()
    assert done is False
    assert (order.status, order.tickets.count()) == ("pending", 0)
