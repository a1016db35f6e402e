"""The order page: reached by key or by its owner, paid through Stripe's signed webhook, its
status polled while pending, tickets with QR codes, cancelling, an ended hold."""

import datetime as dt
import gzip
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import PassTypeFactory, PromoCodeFactory, UserFactory
from tests.tickets.conftest import signed_webhook, stripe_event
from tests.tickets.helpers import discounted_order
from tickets import stripe_gateway
from tickets.models import Order, OrderStatus, Payment
from tickets.qr import ticket_qr_payload
from tickets.services.order_states import mark_paid
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db

SITE_CSS = Path(settings.BASE_DIR) / "web" / "static" / "web" / "site.css"


def order_url(order, key=None, name="web:order") -> str:
    url = reverse(name, args=[order.code])
    return f"{url}?key={key}" if key else url


def buy(pass_type=None, quantity=1, *, user=None, attendees=()) -> Order:
    pass_type = pass_type or PassTypeFactory(name="General Admission", phase__price=19000)
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, quantity, attendees=tuple(attendees))],
        email="buyer@example.com",
        user=user,
    )
    return order


def paid(order: Order) -> Order:
    locked = Order.objects.get(pk=order.pk)
    mark_paid(locked, now=timezone.now())
    return Order.objects.get(pk=order.pk)


def test_bought_on_the_site_paid_by_card_fulfilled_by_the_signed_webhook_shows_qr_tickets(
    client, stripe_settings, phone
):
    pass_type = PassTypeFactory(name="General Admission", phase__price=19000)
    placed = client.post(
        reverse("web:checkout", args=[pass_type.event.slug]),
        {
            "step": "place",
            "idempotency_key": str(uuid.uuid4()),
            "email": "buyer@example.com",
            f"quantity-{pass_type.pk}": "2",
            f"attendee-{pass_type.pk}-0": "Ada Lovelace",
        },
    )
    order = Order.objects.get()
    client.get(placed["Location"])  # the payment step creates the PaymentIntent
    payment = Payment.objects.get(order=order)
    intent = phone.pay(payment.stripe_payment_intent_id)  # what confirmCardPayment does
    processing = client.get(order_url(order, order.secret) + "&processing=1").content.decode()

    payload, signature = signed_webhook(stripe_event("payment_intent.succeeded", intent))
    hook = client.post(
        reverse("stripe-webhook"),
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
    status = client.get(order_url(order, order.secret, "web:order-status"))
    page = client.get(order_url(order, order.secret)).content.decode()

    tickets = list(Order.objects.get(pk=order.pk).tickets.order_by("pk"))
    qr_urls = re.findall(r'<img src="([^"]+)" alt="QR code of ticket', page)
    qr = client.get(qr_urls[0].replace("&amp;", "&"))
    assert "Payment processing" in processing
    assert 'hx-trigger="every 2s"' in processing
    assert hook.status_code == 200
    assert status["HX-Refresh"] == "true"
    assert "Paid" in page
    assert "hx-get" not in page
    assert len(tickets) == len(qr_urls) == 2
    assert "Ada Lovelace" in page
    assert qr_urls[0] == f"/api/v1/tickets/{tickets[0].code}/qr.svg?key={order.secret}"
    assert qr["Content-Type"] == "image/svg+xml"
    assert ticket_qr_payload(tickets[0]).startswith("GR1:")
    assert "Cancel this order" not in page


def test_order_page_shows_lines_and_totals_that_add_up_and_the_events_local_start(client):
    order = discounted_order(2)
    event = order.event

    page = client.get(order_url(order, order.secret)).content.decode()

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "2 × General Admission (Regular) $190.00 each $380.00" in text
    assert "Subtotal $380.00 Discount (TENOFF) \u2212$38.00 Total $342.00" in text
    assert "Starts Monday 10 June 2030, 09:30 PDT" in text
    assert "Zellerbach Hall, 101 Zellerbach, Berkeley" in text
    assert reverse("agenda-ics", args=[event.slug]) in page
    assert "Awaiting payment" in text


def test_order_page_is_404_without_the_key_or_with_a_wrong_one_or_for_another_account(client):
    order = buy(user=UserFactory())

    anonymous = client.get(order_url(order))
    wrong_key = client.get(order_url(order, "not-the-key"))
    client.force_login(UserFactory())
    someone_else = client.get(order_url(order))

    assert [anonymous.status_code, wrong_key.status_code, someone_else.status_code] == [404] * 3


def test_order_page_opens_for_its_signed_in_owner_without_a_key(client):
    owner = UserFactory()
    order = buy(user=owner)
    client.force_login(owner)

    response = client.get(order_url(order))

    assert response.status_code == 200
    assert order.code in response.content.decode()


def test_cancel_while_pending_releases_the_order_and_is_refused_once_paid(client):
    order = buy()
    other = paid(buy())

    cancelled = client.post(order_url(order, name="web:order-cancel"), {"key": order.secret})
    refused = client.post(order_url(other, name="web:order-cancel"), {"key": other.secret})
    page = client.get(refused["Location"]).content.decode()

    assert cancelled.status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert Order.objects.get(pk=other.pk).status == OrderStatus.PAID
    assert "This order can no longer be cancelled." in page


def test_cancel_needs_a_post_and_the_key(client):
    order = buy()

    by_get = client.get(order_url(order, order.secret, "web:order-cancel"))
    without_key = client.post(order_url(order, name="web:order-cancel"))

    assert (by_get.status_code, without_key.status_code) == (405, 404)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING


def test_pay_after_the_hold_ended_says_so_and_starts_again_with_the_same_selection(client):
    pass_type = PassTypeFactory(name="Expo")
    order = buy(pass_type, 3, attendees=[{"name": "Grace Hopper"}])
    Order.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    response = client.get(order_url(order, order.secret, "web:order-pay"))
    fields = dict(
        re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', response.content.decode())
    )
    fields.pop("csrfmiddlewaretoken", None)
    again = client.post(reverse("web:checkout", args=[pass_type.event.slug]), fields)

    page = again.content.decode()
    assert response.status_code == 409
    assert "Your hold has ended" in response.content.decode()
    assert '<option value="3" selected>3</option>' in page
    assert 'value="Grace Hopper"' in page
    assert Payment.objects.count() == 0


def test_pay_for_a_free_order_completes_it_without_stripe(client):
    pass_type = PassTypeFactory()
    PromoCodeFactory(event=pass_type.event, code="FREE", value=100)
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, 1)],
        email="buyer@example.com",
        promo_code="FREE",
    )

    response = client.get(order_url(order, order.secret, "web:order-pay"))

    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


@pytest.mark.parametrize("quantity", [1, 10])
def test_order_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, quantity):
    order = paid(buy(PassTypeFactory(max_per_order=10), quantity))

    # The order, its lines and their passes, its tickets and their passes, the first session.
    with django_assert_num_queries(6):
        response = client.get(order_url(order, order.secret))

    assert response.content.decode().count('alt="QR code of ticket') == quantity


def test_order_page_weighs_under_the_budget_gzipped(client):
    order = paid(buy(PassTypeFactory(max_per_order=10), 10))

    page = client.get(order_url(order, order.secret)).content

    assert len(gzip.compress(page)) + len(gzip.compress(SITE_CSS.read_bytes())) < 50 * 1024


def started_card_payment(client, pass_type=None):
    pass_type = pass_type or PassTypeFactory(phase__price=19000)
    order, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email="ada@example.com"
    )
    client.get(order_url(order, order.secret, "web:order-pay"))
    return order


def test_card_confirmed_on_the_server_sends_the_buyer_to_the_order_page(client, stripe_settings):
    order = started_card_payment(client)

    answer = client.post(
        order_url(order, order.secret, "web:order-pay-confirm"), {"payment_method": "pm_card_visa"}
    )

    assert answer.status_code == 200
    assert answer.json() == {
        "next": "order",
        "url": order_url(order, order.secret) + "&processing=1",
    }
    intent = Payment.objects.get(order=order).stripe_payment_intent_id
    assert stripe_gateway.retrieve_payment_intent(intent).status == "succeeded"


def test_confirming_with_something_that_is_not_a_payment_method_is_refused(client, stripe_settings):
    order = started_card_payment(client)

    answer = client.post(
        order_url(order, order.secret, "web:order-pay-confirm"), {"payment_method": "4242424242"}
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"


def test_confirming_someone_elses_order_is_404(client, stripe_settings):
    order = started_card_payment(client)

    answer = client.post(
        order_url(order, "not-the-key", "web:order-pay-confirm"), {"payment_method": "pm_card_visa"}
    )

    assert answer.status_code == 404


def test_pay_step_redirects_to_stripe_checkout_where_the_deployment_prefers_it(
    client, checkout_stripe, settings
):
    settings.GREENROOM_WEB_PAYMENT_FLOW = "checkout"
    pass_type = PassTypeFactory(phase__price=19000)
    order, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email="ada@example.com"
    )

    response = client.get(order_url(order, order.secret, "web:order-pay"))

    payment = Payment.objects.get(order=order)
    assert payment.flow == Payment.Flow.CHECKOUT
    assert response.status_code == 302
    assert response["Location"] == payment.checkout_url
    (request,) = checkout_stripe["requests"]
    assert request["params"]["success_url"].startswith(
        f"http://testserver/orders/{order.code}/?key={order.secret}"
    )
