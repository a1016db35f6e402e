"""Stripe's webhook events: verified, handled once each, state only ever moving forward.

The event id is recorded in the same transaction as the event's effect: a crash half-way leaves
it unrecorded, so Stripe's retry does the work again, and a second delivery of a recorded id
does nothing. A failure (the database, Stripe itself) answers 5xx, so Stripe retries; an event
type we do not handle answers 2xx and is not recorded.
"""

import logging
import traceback
from collections.abc import Callable

from django.db import DatabaseError, transaction
from django.utils import timezone

from tickets import stripe_gateway
from tickets.exceptions import WebhookNotApplied
from tickets.models import Order, OrderStatus, Payment, PaymentStatus, StripeEvent
from tickets.services.fulfilment import fulfil_order
from tickets.services.order_states import expire_held_orders
from tickets.services.payment import next_attempt
from tickets.services.refunds import record_stripe_refund

logger = logging.getLogger(__name__)


def handle_stripe_webhook(*, payload: bytes, signature: str) -> str:
    """Verify and apply one webhook; returns a word saying what happened.

    Raises `InvalidWebhook` for a bad or stale signature (the view answers 400) and
    `WebhookNotApplied` when the database fails (503; nothing was kept).
    """
    event = stripe_gateway.verify_webhook(payload, signature)
    handler = HANDLERS.get(event["type"])
    data = event["data"]["object"]
    if handler is None or not _text(data, "id"):
        # Every Stripe object has an id: one without is nothing to act on, now or on a retry.
        return "ignored"
    prepared = PREPARERS[event["type"]](data) if event["type"] in PREPARERS else None
    try:
        with transaction.atomic():
            _, created = StripeEvent.objects.get_or_create(
                stripe_event_id=event["id"], defaults={"type": event["type"]}
            )
            if not created:
                return "duplicate"
            return handler(data, prepared) if prepared is not None else handler(data)
    except DatabaseError as error:
        _log_not_applied(event, error)
        raise WebhookNotApplied(
            "The event could not be applied now and was not recorded; deliver it again."
        ) from None


def _log_not_applied(event: dict, error: DatabaseError) -> None:
    """Where and what kind of failure, without the database's message: PostgreSQL quotes the
    failing row in it (names, e-mail addresses), which must not reach the logs."""
    sqlstate = getattr(error.__cause__, "sqlstate", None) or "-"
    logger.error(
        "Stripe event %s (%s) not applied, Stripe will retry: %s, SQLSTATE %s, at\n%s",
        event["id"],
        event["type"],
        type(error).__name__,
        sqlstate,
        "".join(traceback.format_tb(error.__traceback__)),
    )


# --- reading the event's object --------------------------------------------------------------
# The signature proves the sender, not the shape: a field of the wrong type reads as absent.


def _text(obj: dict, key: str) -> str:
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def _mapping(obj: dict, key: str) -> dict:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def _amount(obj: dict, key: str) -> int | None:
    """A non-negative whole amount in minor units, or None."""
    value = obj.get(key)
    is_whole = isinstance(value, int) and not isinstance(value, bool)
    return value if is_whole and value >= 0 else None


def _id_of(obj: dict, key: str) -> str:
    """The id in a field that Stripe sends as an id or, expanded, as the object itself."""
    return _text(obj, key) or _text(_mapping(obj, key), "id")


# --- finding our records ---------------------------------------------------------------------


def _order_by_code(code: str | None) -> Order | None:
    return Order.objects.filter(code=code).first() if code else None


def _payment_for_intent(intent_id: str, order_code: str) -> Payment | None:
    """Our record of a PaymentIntent: by its id, else the order's checkout attempt that made it,
    else a new record (money must be recorded even for an intent we did not see created)."""
    if not intent_id:
        return None
    payment = Payment.objects.filter(stripe_payment_intent_id=intent_id).first()
    if payment is not None:
        return payment
    order = _order_by_code(order_code)
    if order is None:
        return None
    checkout = (
        order.payments.filter(flow=Payment.Flow.CHECKOUT, stripe_payment_intent_id="")
        .order_by("-attempt")
        .first()
    )
    if checkout is not None:
        checkout.stripe_payment_intent_id = intent_id
        checkout.save(update_fields=["stripe_payment_intent_id", "updated_at"])
        return checkout
    return Payment.objects.create(
        order=order,
        flow=Payment.Flow.PAYMENT_SHEET,
        attempt=next_attempt(order),
        amount=order.total,
        currency=order.currency,
        stripe_payment_intent_id=intent_id,
    )


def _payment_for_session(session: dict) -> Payment | None:
    payment = Payment.objects.filter(stripe_checkout_session_id=_text(session, "id") or "-").first()
    if payment is None:
        code = _text(session, "client_reference_id") or _text(
            _mapping(session, "metadata"), "order_code"
        )
        order = _order_by_code(code)
        if order is None:
            return None
        payment = Payment.objects.create(
            order=order,
            flow=Payment.Flow.CHECKOUT,
            attempt=next_attempt(order),
            amount=order.total,
            currency=order.currency,
            stripe_checkout_session_id=session["id"],
        )
    intent_id = _id_of(session, "payment_intent")
    unrecorded = not Payment.objects.filter(stripe_payment_intent_id=intent_id or "-").exists()
    if intent_id and not payment.stripe_payment_intent_id and unrecorded:
        payment.stripe_payment_intent_id = intent_id
        payment.save(update_fields=["stripe_payment_intent_id", "updated_at"])
    return payment


def _fail(payment: Payment | None, status: str = PaymentStatus.FAILED) -> str:
    """Move a payment from created to failed/expired; any later state stays as it is."""
    if payment is None:
        return "unknown_payment"
    moved = Payment.objects.filter(pk=payment.pk, status=PaymentStatus.CREATED).update(
        status=status, updated_at=timezone.now()
    )
    return f"payment_{status}" if moved else "unchanged"


def _fulfil(payment: Payment | None, paid: dict, amount_key: str) -> str:
    """Fulfil with the amount under `amount_key` of `paid` (an intent or a session), in its
    currency."""
    if payment is None:
        return "unknown_order"
    amount = _amount(paid, amount_key)
    if amount is None and amount_key == "amount_received":  # localstripe leaves it out
        amount = _amount(paid, "amount")
    currency = _text(paid, "currency")
    if fulfil_order(
        order=payment.order,
        payment=payment,
        amount_received=amount or 0,
        currency_received=currency,
    ):
        return "fulfilled"
    order = Order.objects.get(pk=payment.order_id)
    if order.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
        return "already_fulfilled"
    if order.paid_at:
        return "refund_scheduled"
    return "not_fulfilled"


# --- the handlers ----------------------------------------------------------------------------


def on_payment_intent_succeeded(intent: dict) -> str:
    order_code = _text(_mapping(intent, "metadata"), "order_code")
    payment = _payment_for_intent(_text(intent, "id"), order_code)
    return _fulfil(payment, intent, "amount_received")


def on_payment_intent_failed(intent: dict) -> str:
    payment = Payment.objects.filter(stripe_payment_intent_id=_text(intent, "id") or "-").first()
    return _fail(payment)


def on_checkout_session_completed(session: dict) -> str:
    payment = _payment_for_session(session)
    if session.get("payment_status") != "paid":
        # Delayed methods (bank debits): async_payment_succeeded follows when the money is in.
        return "awaiting_payment"
    return _fulfil(payment, session, "amount_total")


def on_checkout_session_async_succeeded(session: dict) -> str:
    return _fulfil(_payment_for_session(session), session, "amount_total")


def on_checkout_session_async_failed(session: dict) -> str:
    return _fail(_payment_for_session(session))


def on_checkout_session_expired(session: dict) -> str:
    payment = Payment.objects.filter(stripe_checkout_session_id=_text(session, "id") or "-").first()
    outcome = _fail(payment, PaymentStatus.EXPIRED)
    if payment is not None:
        # The order expires only once its own hold has ended; until then it stays payable.
        expire_held_orders(orders=Order.objects.filter(pk=payment.order_id))
    return outcome


def prepare_charge_refunds(charge: dict) -> list[stripe_gateway.RefundResult]:
    """The charge's refunds, from the payload or (recent API versions leave them out) Stripe.

    Read before the transaction opens: no Stripe call while rows are locked.
    """
    listed = _mapping(charge, "refunds").get("data")
    if listed is None:
        return stripe_gateway.list_charge_refunds(_text(charge, "id"))
    refunds = (
        [refund for refund in listed if isinstance(refund, dict)]
        if isinstance(listed, list)
        else []
    )
    return [
        stripe_gateway.RefundResult(
            id=_text(refund, "id"), amount=_amount(refund, "amount"), status=_text(refund, "status")
        )
        for refund in refunds
        if _text(refund, "id") and _amount(refund, "amount")  # a refund of nothing is none
    ]


def on_charge_refunded(charge: dict, refunds: list[stripe_gateway.RefundResult]) -> str:
    intent_id = _id_of(charge, "payment_intent")
    payment = Payment.objects.filter(stripe_payment_intent_id=intent_id or "-").first()
    if payment is None:
        return "unknown_payment"
    recorded = 0
    for refund in refunds:
        if refund.status in ("failed", "canceled"):
            continue
        created_before = payment.refunds.filter(stripe_refund_id=refund.id).exists()
        record_stripe_refund(
            order=payment.order,
            payment=payment,
            stripe_refund_id=refund.id,
            amount=refund.amount,
            reason="Refunded in Stripe's dashboard.",
        )
        recorded += not created_before
    return "refund_recorded" if recorded else "unchanged"


def on_dispute_created(dispute: dict) -> str:
    intent_id = _id_of(dispute, "payment_intent")
    payment = Payment.objects.filter(stripe_payment_intent_id=intent_id or "-").first()
    if payment is None:
        return "unknown_payment"
    now = timezone.now()
    Order.objects.filter(pk=payment.order_id, disputed_at__isnull=True).update(
        disputed_at=now, updated_at=now
    )
    logger.warning("Order %s is disputed at Stripe.", payment.order.code)
    return "dispute_flagged"


HANDLERS: dict[str, Callable[..., str]] = {
    "payment_intent.succeeded": on_payment_intent_succeeded,
    "payment_intent.payment_failed": on_payment_intent_failed,
    "checkout.session.completed": on_checkout_session_completed,
    "checkout.session.async_payment_succeeded": on_checkout_session_async_succeeded,
    "checkout.session.async_payment_failed": on_checkout_session_async_failed,
    "checkout.session.expired": on_checkout_session_expired,
    "charge.refunded": on_charge_refunded,
    "charge.dispute.created": on_dispute_created,
}
# Reads from Stripe that an event needs, done before its transaction opens.
PREPARERS: dict[str, Callable[[dict], object]] = {
    "charge.refunded": prepare_charge_refunds,
}
