"""Starting to pay: PaymentIntents against localstripe, Checkout Sessions, free orders, and
Stripe being away or not configured."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import PassTypeFactory, PromoCodeFactory
from tests.tickets.conftest import closed_port
from tickets.exceptions import TicketsError
from tickets.models import Order, OrderStatus, Payment, PaymentStatus
from tickets.services.order_states import cancel_order
from tickets.services.ordering import LineRequest, place_order
from tickets.services.payment import start_payment

pytestmark = pytest.mark.django_db


def pending_order(quantity: int = 1, price: int = 12500, promo_code: str = "", **kwargs) -> Order:
    pass_type = kwargs.pop("pass_type", None) or PassTypeFactory(phase__price=price, **kwargs)
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, quantity)],
        email="buyer@example.com",
        promo_code=promo_code,
    )
    return order


def test_payment_sheet_creates_an_intent_for_the_order_total_with_only_the_order_code(
    stripe_settings, phone
):
    order = pending_order(quantity=2, price=12500)

    payment = start_payment(order=order, flow="payment_sheet")

    intent = phone.intent(payment.stripe_payment_intent_id)
    assert (payment.flow, payment.attempt, payment.status) == ("payment_sheet", 1, "created")
    assert payment.client_secret == intent["client_secret"]
    assert (intent["amount"], intent["currency"], intent["metadata"]) == (
        25000,
        "usd",
        {"order_code": order.code},
    )


def test_double_tap_returns_the_same_client_secret_and_one_attempt(stripe_settings):
    order = pending_order()

    first = start_payment(order=order, flow="payment_sheet")
    second = start_payment(order=order, flow="payment_sheet")

    assert second.pk == first.pk
    assert second.client_secret == first.client_secret
    assert order.payments.count() == 1


def test_a_failed_attempt_is_followed_by_a_new_one(stripe_settings):
    order = pending_order()
    first = start_payment(order=order, flow="payment_sheet")
    Payment.objects.filter(pk=first.pk).update(status=PaymentStatus.FAILED)

    second = start_payment(order=order, flow="payment_sheet")

    assert second.attempt == 2
    assert second.stripe_payment_intent_id != first.stripe_payment_intent_id


def test_stripe_unreachable_leaves_the_order_payable_and_a_retry_succeeds_once(
    stripe_settings, localstripe_url
):
    order = pending_order()
    stripe_settings.STRIPE_API_BASE = f"http://127.0.0.1:{closed_port()}"

    with pytest.raises(TicketsError) as caught:
        start_payment(order=order, flow="payment_sheet")

    order.refresh_from_db()
    assert caught.value.code == "payment_provider_unavailable"
    assert (order.status, order.payments.count()) == (OrderStatus.PENDING, 0)

    stripe_settings.STRIPE_API_BASE = localstripe_url
    payment = start_payment(order=order, flow="payment_sheet")
    again = start_payment(order=order, flow="payment_sheet")

    assert again.pk == payment.pk
    assert order.payments.exclude(stripe_payment_intent_id="").count() == 1


def test_pay_answers_503_with_how_to_configure_stripe_when_no_key_is_set(settings, client):
    settings.STRIPE_SECRET_KEY = ""
    order = pending_order()

    with pytest.raises(TicketsError) as caught:
        start_payment(order=order, flow="payment_sheet")

    assert caught.value.code == "payment_provider_unavailable"
    assert "STRIPE_SECRET_KEY" in caught.value.message
    assert "STRIPE_API_BASE" in caught.value.message


@pytest.mark.parametrize(
    ("make_unpayable", "code"),
    [
        (lambda order: cancel_order(order=order), "order_not_payable"),
        (
            lambda order: Order.objects.filter(pk=order.pk).update(
                hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
            ),
            "hold_expired",
        ),
        (
            lambda order: Order.objects.filter(pk=order.pk).update(
                status=OrderStatus.EXPIRED, expired_at=timezone.now()
            ),
            "hold_expired",
        ),
        (
            lambda order: Order.objects.filter(pk=order.pk).update(
                status=OrderStatus.PAID, paid_at=timezone.now()
            ),
            "order_not_payable",
        ),
    ],
    ids=["cancelled", "hold-ended", "expired", "paid"],
)
def test_only_pending_orders_within_their_hold_can_be_paid(stripe_settings, make_unpayable, code):
    order = pending_order()
    make_unpayable(order)

    with pytest.raises(TicketsError) as caught:
        start_payment(order=order, flow="payment_sheet")

    assert caught.value.code == code
    assert order.payments.count() == 0


def test_zero_total_order_completes_without_stripe(settings, django_capture_on_commit_callbacks):
    settings.STRIPE_SECRET_KEY = ""  # Stripe is not even configured
    pass_type = PassTypeFactory(phase__price=12500)
    PromoCodeFactory(event=pass_type.event, code="SPEAKER", kind="percent", value=100)
    order = pending_order(quantity=2, pass_type=pass_type, promo_code="speaker")

    with django_capture_on_commit_callbacks(execute=True):
        payment = start_payment(order=order, flow="payment_sheet")
    again = start_payment(order=order, flow="checkout")

    order.refresh_from_db()
    assert (order.total, order.status, order.tickets.count()) == (0, OrderStatus.PAID, 2)
    assert (payment.flow, payment.status, payment.amount) == ("free", "succeeded", 0)
    assert again.pk == payment.pk
    assert len(mail.outbox) == 1


def test_checkout_creates_a_session_with_the_lines_and_an_idempotency_key(checkout_stripe):
    order = pending_order(quantity=3, price=12500)

    payment = start_payment(
        order=order,
        flow="checkout",
        success_url="https://app.test/paid",
        cancel_url="https://app.test/cancelled",
    )
    again = start_payment(order=order, flow="checkout")

    (request,) = checkout_stripe["requests"]
    params = request["params"]
    expires_at = dt.datetime.fromtimestamp(int(params["expires_at"]), tz=dt.UTC)
    assert payment.checkout_url.startswith("https://checkout.stripe.test/")
    assert again.pk == payment.pk
    assert request["idempotency_key"] == f"greenroom:{order.code}:1:checkout"
    assert {
        key: params[key] for key in ("mode", "client_reference_id", "metadata[order_code]")
    } == {
        "mode": "payment",
        "client_reference_id": order.code,
        "metadata[order_code]": order.code,
    }
    assert (
        params["line_items[0][quantity]"],
        params["line_items[0][price_data][unit_amount]"],
        params["line_items[0][price_data][currency]"],
    ) == ("3", "12500", "usd")
    assert params["payment_intent_data[metadata][order_code]"] == order.code
    assert (params["success_url"], params["cancel_url"]) == (
        "https://app.test/paid",
        "https://app.test/cancelled",
    )
    # Stripe wants 30 min–24 h; our 15-minute hold is shorter, so the task expires it earlier.
    assert expires_at - timezone.now() > dt.timedelta(minutes=30)
    assert expires_at - timezone.now() < dt.timedelta(hours=24)
    assert "buyer@example.com" not in str(params)


def test_checkout_without_return_urls_comes_back_to_the_sites_order_page(checkout_stripe):
    order = pending_order()

    start_payment(order=order, flow="checkout")

    params = checkout_stripe["requests"][0]["params"]
    page = f"https://greenroom.test/orders/{order.code}/?key={order.secret}"
    assert params["success_url"] == f"{page}&payment=paid"
    assert params["cancel_url"] == f"{page}&payment=cancelled"


def test_unknown_flow_is_refused(settings):
    order = pending_order()

    with pytest.raises(TicketsError) as caught:
        start_payment(order=order, flow="cash")

    assert (caught.value.code, caught.value.field) == ("invalid", "flow")


def test_pay_endpoint_answers_503_while_stripe_is_away_and_200_once_it_is_back(
    stripe_settings, localstripe_url, client
):
    order = pending_order()
    url = f"/api/v1/orders/{order.code}/pay/?key={order.secret}"
    stripe_settings.STRIPE_API_BASE = f"http://127.0.0.1:{closed_port()}"

    away = client.post(url, {"flow": "payment_sheet"}, content_type="application/json")
    stripe_settings.STRIPE_API_BASE = localstripe_url
    back = client.post(url, {"flow": "payment_sheet"}, content_type="application/json")
    tapped_again = client.post(url, {"flow": "payment_sheet"}, content_type="application/json")

    assert (away.status_code, away.json()["code"]) == (503, "payment_provider_unavailable")
    assert back.status_code == 200
    assert back.json()["publishable_key"] == "pk_test_12345"
    assert back.json()["client_secret"] == order.payments.get().client_secret
    assert tapped_again.json()["client_secret"] == back.json()["client_secret"]


def test_pay_endpoint_without_stripe_configured_says_how_to_set_it_up(settings, client):
    settings.STRIPE_SECRET_KEY = ""
    order = pending_order()

    response = client.post(
        f"/api/v1/orders/{order.code}/pay/?key={order.secret}",
        {"flow": "checkout"},
        content_type="application/json",
    )

    assert (response.status_code, response.json()["code"]) == (503, "payment_provider_unavailable")
    assert "STRIPE_SECRET_KEY" in response.json()["detail"]
