"""Stripe, behind our own small types: the only module that imports `stripe`.

Every call that creates something at Stripe carries an idempotency key derived from the order
(and attempt, and purpose), so a retried request or a double tap never makes a second intent,
session, charge or refund. Any failure at Stripe, or no Stripe configured at all, becomes
`PaymentProviderUnavailable` (code `payment_provider_unavailable`, answered with 503): the
caller's order is left as it was, payable again.
"""

import datetime as dt
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import stripe
from django.conf import settings

from core import json_input
from tickets.exceptions import InvalidWebhook, PaymentDeclined, PaymentProviderUnavailable
from tickets.models import Order

logger = logging.getLogger(__name__)

# Stripe refuses a Checkout Session that expires sooner than 30 minutes or later than 24 hours.
CHECKOUT_MIN_LIFETIME = dt.timedelta(minutes=30)
CHECKOUT_MAX_LIFETIME = dt.timedelta(hours=24)
# Network retries inside the SDK; safe because every create call carries an idempotency key.
NETWORK_RETRIES = 2

NOT_CONFIGURED = (
    "Payments are not set up on this server. Set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and "
    "STRIPE_WEBHOOK_SECRET (test keys work), and STRIPE_API_BASE to use a local Stripe server "
    "such as localstripe."
)
UNAVAILABLE = "The payment provider is not answering right now; please try again in a moment."
DECLINED = "The card was not accepted; please check it or try another card."


@dataclass(frozen=True)
class IntentResult:
    """A PaymentIntent as far as we care."""

    id: str
    client_secret: str
    status: str
    amount: int = 0
    amount_received: int = 0
    currency: str = ""
    order_code: str = ""


@dataclass(frozen=True)
class CheckoutResult:
    """A Checkout Session: where to send the buyer."""

    id: str
    url: str


@dataclass(frozen=True)
class RefundResult:
    """Money sent back."""

    id: str
    amount: int
    status: str


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def publishable_key() -> str:
    return settings.STRIPE_PUBLISHABLE_KEY


def _client() -> stripe.StripeClient:
    if not is_configured():
        raise PaymentProviderUnavailable(NOT_CONFIGURED)
    base_addresses = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base_addresses,
        max_network_retries=NETWORK_RETRIES,
    )


@contextmanager
def _calling_stripe(what: str) -> Iterator[None]:
    try:
        yield
    except stripe.StripeError as error:
        logger.warning("Stripe call failed (%s): %s", what, error)
        raise PaymentProviderUnavailable(UNAVAILABLE) from error


def idempotency_key(order: Order, *parts: object) -> str:
    """A key unique to the order and the given parts (attempt, purpose…)."""
    return ":".join(["greenroom", order.code, *(str(part) for part in parts)])


def _intent_result(intent) -> IntentResult:
    data = intent.to_dict()
    amount = data.get("amount") or 0
    received = data.get("amount_received")
    if received is None:
        # localstripe does not report amount_received; a succeeded intent received it all.
        received = amount if data.get("status") == "succeeded" else 0
    return IntentResult(
        id=data["id"],
        client_secret=data.get("client_secret") or "",
        status=data.get("status") or "",
        amount=amount,
        amount_received=received,
        currency=data.get("currency") or "",
        order_code=(data.get("metadata") or {}).get("order_code", ""),
    )


def create_payment_intent(*, order: Order, attempt: int) -> IntentResult:
    """A PaymentIntent for the mobile PaymentSheet; only the order code goes to Stripe."""
    client = _client()
    # No payment_method_types: Stripe then enables the account's automatic payment methods
    # (what PaymentSheet wants), and localstripe accepts the request too.
    params = {
        "amount": order.total,
        "currency": order.currency,
        "metadata": {"order_code": order.code},
    }
    with _calling_stripe("create payment intent"):
        intent = client.v1.payment_intents.create(
            params, {"idempotency_key": idempotency_key(order, attempt, "intent")}
        )
    return _intent_result(intent)


def confirm_payment_intent(intent_id: str, *, payment_method: str) -> IntentResult:
    """Confirm an intent with a card the buyer's Stripe.js turned into `payment_method`
    (never card numbers: those go from the browser to Stripe only). The answer's status says
    what next: `succeeded`, `requires_action` (the browser finishes 3-D Secure) or a decline
    (PaymentDeclined)."""
    client = _client()
    try:
        # Set, then confirm: localstripe refuses a payment_method on the confirm call itself.
        client.v1.payment_intents.update(intent_id, {"payment_method": payment_method})
        intent = client.v1.payment_intents.confirm(intent_id)
    except stripe.CardError as error:
        raise PaymentDeclined(error.user_message or DECLINED) from error
    except stripe.InvalidRequestError as error:
        logger.warning("Stripe refused to confirm %s: %s", intent_id, error)
        raise PaymentDeclined(DECLINED) from error
    except stripe.StripeError as error:
        logger.warning("Stripe call failed (confirm payment intent): %s", error)
        raise PaymentProviderUnavailable(UNAVAILABLE) from error
    return _intent_result(intent)


def retrieve_payment_intent(intent_id: str) -> IntentResult:
    client = _client()
    with _calling_stripe("retrieve payment intent"):
        intent = client.v1.payment_intents.retrieve(intent_id)
    return _intent_result(intent)


def checkout_expires_at(hold_expires_at: dt.datetime, *, now: dt.datetime) -> dt.datetime:
    """When to ask Stripe to expire a session: the hold's end, within Stripe's 30 min–24 h.

    Rounded up to five minutes so that a double tap sends identical parameters with its
    idempotency key (Stripe refuses a reused key with different parameters).
    """
    earliest = now + CHECKOUT_MIN_LIFETIME + dt.timedelta(minutes=1)
    wanted = max(hold_expires_at, earliest)
    rounded = wanted.replace(second=0, microsecond=0) + dt.timedelta(minutes=5 - wanted.minute % 5)
    return min(rounded, now + CHECKOUT_MAX_LIFETIME - dt.timedelta(minutes=5))


def create_checkout_session(
    *,
    order: Order,
    attempt: int,
    success_url: str,
    cancel_url: str,
    expires_at: dt.datetime,
) -> CheckoutResult:
    """A hosted Checkout Session for the web, with the order's lines at their frozen prices."""
    client = _client()
    metadata = {"order_code": order.code}
    params = {
        "mode": "payment",
        "line_items": _line_items(order),
        "client_reference_id": order.code,
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires_at.timestamp()),
    }
    with _calling_stripe("create checkout session"):
        session = client.v1.checkout.sessions.create(
            params, {"idempotency_key": idempotency_key(order, attempt, "checkout")}
        )
    return CheckoutResult(id=session.id, url=session.url or "")


def _line_items(order: Order) -> list[dict]:
    lines = list(order.lines.select_related("pass_type", "order__event"))
    items = [
        {
            "quantity": line.quantity,
            "price_data": {
                "currency": order.currency,
                "unit_amount": line.unit_price - line.unit_discount,
                "product_data": {"name": f"{line.pass_type.name} · {order.event.name}"},
            },
        }
        for line in lines
    ]
    if sum(line.total for line in lines) != order.total:
        # An order-level discount that does not split per pass: charge the order as one item.
        items = [
            {
                "quantity": 1,
                "price_data": {
                    "currency": order.currency,
                    "unit_amount": order.total,
                    "product_data": {"name": f"Order {order.code} · {order.event.name}"},
                },
            }
        ]
    return items


def expire_checkout_session(session_id: str) -> None:
    client = _client()
    with _calling_stripe("expire checkout session"):
        client.v1.checkout.sessions.expire(session_id)


def create_refund(*, payment_intent_id: str, amount: int, idempotency_key: str) -> RefundResult:
    client = _client()
    with _calling_stripe("create refund"):
        refund = client.v1.refunds.create(
            {"payment_intent": payment_intent_id, "amount": amount},
            {"idempotency_key": idempotency_key},
        )
    return RefundResult(id=refund.id, amount=refund.amount, status=refund.status or "")


def list_charge_refunds(charge_id: str) -> list[RefundResult]:
    """The refunds of a charge (webhook payloads of recent API versions leave them out)."""
    client = _client()
    with _calling_stripe("list refunds"):
        page = client.v1.refunds.list({"charge": charge_id, "limit": 100})
    return [
        RefundResult(id=refund.id, amount=refund.amount, status=refund.status or "")
        for refund in page.data
    ]


def verify_webhook(payload: bytes, signature_header: str) -> dict:
    """The event in a webhook body, once its signature and timestamp check out."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise InvalidWebhook("No webhook secret is configured (set STRIPE_WEBHOOK_SECRET).")
    try:
        stripe.WebhookSignature.verify_header(
            payload,
            signature_header,
            secret,
            tolerance=settings.GREENROOM_WEBHOOK_TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhook(str(error).split("\n")[0]) from error
    except UnicodeDecodeError as error:  # the SDK decodes the body before checking anything
        raise InvalidWebhook("The webhook body is not UTF-8 text.") from error
    # The SDK refuses only old timestamps; one far ahead would stay replayable until then.
    if _signed_at(signature_header) > time.time() + settings.GREENROOM_WEBHOOK_TOLERANCE_SECONDS:
        raise InvalidWebhook("Timestamp too far in the future.")
    try:
        event = json_input.loads(payload)
    except ValueError as error:
        raise InvalidWebhook("The webhook body is not JSON (or nests too deeply).") from error
    if not _is_stripe_event(event):
        raise InvalidWebhook("The webhook body is not a Stripe event.")
    return event


def _signed_at(signature_header: str) -> int:
    """The signed `t=` timestamp of a Stripe-Signature header the SDK has accepted (the first
    one, as the SDK reads it)."""
    items = (item.partition("=") for item in signature_header.split(","))
    return next(int(value) for key, _, value in items if key == "t")


def _is_stripe_event(event: object) -> bool:
    """Whether `event` has an event's shape: an id and a type in words, and a data object."""
    return (
        isinstance(event, dict)
        and all(isinstance(event.get(key), str) and event[key] for key in ("id", "type"))
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    )
