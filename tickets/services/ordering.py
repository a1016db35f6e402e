"""Placing orders: the inventory rules, with the inventory locked for as short as can be.

One transaction: lock the buyer (their e-mail, and their account when signed in, so one
buyer's simultaneous orders queue and the limit on pending orders counts every hold) and the
promo code if any; read the pass types with their inventory counters, unlocked; check, price
and write the order and its lines; then, as the last statement, take the passes on the
counters with one conditional UPDATE each (tickets/inventory.py). The inventory is locked only
from that UPDATE to the commit.

The price and the hold were chosen from the counters as read; the UPDATE returns them as they
really were, and an order whose price phase or hold would differ is written again. Counters
without room roll the order back: the event's ended holds are released, the counters checked
against the orders, and the order tried again or answered sold out. A lock that cannot be had
within the lock timeout answers "busy, try again", never an oversell.
"""

import contextlib
import datetime as dt
import hashlib
import json
import math
import string
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.prefetched import keep_as_prefetched
from events.models import Event, EventStatus
from tickets import human_check, inventory, pricing
from tickets.exceptions import (
    IdempotencyKeyReused,
    SoldOut,
    TicketsError,
)
from tickets.models import (
    Order,
    OrderLine,
    PassType,
    PassVisibility,
    PromoCode,
)
from tickets.sale_rows import pass_types_for_writing
from tickets.selectors import (
    promo_codes_matching,
    promo_covers,
    refuse_unusable_promo_code,
)
from tickets.services import holds


@dataclass(frozen=True)
class LineRequest:
    """What a buyer asks for: a number of passes of one type, maybe with attendee details."""

    pass_type_id: int
    quantity: int
    attendees: tuple[dict, ...] = field(default=())


def place_order(
    *,
    event: Event,
    lines: Sequence[LineRequest],
    email: str,
    promo_code: str = "",
    user=None,
    idempotency_key: str | None = None,
    client_address: str = "",
    human_check_token: str = "",
) -> tuple[Order, bool]:
    """Create a pending order holding its passes; returns the order and whether it is new.

    With an `idempotency_key`, a repeated request (a phone retrying on a flaky connection)
    gets the order the first one made; the same key with a different request is refused.
    The caps on unpaid holds (services/holds.py) refuse an order that would pass one of them.
    A guest's order must pass the human check when one is configured (tickets/human_check.py).
    """
    buyer = holds.Buyer(email=email, user=user, network=holds.network_digest(client_address))
    fingerprint = _fingerprint(event=event, lines=lines, email=email, promo_code=promo_code)
    scoped_key = _scoped_key(idempotency_key, buyer) if idempotency_key is not None else None
    if scoped_key:
        existing = _replay(scoped_key, fingerprint)
        if existing:
            return existing, False
    _check_request_shape(lines)
    if not buyer.verified:
        human_check.verify(human_check_token, client_address=client_address)
    try:
        return holds.write_with_room(
            event=event,
            write=lambda: _write_order(
                event=event,
                lines=lines,
                buyer=buyer,
                promo_code=promo_code.strip(),
                scoped_key=scoped_key,
                fingerprint=fingerprint,
            ),
            refusal=lambda shortage, stock: _sold_out(shortage.pass_types, stock),
        )
    except IntegrityError:
        # Two identical retries raced; the other one committed first.
        existing = _replay(scoped_key, fingerprint) if scoped_key else None
        if existing is None:
            raise
        return existing, False


def _write_order(*, event, lines, buyer, promo_code, scoped_key, fingerprint):
    with transaction.atomic():
        holds.lock_buyer(event=event, buyer=buyer)
        # An identical retry that raced this request and won is visible now; answer it rather
        # than count it against the pending-order limit.
        existing = _replay(scoped_key, fingerprint) if scoped_key else None
        if existing is not None:
            return existing, False
        order = _place_locked(
            event=event,
            lines=lines,
            buyer=buyer,
            promo_code=promo_code,
            scoped_key=scoped_key,
            fingerprint=fingerprint,
        )
    return order, True


def _fingerprint(*, event, lines, email, promo_code) -> str:
    canonical = json.dumps(
        {
            "event": event.pk,
            "lines": [[line.pass_type_id, line.quantity, list(line.attendees)] for line in lines],
            "email": email.lower(),
            "promo_code": promo_code.strip().lower(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _scoped_key(key: str, buyer: holds.Buyer) -> str:
    """The key as stored: a digest of the caller's key within its buyer's scope (their account;
    for a guest the e-mail and client network, which a stranger replaying the request lacks)."""
    if not idempotency_key_is_strong(key):
        raise TicketsError(
            "An Idempotency-Key must be a random UUID (version 4) or 32 to 255 random "
            "letters, digits, '-' and '_' (at least 128 bits).",
            field="idempotency_key",
            code="weak_idempotency_key",
        )
    scope = (
        f"user:{buyer.user.pk}" if buyer.user else f"guest:{buyer.email.lower()}:{buyer.network}"
    )
    return hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()


# Fewer distinct characters than this is a pattern, not randomness (a random 32-digit hex key
# has fewer than 8 distinct digits about once in 25 million).
MIN_DISTINCT_KEY_CHARS = 8
SEPARATORS = frozenset("-_")
# Bits per character of the smallest alphabet a key's letters and digits come from.
KEY_ALPHABETS = (
    (frozenset(string.digits), math.log2(10)),
    (frozenset(string.hexdigits.lower()), 4.0),
    (frozenset(string.hexdigits.upper()), 4.0),
    (frozenset(string.ascii_lowercase + string.digits), math.log2(36)),
    (frozenset(string.ascii_uppercase + string.digits), math.log2(36)),
    (frozenset(string.ascii_letters + string.digits), math.log2(62)),
)


def idempotency_key_is_strong(key: str) -> bool:
    """Whether `key` could carry 128 bits of randomness: a version-4 UUID, or 32 to 255 letters,
    digits, `-` and `_` whose alphabet and length allow 128 bits (separators count nothing)
    and that do not just repeat a few characters.

    A key is what lets a retry fetch an order (and its secret), so a guessable one such as
    `my-first-order` could hand a stranger's order to whoever guesses it.
    """
    if len(key) == 36 and key.count("-") == 4:
        with contextlib.suppress(ValueError):
            return uuid.UUID(key).version == 4
        return False
    if not 32 <= len(key) <= 255:
        return False
    symbols = [char for char in key if char not in SEPARATORS]
    chars = set(symbols)
    bits = next((bits for alphabet, bits in KEY_ALPHABETS if chars <= alphabet), 0.0)
    return bits * len(symbols) >= 128 and len(chars) >= MIN_DISTINCT_KEY_CHARS


def _replay(scoped_key: str, fingerprint: str) -> Order | None:
    existing = Order.objects.filter(idempotency_key=scoped_key).first()
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different order request.",
        )
    return existing


def _check_request_shape(lines: Sequence[LineRequest]) -> None:
    if not lines:
        raise TicketsError("An order needs at least one line.", field="lines")
    repeated = [
        pk for pk, count in Counter(line.pass_type_id for line in lines).items() if count > 1
    ]
    if repeated:
        raise TicketsError("Ask for each pass type once, with its quantity.", field="lines")
    for line in lines:
        if line.quantity < 1:
            raise TicketsError("Quantities start at 1.", field="lines")
        if len(line.attendees) > line.quantity:
            raise TicketsError("More attendees than passes on a line.", field="lines")


def _place_locked(*, event, lines, buyer, promo_code, scoped_key, fingerprint) -> Order:
    now = timezone.now()
    if event.status != EventStatus.PUBLISHED:
        raise TicketsError(f"{event.name} is not selling passes.", code="sales_closed")
    quantities = {line.pass_type_id: line.quantity for line in lines}
    holds.check_hold_limits(event=event, buyer=buyer, passes=sum(quantities.values()), now=now)
    wanted = {line.pass_type_id: line for line in lines}
    loaded = pass_types_for_writing(wanted, event_id=event.pk)
    pass_types = {pass_type.pk: pass_type for pass_type in loaded}
    if set(pass_types) != set(wanted):
        raise TicketsError(
            "One of the passes is not sold for this event.",
            field="lines",
            code="pass_not_available",
        )
    promo = _locked_promo(event, promo_code, now=now) if promo_code else None

    for pass_type in loaded:
        _check_can_buy(pass_type, wanted[pass_type.pk], promo=promo, now=now)
    estimate = inventory.counted_stock(loaded, quantities)
    if promo is not None:
        _check_promo_applies(promo, loaded, now=now)

    terms = _terms(loaded, wanted, promo, estimate, now=now)
    subtotal = sum(price.subtotal for price in terms.prices.values())
    discount = sum(price.discount for price in terms.prices.values())
    order = Order.objects.create(
        event=event,
        user=buyer.user,
        email=buyer.email,
        currency=event.currency,
        subtotal=subtotal,
        discount=discount,
        total=subtotal - discount,
        promo_code=promo,
        hold_expires_at=now + dt.timedelta(minutes=terms.hold_minutes),
        idempotency_key=scoped_key or "",
        client_network="" if buyer.verified else buyer.network,
        request_fingerprint=fingerprint,
    )
    written = OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            pass_type=pass_types[pk],
            quantity=price.quantity,
            unit_price=price.unit_price,
            unit_discount=price.unit_discount,
            price_phase=price.phase,
            phase_name=price.phase.name,
            attendees=list(wanted[pk].attendees),
        )
        for pk, price in sorted(terms.prices.items())
    )
    exact = inventory.take(loaded, quantities)  # the last statement: locked until the commit
    if exact != estimate and _terms(loaded, wanted, promo, exact, now=now) != terms:
        raise inventory.CountersMoved
    keep_as_prefetched(order, lines=written)
    return order


@dataclass(frozen=True)
class Terms:
    """What an order is written with that depends on the stock: each line's price, the hold."""

    prices: dict[int, pricing.LinePrice]
    hold_minutes: int


def _terms(pass_types: list[PassType], wanted, promo, stock: inventory.Stock, *, now) -> Terms:
    return Terms(
        prices={
            pass_type.pk: _price_line(
                pass_type, wanted[pass_type.pk], promo, stock.taken.get(pass_type.pk, 0), now
            )
            for pass_type in pass_types
        },
        hold_minutes=holds.hold_minutes(
            pass_types, {pk: line.quantity for pk, line in wanted.items()}, stock
        ),
    )


def _locked_promo(event: Event, code: str, *, now) -> PromoCode:
    promo = promo_codes_matching(event, code).select_for_update(of=("self",)).first()
    refuse_unusable_promo_code(promo, now=now)
    return promo


def _check_can_buy(pass_type: PassType, line: LineRequest, *, promo, now) -> None:
    unlocked = promo is not None and promo.unlocks_hidden and promo_covers(promo, pass_type)
    if pass_type.visibility == PassVisibility.HIDDEN and not unlocked:
        raise TicketsError(
            "One of the passes is not sold for this event.",
            field="lines",
            code="pass_not_available",
        )
    if (pass_type.sales_start and now < pass_type.sales_start) or (
        pass_type.sales_end and now >= pass_type.sales_end
    ):
        raise TicketsError(
            f"{pass_type.name} is not on sale now.",
            extra={
                "pass_type": pass_type.pk,
                "sales_start": pass_type.sales_start,
                "sales_end": pass_type.sales_end,
            },
            code="sales_closed",
        )
    if line.quantity > pass_type.max_per_order:
        raise TicketsError(
            f"At most {pass_type.max_per_order} {pass_type.name} passes per order.",
            field="lines",
            extra={"pass_type": pass_type.pk, "max_per_order": pass_type.max_per_order},
            code="exceeds_order_limit",
        )


def _sold_out(pass_types: list[PassType], stock: inventory.Stock) -> SoldOut:
    """Not enough left of some row the order draws on: say what is left of each pass."""
    available = {
        str(pass_type.pk): left.count
        for pass_type in pass_types
        if (left := stock.left(pass_type)).count is not None
    }
    names = ", ".join(
        f"{pass_type.name}: {available[str(pass_type.pk)]} left"
        for pass_type in pass_types
        if str(pass_type.pk) in available
    )
    return SoldOut(f"Not enough passes left ({names}).", extra={"available": available})


def _check_promo_applies(promo: PromoCode, pass_types, *, now) -> None:
    if not any(promo_covers(promo, pass_type) for pass_type in pass_types):
        raise TicketsError(
            "That promo code does not apply to these passes.",
            field="promo_code",
            code="invalid_promo_code",
        )


def _price_line(pass_type, line, promo, sold: int, now) -> pricing.LinePrice:
    phase = pricing.current_phase(pass_type.phases.all(), now=now, sold=sold)
    if phase is None:
        raise TicketsError(f"{pass_type.name} has no price on sale now.", code="sales_closed")
    applies = promo is not None and promo_covers(promo, pass_type)
    return pricing.LinePrice(
        phase=phase,
        unit_price=phase.price,
        unit_discount=pricing.unit_discount(promo if applies else None, unit_price=phase.price),
        quantity=line.quantity,
    )
