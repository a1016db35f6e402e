"""Who may hold how many passes: the defence against holding a sale hostage with unpaid orders.

A pending order takes its passes off sale until its hold ends, so a stranger with a script and
many e-mail addresses could keep a sale "sold out" for free. Holds are therefore capped per
event, counting only unexpired pending orders:

- per buyer, in orders (GREENROOM_MAX_PENDING_ORDERS): a guest by e-mail (any case), a
  signed-in buyer by account only, so a stranger's guest orders under someone's e-mail never
  block that person once they sign in;
- per buyer, in passes: a small cap for guests (e-mails are not verified), a larger one for
  verified accounts;
- per client network, in passes held by guest orders: an IPv4 address, or an IPv6 /64 (one
  subscriber's block), so fresh e-mails from one machine do not add up.

Holds shorten when a pass is nearly gone, so the last seats come back sooner.

Simultaneous orders of one buyer or network are serialized by transaction-scoped PostgreSQL
advisory locks on those identities, so none of the caps can be passed by racing.
"""

import datetime as dt
import hashlib
import hmac
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Sum

from core.networks import client_network
from events.models import Event
from tickets import inventory
from tickets.exceptions import HoldLimitReached, TooManyPendingOrders
from tickets.models import Order, OrderLine, PassType


@dataclass(frozen=True)
class Buyer:
    """Who places an order: their e-mail, account (None for a guest) and client network."""

    email: str
    user: object | None = None
    network: str = ""

    @property
    def verified(self) -> bool:
        """A signed-in account: accounts are made by organizers or proven by e-mail."""
        return self.user is not None


def network_digest(address: str) -> str:
    """A keyed digest of the client's network (core.networks: an IPv4 address, an IPv6 /64);
    "" if unknown. Stored on the order to count its holds, so no address is kept in the clear.
    """
    network = client_network(address)
    if not network:
        return ""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"network:{network}".encode(), hashlib.sha256).hexdigest()[:32]


def lock_buyer(*, event: Event, buyer: Buyer) -> None:
    """Hold transaction-scoped advisory locks on the buyer's identities for this event (e-mail,
    account, network), in sorted order, so one buyer's simultaneous orders count each other's
    holds. Other databases serialize writers anyway."""
    if connection.vendor != "postgresql":
        return
    names = {f"email:{buyer.email.lower()}"}
    if buyer.user is not None:
        names.add(f"user:{buyer.user.pk}")
    elif buyer.network:
        names.add(f"network:{buyer.network}")
    keys = sorted(
        int.from_bytes(
            hashlib.blake2b(f"greenroom:buyer:{event.pk}:{name}".encode(), digest_size=8).digest(),
            signed=True,
        )
        for name in names
    )
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def check_hold_limits(*, event: Event, buyer: Buyer, passes: int, now: dt.datetime) -> None:
    """Refuse (429, with `retry_after`) an order that would pass one of the caps above."""
    held = Order.objects.filter(inventory.held_at(now), event=event)
    own = held.filter(user=buyer.user) if buyer.verified else held.filter(email__iexact=buyer.email)
    _check_order_count(own, event=event, now=now)
    if buyer.verified:
        cap = settings.GREENROOM_MAX_HELD_PASSES_PER_ACCOUNT
        _check_passes(own, passes, cap=cap, scope="account", now=now)
        return
    cap = settings.GREENROOM_MAX_HELD_PASSES_PER_GUEST
    _check_passes(own, passes, cap=cap, scope="email", now=now)
    if buyer.network:
        from_network = held.filter(user__isnull=True, client_network=buyer.network)
        cap = settings.GREENROOM_MAX_HELD_PASSES_PER_NETWORK
        _check_passes(from_network, passes, cap=cap, scope="network", now=now)


def _check_order_count(orders, *, event: Event, now: dt.datetime) -> None:
    limit = settings.GREENROOM_MAX_PENDING_ORDERS
    if not limit:
        return
    holds = list(
        orders.order_by("hold_expires_at").values_list("hold_expires_at", flat=True)[:limit]
    )
    if len(holds) >= limit:
        raise TooManyPendingOrders(
            f"You already hold {limit} unpaid orders for {event.name}: pay or cancel one, "
            "or wait until its hold ends.",
            extra={"retry_after": _seconds_until(holds[0], now)},
        )


SCOPE_ADVICE = {
    "email": "Sign in to hold more, or pay for what you hold.",
    "network": "Too many passes are held unpaid from your network; sign in to buy more.",
    "account": "Pay for or cancel what you hold first.",
}


def _check_passes(orders, passes: int, *, cap: int, scope: str, now: dt.datetime) -> None:
    if not cap:
        return
    held = OrderLine.objects.filter(order__in=orders).aggregate(total=Sum("quantity"))["total"]
    if (held or 0) + passes <= cap:
        return
    first_end = orders.order_by("hold_expires_at").values_list("hold_expires_at", flat=True)
    ends = first_end.first()
    raise HoldLimitReached(
        f"At most {cap} passes can be held unpaid at once here. {SCOPE_ADVICE[scope]}",
        extra={
            "limit": cap,
            "held": held or 0,
            "scope": scope,
            "retry_after": _seconds_until(ends, now) if ends else 60,
        },
    )


def _seconds_until(instant: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((instant - now).total_seconds()))


def hold_minutes(pass_types: list[PassType], wanted: dict[int, int], stock) -> int:
    """How long this order holds its passes: GREENROOM_HOLD_MINUTES, or the shorter
    GREENROOM_SCARCE_HOLD_MINUTES when it leaves any of its passes at `few_left` or less."""
    for pass_type in pass_types:
        left = stock.left(pass_type).count
        if (
            left is not None
            and left - wanted[pass_type.pk] <= settings.GREENROOM_FEW_LEFT_THRESHOLD
        ):
            return min(settings.GREENROOM_SCARCE_HOLD_MINUTES, settings.GREENROOM_HOLD_MINUTES)
    return settings.GREENROOM_HOLD_MINUTES
