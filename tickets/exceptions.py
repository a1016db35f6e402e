"""Domain errors of the tickets app: `TicketsError` (400) and one class per other answer."""

from core.exceptions import (
    ConflictError,
    DomainError,
    RateLimitedError,
    UnavailableError,
    UnprocessableError,
)


class TicketsError(DomainError):
    """A sales rule was broken: sales closed, a bad promo code, a bad refund amount…"""


class SoldOut(TicketsError, ConflictError):
    """Not enough passes left for the order; `extra["available"]` says how many per pass."""

    code = "sold_out"


class PromoCodeExhausted(TicketsError, ConflictError):
    code = "promo_code_exhausted"


class OrderNotPayable(TicketsError, ConflictError):
    code = "order_not_payable"


class OrderNotCancellable(TicketsError, ConflictError):
    code = "order_not_cancellable"


class HoldExpired(TicketsError, ConflictError):
    code = "hold_expired"


class IdempotencyKeyReused(TicketsError, UnprocessableError):
    code = "idempotency_key_reused"


class TooManyPendingOrders(TicketsError, RateLimitedError):
    code = "too_many_pending_orders"


class HoldLimitReached(TicketsError, RateLimitedError):
    """The order would hold more passes unpaid than its buyer or network may; `extra` says
    which cap (`scope`), its `limit`, what is `held` and when a hold ends (`retry_after`)."""

    code = "hold_limit_reached"


class HumanCheckFailed(TicketsError):
    """The human check (a Turnstile/hCaptcha-style token) was missing or refused."""

    code = "human_check_failed"


class HumanCheckUnavailable(TicketsError, UnavailableError):
    """The human-check service did not answer: try again."""

    code = "human_check_unavailable"


class InventoryBusy(TicketsError, UnavailableError):
    """An inventory lock was not granted in time: busy, try again; never an oversell."""

    code = "busy"


class PaymentProviderUnavailable(TicketsError, UnavailableError):
    """Stripe could not be reached, refused the call, or is not configured."""

    code = "payment_provider_unavailable"


class PaymentDeclined(TicketsError, UnprocessableError):
    """The card was declined or could not be used; the order stays payable with another."""

    code = "payment_declined"


class InvalidWebhook(TicketsError):
    """A webhook whose signature is missing, wrong or too old."""

    code = "invalid_signature"


class WebhookNotApplied(TicketsError, UnavailableError):
    """The database failed while applying an event: nothing of it was kept, Stripe retries."""

    code = "webhook_not_applied"


class CheckInNotUndoable(TicketsError, ConflictError):
    """An undo the door screen cannot do: `code` says why (`undo_expired`, `undo_not_latest`,
    `undo_not_yours`, `undo_not_admission`, `undo_already_undone`)."""

    code = "undo_refused"
