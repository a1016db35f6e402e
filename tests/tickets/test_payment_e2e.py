"""End to end against localstripe: pay with the PaymentSheet flow, Stripe's signed webhook
reaches the live test server, the order is paid, tickets are issued, one e-mail is sent."""

import pytest
from django.core import mail

from tests.factories import PassTypeFactory
from tests.helpers import wait_for
from tests.tickets.conftest import WEBHOOK_SECRET, localstripe_call
from tickets.models import Order, OrderStatus, Payment, StripeEvent
from tickets.services.ordering import LineRequest, place_order
from tickets.services.payment import start_payment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stripe_webhooks_to_live_server(stripe_settings, localstripe_url, live_server):
    """localstripe sends payment_intent events, signed, to our webhook URL on the live server."""
    hook = "/_config/webhooks/greenroom"
    localstripe_call(
        localstripe_url,
        "POST",
        hook,
        {
            "url": f"{live_server.url}/api/v1/webhooks/stripe/",
            "secret": WEBHOOK_SECRET,
            "events[]": "payment_intent.succeeded",
        },
    )
    yield
    # Later tests must not receive webhooks: point the hook at a port where nothing listens.
    localstripe_call(
        localstripe_url, "POST", hook, {"url": "http://127.0.0.1:9/", "secret": WEBHOOK_SECRET}
    )


def test_payment_sheet_purchase_is_fulfilled_by_localstripes_signed_webhook(
    stripe_webhooks_to_live_server, phone
):
    pass_type = PassTypeFactory(phase__price=12500, capacity=10)
    order, _ = place_order(
        event=pass_type.event,
        lines=[
            LineRequest(pass_type.pk, 2, attendees=({"name": "Ada", "email": "ada@example.com"},))
        ],
        email="buyer@example.com",
    )

    payment = start_payment(order=order, flow="payment_sheet")
    assert payment.client_secret.startswith(payment.stripe_payment_intent_id + "_secret_")
    assert phone.intent(payment.stripe_payment_intent_id)["metadata"] == {"order_code": order.code}
    assert phone.pay(payment.stripe_payment_intent_id)["status"] == "succeeded"

    paid = wait_for(lambda: Order.objects.get(pk=order.pk).status == OrderStatus.PAID)

    assert paid, "localstripe's payment_intent.succeeded webhook never fulfilled the order"
    order.refresh_from_db()
    tickets = list(order.tickets.order_by("pk"))
    assert [(t.attendee_name, t.attendee_email) for t in tickets] == [
        ("Ada", "ada@example.com"),
        ("", "buyer@example.com"),
    ]
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    # (Intents paid by earlier tests may deliver their events here too: counted per order.)
    assert StripeEvent.objects.filter(type="payment_intent.succeeded").exists()
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["buyer@example.com"]
    assert order.code in mail.outbox[0].subject
