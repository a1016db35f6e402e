"""Starting to pay an order: a Checkout Session (web) or a PaymentIntent (mobile PaymentSheet).

No Stripe call happens inside a transaction: the order is checked, Stripe is asked, and only
then is the attempt recorded in a short transaction of its own. A double tap gets the attempt
the first tap made (the same client secret or URL); Stripe failing leaves the order untouched
and payable again.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from tickets import stripe_gateway
from tickets.exceptions import HoldExpired, OrderNotPayable, PaymentDeclined, TicketsError
from tickets.links import order_url
from tickets.models import Order, OrderStatus, Payment, PaymentStatus
from tickets.services.fulfilment import fulfil_order

FLOWS = (Payment.Flow.CHECKOUT, Payment.Flow.PAYMENT_SHEET)


def start_payment(
    *,
    order: Order,
    flow: str,
    success_url: str | None = None,
    cancel_url: str | None = None,
) -> Payment:
    """The payment attempt to show the buyer: reused while it is open, else a new one."""
    if flow not in FLOWS:
        raise TicketsError("Pay with `checkout` or `payment_sheet`.", field="flow")
    order = Order.objects.get(pk=order.pk)
    now = timezone.now()
    if order.total == 0:
        return _complete_free(order, now=now)
    _check_payable(order, now=now)
    existing = (
        order.payments.filter(flow=flow, status=PaymentStatus.CREATED).order_by("-attempt").first()
    )
    if existing is not None and (existing.client_secret or existing.checkout_url):
        return existing
    attempt = next_attempt(order)
    if flow == Payment.Flow.PAYMENT_SHEET:
        intent = stripe_gateway.create_payment_intent(order=order, attempt=attempt)
        fields = {"stripe_payment_intent_id": intent.id, "client_secret": intent.client_secret}
    else:
        session = stripe_gateway.create_checkout_session(
            order=order,
            attempt=attempt,
            success_url=success_url or order_url(order, payment="paid"),
            cancel_url=cancel_url or order_url(order, payment="cancelled"),
            expires_at=stripe_gateway.checkout_expires_at(order.hold_expires_at, now=now),
        )
        fields = {"stripe_checkout_session_id": session.id, "checkout_url": session.url}
    return _record_attempt(order, flow=flow, attempt=attempt, fields=fields)


def confirm_card_payment(*, order: Order, payment_method: str) -> str:
    """Confirm the order's open card payment with the buyer's `payment_method` (made by Stripe.js
    in the browser); returns Stripe's status: `succeeded` (the webhook fulfils the order),
    `requires_action` (the browser completes 3-D Secure) or `processing`."""
    order = Order.objects.get(pk=order.pk)
    _check_payable(order, now=timezone.now())
    payment = (
        order.payments.filter(flow=Payment.Flow.PAYMENT_SHEET, status=PaymentStatus.CREATED)
        .exclude(stripe_payment_intent_id="")
        .order_by("-attempt")
        .first()
    )
    if payment is None:
        raise OrderNotPayable("Start the payment again: this order has no open card payment.")
    # pm_: a PaymentMethod; card_ (a local Stripe's Stripe.js makes cards, not methods).
    if not payment_method.startswith(("pm_", "card_")):
        raise TicketsError("That is not a card the payment provider made.", field="payment_method")
    intent = stripe_gateway.confirm_payment_intent(
        payment.stripe_payment_intent_id, payment_method=payment_method
    )
    if intent.status == "requires_payment_method":  # declined after all: another card, then
        raise PaymentDeclined(stripe_gateway.DECLINED)
    return intent.status


def _check_payable(order: Order, *, now: dt.datetime) -> None:
    expired = order.status == OrderStatus.EXPIRED or (
        order.status == OrderStatus.PENDING and order.hold_expires_at <= now
    )
    if expired:
        raise HoldExpired("The hold on these passes has ended; please place a new order.")
    if order.status != OrderStatus.PENDING:
        raise OrderNotPayable(f"A {order.get_status_display().lower()} order cannot be paid.")


def next_attempt(order: Order) -> int:
    """The number of the order's next payment attempt (attempts count from 1)."""
    return (order.payments.aggregate(last=Max("attempt"))["last"] or 0) + 1


def _record_attempt(order: Order, *, flow: str, attempt: int, fields: dict) -> Payment:
    try:
        with transaction.atomic():
            return Payment.objects.create(
                order=order,
                flow=flow,
                attempt=attempt,
                amount=order.total,
                currency=order.currency,
                **fields,
            )
    except IntegrityError:
        # A concurrent tap recorded this attempt first (Stripe gave both the same object for
        # the same idempotency key): answer with that one.
        existing = order.payments.filter(attempt=attempt).first()
        if existing is None:
            raise
        return existing


def _complete_free(order: Order, *, now: dt.datetime) -> Payment:
    """A zero-total order (a 100 % code) is paid at once, without Stripe."""
    free = order.payments.filter(flow=Payment.Flow.FREE).first()
    if free is not None and order.status == OrderStatus.PAID:
        return free  # a second tap: already done
    _check_payable(order, now=now)
    with transaction.atomic():
        payment = free or Payment.objects.create(
            order=order,
            flow=Payment.Flow.FREE,
            attempt=next_attempt(order),
            amount=0,
            currency=order.currency,
        )
        fulfil_order(
            order=order, payment=payment, amount_received=0, currency_received=order.currency
        )
    payment.refresh_from_db()
    return payment
