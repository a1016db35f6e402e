"""The inventory engine: what counts as taken, how inventory rows are locked, what is left.

Every part of the project that asks "is there room?" asks here: placing an order, keeping a
payment that arrived after its hold, the passes list and the admin. A pass type draws on its
own capacity (if it has one) and on every shared pool it belongs to; what is left of it is the
tightest of those limits, counting passes sold and passes held by unexpired pending orders.

Writers lock in one global order, so two orders never deadlock: the shared pools an order
draws on, then its pass types, each by id (then the promo code, in ordering). A lock that
cannot be had within GREENROOM_INVENTORY_LOCK_TIMEOUT_MS is an error the caller turns into
"busy, try again", never an oversell.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection
from django.db.models import Q, QuerySet, Subquery, Sum

from tickets.models import InventoryPool, Order, OrderLine, OrderStatus, PassType

# PostgreSQL's SQLSTATE for "lock_not_available", raised when lock_timeout runs out.
LOCK_NOT_AVAILABLE = "55P03"


# --- what counts as taken ---------------------------------------------------------------------


def holding_statuses() -> list[str]:
    """Order statuses whose passes are not for sale again (pending ones only until the hold
    ends; refunded ones when refunds do not return passes to sale)."""
    statuses = [OrderStatus.PAID]
    if not settings.GREENROOM_REFUND_RETURNS_INVENTORY:
        statuses.append(OrderStatus.REFUNDED)
    return statuses


def sold(prefix: str = "") -> Q:
    """Orders (reached through `prefix`) whose passes are sold."""
    return Q(**{f"{prefix}status__in": holding_statuses()})


def held_at(now: dt.datetime, prefix: str = "") -> Q:
    """Pending orders (reached through `prefix`) whose hold has not ended at `now`."""
    return Q(**{f"{prefix}status": OrderStatus.PENDING, f"{prefix}hold_expires_at__gt": now})


def taking_inventory(now: dt.datetime, prefix: str = "") -> Q:
    """Orders (reached through `prefix`) whose passes are out of sale at `now`: sold or held."""
    return sold(prefix) | held_at(now, prefix)


def _lines_taking(now: dt.datetime, event_ids: QuerySet) -> QuerySet[OrderLine]:
    """Order lines of the events' orders that take passes out of sale.

    The orders come in as an `IN` subquery over the (event, status, hold) index. Filtering
    through the join instead let PostgreSQL pick, from statistics taken before a sale's holds
    existed, a nested loop that rescanned the held orders for every line: tens of
    milliseconds inside the inventory lock by the end of a flash sale.
    """
    orders = Order.objects.filter(taking_inventory(now), event_id__in=event_ids)
    return OrderLine.objects.filter(order_id__in=orders.values("pk"))


def passes_taken(pass_type_ids: Iterable[int], *, now: dt.datetime) -> dict[int, int]:
    """Passes sold or held, by pass type."""
    ids = list(pass_type_ids)
    return _taken_by("pass_type_id", ids, PassType.objects.filter(pk__in=ids), now=now)


def pool_seats_taken(pool_ids: Iterable[int], *, now: dt.datetime) -> dict[int, int]:
    """Seats of shared pools sold or held, by pool."""
    ids = list(pool_ids)
    return _taken_by("pass_type__pools", ids, InventoryPool.objects.filter(pk__in=ids), now=now)


def _taken_by(key: str, ids: list[int], rows_of_events: QuerySet, *, now) -> dict[int, int]:
    """Quantities of the order lines taking inventory, summed by `key` (one of `ids`)."""
    rows = (
        _lines_taking(now, rows_of_events.values("event_id"))
        .filter(**{f"{key}__in": ids})
        .values(key)
        .annotate(taken=Sum("quantity"))
    )
    return {row[key]: row["taken"] for row in rows}


# --- what is left ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Left:
    """What is left of a pass type: a count (`None`: no limit at all) and, when a shared pool
    is the tightest limit, that pool's name."""

    count: int | None
    limited_by: str = ""


@dataclass(frozen=True)
class Stock:
    """Passes and pool seats taken at one instant; pass types come with their pools loaded."""

    taken: Mapping[int, int]
    pool_taken: Mapping[int, int]

    def left(self, pass_type: PassType) -> Left:
        """The one availability rule: the tightest of the pass's capacity and its pools."""
        limits = []
        if pass_type.capacity is not None:
            limits.append(Left(pass_type.capacity - self.taken.get(pass_type.pk, 0)))
        limits += [
            Left(pool.capacity - self.pool_taken.get(pool.pk, 0), pool.name)
            for pool in pass_type.pools.all()
        ]
        if not limits:
            return Left(None)
        tightest = min(limits, key=lambda limit: limit.count)
        return Left(max(tightest.count, 0), tightest.limited_by)

    def fits(self, pass_types: Iterable[PassType], wanted: Mapping[int, int]) -> bool:
        """Whether `wanted` (passes by pass type) fits every row it draws on at once: a pool
        shared by two of the pass types must have room for both quantities together."""
        pass_types = list(pass_types)
        wanted_of_pool: dict[int, int] = {}
        pools = {}
        for pass_type in pass_types:
            if pass_type.capacity is not None and (
                self.taken.get(pass_type.pk, 0) + wanted[pass_type.pk] > pass_type.capacity
            ):
                return False
            for pool in pass_type.pools.all():
                pools[pool.pk] = pool
                wanted_of_pool[pool.pk] = wanted_of_pool.get(pool.pk, 0) + wanted[pass_type.pk]
        return all(
            self.pool_taken.get(pk, 0) + wanted_of_pool[pk] <= pool.capacity
            for pk, pool in pools.items()
        )


def stock(pass_types: Iterable[PassType], *, now: dt.datetime) -> Stock:
    """What is taken of `pass_types` and their pools at `now`: two queries, whatever the count."""
    pass_types = list(pass_types)
    pool_ids = {pool.pk for pass_type in pass_types for pool in pass_type.pools.all()}
    return Stock(
        taken=passes_taken([pass_type.pk for pass_type in pass_types], now=now),
        pool_taken=pool_seats_taken(pool_ids, now=now) if pool_ids else {},
    )


# --- locking -----------------------------------------------------------------------------------


def set_lock_timeout() -> None:
    """Bound how long this transaction waits for any row lock (PostgreSQL; other databases
    serialize writers anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)",
                [f"{settings.GREENROOM_INVENTORY_LOCK_TIMEOUT_MS}ms"],
            )


def is_lock_timeout(error: OperationalError) -> bool:
    """Whether `error` is the lock timeout running out (rather than a real failure)."""
    return getattr(getattr(error, "__cause__", None), "sqlstate", None) == LOCK_NOT_AVAILABLE


def lock_inventory(pass_types: QuerySet[PassType]) -> list[PassType]:
    """Lock the shared pools `pass_types` draw on, then the pass types, each by id; returns the
    locked pass types (pools and price phases loaded), in id order.

    Call inside a transaction, after `set_lock_timeout()`. Narrow `pass_types` to the rows an
    order draws on, and to its event: a lock taken is held until the transaction ends.
    """
    members = PassType.pools.through.objects.filter(passtype_id__in=pass_types.values("pk"))
    list(
        InventoryPool.objects.select_for_update()
        .filter(pk__in=Subquery(members.values("inventorypool_id")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(
        pass_types.select_for_update(of=("self",))
        .order_by("pk")
        .prefetch_related("pools", "phases")
    )
