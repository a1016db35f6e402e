"""Nothing personal leaves in Stripe's parameters, Celery's task arguments or our logs."""

import inspect
import json
import logging

import pytest
from celery.signals import before_task_publish
from django.core import mail

from config.celery import app as celery_app
from tests.factories import PassTypeFactory, door_staff_user
from tests.helpers import wait_for
from tests.privacy.helpers import BUYER_EMAIL, BUYER_NAME, GUEST_EMAIL, GUEST_NAME
from tests.tickets.conftest import stripe_event
from tickets.models import Order, OrderStatus
from tickets.services.ordering import LineRequest, place_order
from tickets.services.payment import start_payment
from tickets.services.refunds import refund_order

OUR_APPS = ("events.", "speakers.", "tickets.", "privacy.")
# Each person's data whole and in the pieces it could leak in.
PERSONAL = (BUYER_EMAIL, BUYER_NAME, "Hopper", GUEST_EMAIL, GUEST_NAME, "Turing")


def personal_fragments_in(text: str) -> list[str]:
    return [fragment for fragment in PERSONAL if fragment.lower() in text.lower()]


def place_for_two(*, user=None) -> Order:
    pass_type = PassTypeFactory(phase__price=12500, capacity=10)
    attendees = (
        {"name": BUYER_NAME, "email": BUYER_EMAIL},
        {"name": GUEST_NAME, "email": GUEST_EMAIL},
    )
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, 2, attendees=attendees)],
        email=BUYER_EMAIL,
        user=user,
    )
    return order


def buy_pay_check_in_refund_and_erase(*, buyer, phone, deliver, token_client_for) -> Order:
    """The whole life of an order through the API, Stripe (localstripe) and the services."""
    client = token_client_for(buyer)
    pass_type = PassTypeFactory(phase__price=12500, capacity=10)
    placed = client.post(
        "/api/v1/orders/",
        {
            "event": pass_type.event.slug,
            "email": BUYER_EMAIL,
            "lines": [{"pass_type": pass_type.pk, "quantity": 2, "attendees": [
                {"name": BUYER_NAME, "email": BUYER_EMAIL},
                {"name": GUEST_NAME, "email": GUEST_EMAIL},
            ]}],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="67490adb-16da-4a07-8ca5-c3bf3a8ad4d8",
    )  # fmt: skip
    assert placed.status_code == 201, placed.content
    code = placed.json()["code"]
    paying = client.post(f"/api/v1/orders/{code}/pay/", {"flow": "payment_sheet"}, format="json")
    intent_id = paying.json()["client_secret"].split("_secret_")[0]
    assert phone.pay(intent_id)["status"] == "succeeded"
    assert deliver(stripe_event("payment_intent.succeeded", phone.intent(intent_id))) == "fulfilled"
    order = Order.objects.get(code=code)
    assert order.status == OrderStatus.PAID
    # The confirmation (a task queued on commit) is sent before anything else touches tickets.
    assert wait_for(lambda: len(mail.outbox) == 1)
    door = token_client_for(door_staff_user(username="door"))
    scanned = door.post("/api/v1/checkins/", {"code": order.tickets.first().code}, format="json")
    assert scanned.json()["outcome"] == "checked_in"
    refund_order(order=order, amount=2500, reason="Parking was not included")
    erased = client.delete(
        "/api/v1/me/", {"confirm": True, "void_future_tickets": True}, format="json"
    )
    assert erased.status_code == 204
    return order


# --- Stripe -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_payment_intent_at_stripe_carries_the_order_code_and_nothing_personal(
    stripe_settings, phone
):
    order = place_for_two()

    payment = start_payment(order=order, flow="payment_sheet")

    intent = phone.intent(payment.stripe_payment_intent_id)
    assert intent["metadata"] == {"order_code": order.code}
    assert personal_fragments_in(json.dumps(intent)) == []


@pytest.mark.django_db
def test_checkout_session_request_carries_the_order_code_and_nothing_personal(checkout_stripe):
    order = place_for_two()

    start_payment(order=order, flow="checkout")

    (request,) = checkout_stripe["requests"]
    assert request["params"]["metadata[order_code]"] == order.code
    assert personal_fragments_in(json.dumps(request["params"])) == []


# --- Celery -----------------------------------------------------------------------------------


def our_tasks() -> dict:
    """Our apps' tasks, as a worker registers them (it imports every app's tasks module)."""
    celery_app.autodiscover_tasks(force=True)
    return {name: task for name, task in celery_app.tasks.items() if name.startswith(OUR_APPS)}


def test_our_tasks_are_found():
    assert {
        "tickets.tasks.send_order_confirmation",
        "privacy.tasks.anonymise_past_attendees",
    } <= set(our_tasks())


def test_every_task_of_ours_takes_ids_only():
    not_ids = {
        name: [
            parameter.name
            for parameter in inspect.signature(task.run).parameters.values()
            if parameter.annotation is not int
        ]
        for name, task in our_tasks().items()
    }

    assert {name: names for name, names in not_ids.items() if names} == {}


@pytest.fixture
def published():
    """The arguments of every task published to the broker while the test runs."""
    messages: list[dict] = []

    def capture(sender=None, body=None, headers=None, **kwargs):
        messages.append({"task": sender, "body": body, "headers": headers})

    before_task_publish.connect(capture, weak=False)
    yield messages
    before_task_publish.disconnect(capture)


@pytest.mark.requires_redis
def test_tasks_published_in_an_orders_life_carry_nothing_personal(
    celery_worker_on_redis, published, buyer, stripe_settings, phone, deliver, token_client_for
):
    buy_pay_check_in_refund_and_erase(
        buyer=buyer, phone=phone, deliver=deliver, token_client_for=token_client_for
    )

    assert "tickets.tasks.send_order_confirmation" in [message["task"] for message in published]
    assert personal_fragments_in(json.dumps(published, default=str)) == []


# --- logs -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # tasks queued on commit run, eagerly, as they would
def test_logs_of_an_orders_life_carry_nothing_personal(
    caplog, buyer, stripe_settings, phone, deliver, token_client_for
):
    caplog.set_level(logging.DEBUG)

    buy_pay_check_in_refund_and_erase(
        buyer=buyer, phone=phone, deliver=deliver, token_client_for=token_client_for
    )

    assert len(caplog.records) > 0
    logged = [f"{record.getMessage()} {record.args!r}" for record in caplog.records]
    assert personal_fragments_in("\n".join(logged)) == []
