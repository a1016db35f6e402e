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

Holds shorten when a pass is nearly gone, so the last seats come back sooner. A hold that
ended keeps its passes counted (tickets/inventory.py) until it is released: by the beat task
every minute, or at once by a writer that finds no room.

Simultaneous orders of one buyer or network are serialized by transaction-scoped PostgreSQL
advisory locks on those identities, so none of the caps can be passed by racing.
"""

import datetime as dt
import hashlib
import hmac
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection
from django.db.models import Q

from core.networks import client_network
from events.models import Event
from tickets import inventory
from tickets.exceptions import HoldLimitReached, InventoryBusy, TooManyPendingOrders
from tickets.models import Order, OrderLine, OrderStatus, PassType
from tickets.services.order_states import expire_held_orders


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
    """Bound this transaction's lock waits (inventory.set_lock_timeout) and hold
    transaction-scoped advisory locks on the buyer's identities for this event (e-mail,
    account, network), in sorted order, so one buyer's simultaneous orders count each other's
    holds; one round trip. Other databases serialize writers anyway."""
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
    inventory.set_lock_timeout(advisory_locks=keys)


def check_hold_limits(*, event: Event, buyer: Buyer, passes: int, now: dt.datetime) -> None:
    """Refuse (429, with `retry_after`) an order that would pass one of the caps above.

    One statement counts what the buyer and their network hold; a refusal then looks up when
    the first of those holds ends.
    """
    counts_network = not buyer.verified and bool(buyer.network)
    own_orders, own_passes, network_passes = _holding(event, buyer, now, counts_network)
    limit = settings.GREENROOM_MAX_PENDING_ORDERS
    if limit and own_orders >= limit:
        raise TooManyPendingOrders(
            f"You already hold {limit} unpaid orders for {event.name}: pay or cancel one, "
            "or wait until its hold ends.",
            extra={"retry_after": _first_hold_end(event, _own(buyer), now)},
        )
    if buyer.verified:
        cap = settings.GREENROOM_MAX_HELD_PASSES_PER_ACCOUNT
        caps = [("account", _own(buyer), own_passes, cap)]
    else:
        cap = settings.GREENROOM_MAX_HELD_PASSES_PER_GUEST
        caps = [("email", _own(buyer), own_passes, cap)]
        if counts_network:
            cap = settings.GREENROOM_MAX_HELD_PASSES_PER_NETWORK
            caps.append(("network", _network(buyer), network_passes, cap))
    for scope, whose, holding, cap in caps:
        if cap and holding + passes > cap:
            raise HoldLimitReached(
                f"At most {cap} passes can be held unpaid at once here. {SCOPE_ADVICE[scope]}",
                extra={
                    "limit": cap,
                    "held": holding,
                    "scope": scope,
                    "retry_after": _first_hold_end(event, whose, now),
                },
            )


def _holding(event: Event, buyer: Buyer, now: dt.datetime, counts_network: bool) -> tuple:
    """(orders, passes) the buyer holds in the event's unexpired pending orders, and passes
    the guest orders of their network hold.

    Written out in SQL: it runs for every order of a flash sale, and building it with the ORM
    (three filtered aggregates over a subquery) cost more CPU than PostgreSQL running it.
    The conditions are those of `_own`, `_network` and `inventory.held_at`.
    """
    if buyer.verified:
        own, own_value = "o.user_id = %s", buyer.user.pk
    else:
        own, own_value = "UPPER(o.email) = UPPER(%s)", buyer.email
    network, network_values = "o.user_id IS NULL AND o.client_network = %s", [buyer.network]
    if not counts_network:
        network, network_values = "1 = 0", []
    orders = connection.ops.quote_name(Order._meta.db_table)
    lines = connection.ops.quote_name(OrderLine._meta.db_table)
    sql = (
        f"SELECT COUNT(DISTINCT CASE WHEN {own} THEN o.id END), "  # noqa: S608  # nosec B608
        f"COALESCE(SUM(CASE WHEN {own} THEN l.quantity END), 0), "
        f"COALESCE(SUM(CASE WHEN {network} THEN l.quantity END), 0) "
        f"FROM {orders} o JOIN {lines} l ON l.order_id = o.id "
        f"WHERE o.event_id = %s AND o.status = %s AND o.hold_expires_at > %s "
        f"AND (({own}) OR ({network}))"
    )
    params = [
        own_value,
        own_value,
        *network_values,
        event.pk,
        OrderStatus.PENDING,
        connection.ops.adapt_datetimefield_value(now),
        own_value,
        *network_values,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _own(buyer: Buyer, prefix: str = "") -> Q:
    """The buyer's own orders (reached through `prefix`): by account, or a guest's by e-mail."""
    if buyer.verified:
        return Q(**{f"{prefix}user": buyer.user})
    return Q(**{f"{prefix}email__iexact": buyer.email})


def _network(buyer: Buyer, prefix: str = "") -> Q:
    """Guest orders (reached through `prefix`) from the buyer's client network."""
    return Q(**{f"{prefix}user__isnull": True, f"{prefix}client_network": buyer.network})


def _first_hold_end(event: Event, whose: Q, now: dt.datetime) -> int:
    """Seconds until the first of `whose` held orders for `event` stops holding (60 when none
    does). Built only on a refusal: most orders pass the caps."""
    held = Order.objects.filter(inventory.held_at(now), whose, event=event)
    ends = held.order_by("hold_expires_at").values_list("hold_expires_at", flat=True).first()
    return _seconds_until(ends, now) if ends else 60


SCOPE_ADVICE = {
    "email": "Sign in to hold more, or pay for what you hold.",
    "network": "Too many passes are held unpaid from your network; sign in to buy more.",
    "account": "Pay for or cancel what you hold first.",
}


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


def write_with_room[T](
    *,
    event: Event,
    write: Callable[[], T],
    refusal: Callable[[inventory.NoRoomCounted, inventory.Stock], Exception],
) -> T:
    """Run `write` (one transaction that ends by taking passes on the counters) until it is
    written. When the counters had no room, release the event's ended holds (the counters
    count a hold that ended until it is released) and check the counters against the orders:
    no room then raises `refusal(shortage, exact stock)`; room, another try. So does an order
    whose terms moved (inventory.CountersMoved). A lock not had in time, or too many tries,
    is "busy, try again", never an oversell.
    """
    try:
        for _ in range(ATTEMPTS):
            try:
                return write()
            except inventory.NoRoomCounted as shortage:
                expire_held_orders(orders=Order.objects.filter(event=event), wait_for_locked=True)
                stock = inventory.verified_stock(shortage.pass_types)
                if not stock.fits(shortage.pass_types, shortage.wanted):
                    raise refusal(shortage, stock) from None
            except inventory.CountersMoved:
                continue
    except OperationalError as error:
        if inventory.is_lock_timeout(error):
            raise InventoryBusy(BUSY) from error
        raise
    raise InventoryBusy(BUSY)


# Tries of one write whose counters moved under it (the room it saw was taken meanwhile, or
# its price phase or hold changed); past them the buyer is told to try again.
ATTEMPTS = 4
BUSY = "Many people are buying right now; please try again in a moment."
