"""Reads of the tickets app: what is sold or held, what a buyer may see and pay."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from events.models import Event
from tickets import inventory, pricing
from tickets.exceptions import PromoCodeExhausted, TicketsError
from tickets.inventory import taking_inventory
from tickets.models import (
    Order,
    OrderStatus,
    PassType,
    PassVisibility,
    PricePhase,
    PromoCode,
    Ticket,
    TicketStatus,
)
from tickets.qr import parse_qr_payload


def promo_code_uses(promo: PromoCode, *, now: dt.datetime) -> int:
    """Orders that used the code and still count: paid, or pending within their hold."""
    return Order.objects.filter(taking_inventory(now), promo_code=promo).count()


def promo_codes_matching(event: Event, code: str) -> QuerySet[PromoCode]:
    """The event's promo code spelled `code` in any case (at most one: the constraint says so)."""
    return (
        PromoCode.objects.annotate(code_lower=Lower("code"))
        .filter(event=event, code_lower=code.strip().lower())
        .prefetch_related("pass_types")
    )


def usable_promo_code(event: Event, code: str, *, now: dt.datetime) -> PromoCode | None:
    """The event's promo code spelled `code`, if it is valid at `now`."""
    promo = promo_codes_matching(event, code).first()
    return promo if promo is not None and pricing.promo_is_valid_at(promo, now=now) else None


def refuse_unusable_promo_code(promo: PromoCode | None, *, now: dt.datetime) -> None:
    """Raise the refusal of a promo code that cannot be used at `now`: TicketsError
    `invalid_promo_code` (no such code, or one not valid yet: a code is not revealed before it
    opens), `promo_code_expired`, or PromoCodeExhausted (409) once its uses are taken."""
    if promo is None or (promo.valid_from is not None and now < promo.valid_from):
        raise TicketsError(
            "That promo code is not valid.", field="promo_code", code="invalid_promo_code"
        )
    if not pricing.promo_is_valid_at(promo, now=now):
        raise TicketsError(
            "That promo code has expired.", field="promo_code", code="promo_code_expired"
        )
    if promo.max_uses is not None and promo_code_uses(promo, now=now) >= promo.max_uses:
        raise PromoCodeExhausted("That promo code has been used up.", field="promo_code")


def checked_promo_code(event: Event, code: str, *, now: dt.datetime) -> PromoCode:
    """The event's promo code spelled `code`, if it can be used at `now`; otherwise raises
    its refusal (see `refuse_unusable_promo_code`)."""
    promo = promo_codes_matching(event, code).first()
    refuse_unusable_promo_code(promo, now=now)
    return promo


def promo_covers(promo: PromoCode, pass_type: PassType) -> bool:
    """Whether the code applies to the pass: codes limited to no pass apply to every pass."""
    limited_to = {pt.pk for pt in promo.pass_types.all()}
    return not limited_to or pass_type.pk in limited_to


@dataclass(frozen=True)
class PassOffer:
    """A pass type as a buyer sees it now: price, price step, availability."""

    pass_type: PassType
    phase: PricePhase | None
    next_phase: PricePhase | None
    availability: str
    on_sale: bool


def pass_offers(event: Event, *, promo_code: str = "", now: dt.datetime) -> list[PassOffer]:
    """The passes a buyer may see (hidden ones when `promo_code` unlocks them), priced now.

    Availability says `sold_out`, `few_left` (at most GREENROOM_FEW_LEFT_THRESHOLD) or
    `available`, never an exact count. A fixed number of queries whatever the pass count.
    """
    pass_types = list(event.pass_types.prefetch_related("phases", "pools"))
    promo = usable_promo_code(event, promo_code, now=now) if promo_code else None

    def visible(pass_type: PassType) -> bool:
        if pass_type.visibility == PassVisibility.PUBLIC:
            return True
        return bool(promo and promo.unlocks_hidden and promo_covers(promo, pass_type))

    pass_types = [pass_type for pass_type in pass_types if visible(pass_type)]
    stock = inventory.stock(pass_types, now=now)
    return [_offer(pass_type, stock, now=now) for pass_type in pass_types]


def _offer(pass_type: PassType, stock: inventory.Stock, *, now) -> PassOffer:
    taken = stock.taken.get(pass_type.pk, 0)
    left = stock.left(pass_type).count
    if left is not None and left <= 0:
        availability = "sold_out"
    elif left is not None and left <= settings.GREENROOM_FEW_LEFT_THRESHOLD:
        availability = "few_left"
    else:
        availability = "available"
    phase = pricing.current_phase(pass_type.phases.all(), now=now, sold=taken)
    upcoming = pricing.next_phase(pass_type.phases.all(), after=phase, now=now) if phase else None
    in_window = (pass_type.sales_start is None or pass_type.sales_start <= now) and (
        pass_type.sales_end is None or now < pass_type.sales_end
    )
    return PassOffer(
        pass_type=pass_type,
        phase=phase,
        next_phase=upcoming,
        availability=availability,
        on_sale=in_window and phase is not None and availability != "sold_out",
    )


def visible_order(code: str, *, user, key: str = "") -> Order | None:
    """The order with `code` if the caller owns it (as its signed-in buyer) or holds its
    secret link key; None otherwise, so strangers cannot tell it exists."""
    order = (
        Order.objects.filter(code=code.upper())
        .select_related("event", "promo_code")
        .prefetch_related("lines__pass_type", "tickets__pass_type")
        .first()
    )
    if order is None:
        return None
    owns = user is not None and user.is_authenticated and order.user_id == user.pk
    # As bytes: compare_digest refuses str with non-ASCII characters, which anyone may send.
    holds_key = bool(key) and secrets.compare_digest(key.encode(), order.secret.encode())
    return order if owns or holds_key else None


def orders_of(user) -> QuerySet[Order]:
    """A signed-in person's orders, newest first, with their event, lines and tickets loaded."""
    return (
        Order.objects.filter(user=user)
        .select_related("event", "promo_code")
        .prefetch_related("lines__pass_type", "tickets__pass_type")
        .order_by("-created_at")
    )


def tickets_of(user) -> QuerySet[Ticket]:
    """A signed-in person's valid tickets, newest order first."""
    return (
        Ticket.objects.filter(order__user=user, status=TicketStatus.VALID)
        .select_related("pass_type", "order__event")
        .order_by("-order__created_at", "pk")
    )


def pass_ids_changed_since(
    event: Event, offers: list[PassOffer], since: dt.datetime, *, now
) -> set[int]:
    """Passes whose answer may differ from what a client saw at `since`.

    Definitions changed (the pass or its phases), or anything that moves prices and
    availability happened: an order of the event changed, or a phase or sales window
    boundary passed. Pass lists are short, so the second case sends them all.
    """
    ids = {offer.pass_type.pk for offer in offers}
    moved = Order.objects.filter(event=event, updated_at__gt=since).exists() or any(
        since < boundary <= now for offer in offers for boundary in _boundaries(offer.pass_type)
    )
    if moved:
        return ids
    return set(
        PassType.objects.filter(pk__in=ids)
        .filter(Q(updated_at__gt=since) | Q(phases__updated_at__gt=since))
        .values_list("pk", flat=True)
    )


def _boundaries(pass_type: PassType) -> list[dt.datetime]:
    instants = [pass_type.sales_start, pass_type.sales_end]
    for phase in pass_type.phases.all():
        instants += [phase.starts_at, phase.ends_at]
    return [instant for instant in instants if instant is not None]


def tickets_visible_to(user, *, key: str = "") -> QuerySet[Ticket]:
    """Valid tickets the caller may see: those of the order whose link key they hold, or else
    their own as a signed-in buyer."""
    valid = Ticket.objects.filter(status=TicketStatus.VALID).select_related("order")
    if key:
        return valid.filter(order__secret=key)
    if user is not None and user.is_authenticated:
        return valid.filter(order__user=user)
    return valid.none()


class SalesStatus:
    """What an event's passes amount to right now, as one word."""

    NONE = "no_passes"
    NOT_YET = "not_yet_on_sale"
    ON_SALE = "on_sale"
    SOLD_OUT = "sold_out"
    ENDED = "sales_ended"
    CHOICES = (NONE, NOT_YET, ON_SALE, SOLD_OUT, ENDED)


def event_sales_status(event: Event, *, now: dt.datetime) -> str:
    """`on_sale` if any public pass can be bought now; else `sold_out` if every public pass
    is gone, `not_yet_on_sale` if one's sales are still to open, `sales_ended` otherwise."""
    offers = pass_offers(event, now=now)
    if not offers:
        return SalesStatus.NONE
    if any(offer.on_sale for offer in offers):
        return SalesStatus.ON_SALE
    if all(offer.availability == "sold_out" for offer in offers):
        return SalesStatus.SOLD_OUT
    upcoming = any(
        (offer.pass_type.sales_start and offer.pass_type.sales_start > now)
        or (
            offer.phase is None
            and any(_opens_later(phase, now) for phase in offer.pass_type.phases.all())
        )
        for offer in offers
    )
    return SalesStatus.NOT_YET if upcoming else SalesStatus.ENDED


def _opens_later(phase: PricePhase, now: dt.datetime) -> bool:
    return phase.starts_at is not None and phase.starts_at > now


# --- the door ---------------------------------------------------------------------------------

DOOR_SEARCH_LIMIT = 20
DOOR_SEARCH_MIN_LENGTH = 2


def door_search(event: Event, query: str, *, limit: int = DOOR_SEARCH_LIMIT) -> list[Ticket]:
    """The event's issued tickets whose attendee name contains `query`, or whose ticket or
    order code is `query` (a QR payload works too), at most `limit`, names in order.

    Only the chosen event's tickets: the door screen never lists another event's attendees.
    """
    query = (query or "").strip()
    if len(query) < DOOR_SEARCH_MIN_LENGTH:
        return []
    ticket_code = parse_qr_payload(query)
    matches = Q(attendee_name__icontains=query) | Q(order__code__iexact=query)
    if ticket_code:
        matches |= Q(code=ticket_code)
    return list(
        Ticket.objects.filter(matches, order__event=event)
        .select_related("order", "pass_type")
        .order_by(Lower("attendee_name"), "pk")[:limit]
    )


@dataclass(frozen=True)
class PassCheckInCount:
    """One pass type at the door: tickets that admit (valid, paid) and how many are in."""

    pass_type_id: int
    name: str
    valid: int
    checked_in: int


def door_pass_counts(event: Event) -> list[PassCheckInCount]:
    """Checked in / valid per pass type of the event, in one grouped query."""
    admitting = Q(tickets__status=TicketStatus.VALID, tickets__order__status=OrderStatus.PAID)
    rows = (
        PassType.objects.filter(event=event)
        .annotate(
            valid=Count("tickets", filter=admitting),
            checked_in=Count("tickets", filter=admitting & Q(tickets__checked_in_at__isnull=False)),
        )
        .order_by("position", "name", "pk")
        .values_list("pk", "name", "valid", "checked_in")
    )
    return [PassCheckInCount(*row) for row in rows]
