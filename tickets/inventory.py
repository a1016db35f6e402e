"""The inventory engine: what counts as taken, what is left, and the one write that takes it.

Every part of the project that asks "is there room?" asks here: placing an order, issuing
comps, keeping a payment that arrived after its hold, the passes list and the admin. A pass
type draws on its own capacity (if it has one) and on every shared pool it belongs to; what is
left of it is the tightest of those limits.

Reads (the passes list, the admin, reports) count orders: passes sold, and passes held by
pending orders whose hold has not ended.

Writes go through counters (`InventoryCounter`, one row per pass type and per shared pool), so
the inventory lock is as short as it can be. A writer inserts its order rows first, then, as
the last statement before COMMIT, runs one conditional UPDATE per counter it draws on:

    UPDATE tickets_inventorycounter SET taken = taken + n
     WHERE pass_type_id = %s AND taken + n <= capacity RETURNING taken

The row lock lasts from that UPDATE to the commit; a counter without room updates nothing,
and the writer rolls back. Counters are changed in one global order, so two writers never
deadlock: the shared pools' counters by pool id, then the pass types' by pass type id. A lock
not had within GREENROOM_INVENTORY_LOCK_TIMEOUT_MS is "busy, try again", never an oversell.

A counter counts the passes of pending orders until their hold is *released* (expired by the
beat task or by a writer that found no room, or cancelled), of paid orders, and of refunded
ones when refunds keep passes sold: every service that moves an order in or out of those
states changes the counters in the same transaction (`take`, `give_back`). So a counter may
say "full" while a hold has ended unreleased, never "room" when there is none; before
answering sold out, a writer releases the ended holds and checks the counters against the
orders (`verified_stock`), repairing any drift. The beat task `check_inventory_counters` and
`manage.py reconcile_inventory` run the same check for every counter.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from tickets.models import (
    InventoryCounter,
    InventoryPool,
    Order,
    OrderLine,
    OrderStatus,
    PassType,
)

logger = logging.getLogger(__name__)

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


def counted_statuses() -> list[str]:
    """Order statuses whose passes the counters count: pending ones until their hold is
    released, and those whose passes are not for sale again."""
    return [OrderStatus.PENDING, *holding_statuses()]


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


# --- counters: the write side ------------------------------------------------------------------


class NoRoomCounted(Exception):
    """The counters show no room for `wanted` (passes by pass type), or one is missing.

    Whoever catches it rolls back what it wrote, then asks `verified_stock` (after releasing
    ended holds) before it answers sold out.
    """

    def __init__(self, pass_types: list[PassType], wanted: Mapping[int, int]) -> None:
        super().__init__("no room on the counters")
        self.pass_types = pass_types
        self.wanted = dict(wanted)


class CountersMoved(Exception):
    """What `take` returned (the stock just before, exact) gives the write other terms than
    the estimate it was written with (a price phase, a hold): roll back and write it again."""


def counted_stock(pass_types: list[PassType], wanted: Mapping[int, int]) -> Stock:
    """What the counters of `pass_types` (from sale_rows.pass_types_for_writing) held when
    read.

    Read without a lock, so an estimate that `take` confirms or refutes. Raises NoRoomCounted
    when `wanted` does not fit it, or when a counter does not exist yet.
    """
    try:
        stock = Stock(
            taken={pass_type.pk: pass_type.counter.taken for pass_type in pass_types},
            pool_taken={
                pool.pk: pool.counter.taken
                for pass_type in pass_types
                for pool in pass_type.pools.all()
            },
        )
    except InventoryCounter.DoesNotExist:
        raise NoRoomCounted(pass_types, wanted) from None
    if not stock.fits(pass_types, wanted):
        raise NoRoomCounted(pass_types, wanted)
    return stock


def take(pass_types: list[PassType], wanted: Mapping[int, int]) -> Stock:
    """Count `wanted` (passes by pass type; `pass_types` loaded by
    sale_rows.pass_types_for_writing) on every
    counter it draws on, each with one conditional UPDATE that never passes a capacity, in the
    lock order. Returns the stock as it was just before: exact, since the counters are locked.

    Run it as the transaction's last statement: each counter stays locked until the commit.
    Raises NoRoomCounted when a counter has no room (or is missing); counters changed before
    it stay changed, so the caller must roll back.
    """
    pools: dict[int, InventoryPool] = {}
    pool_wanted: dict[int, int] = {}
    for pass_type in pass_types:
        for pool in pass_type.pools.all():
            pools[pool.pk] = pool
            pool_wanted[pool.pk] = pool_wanted.get(pool.pk, 0) + wanted[pass_type.pk]
    pool_taken = {}
    for pk in sorted(pool_wanted):
        after = _count("pool_id", pk, pool_wanted[pk], capacity=pools[pk].capacity)
        if after is None:
            raise NoRoomCounted(pass_types, wanted)
        pool_taken[pk] = after - pool_wanted[pk]
    taken = {}
    for pass_type in sorted(pass_types, key=lambda pass_type: pass_type.pk):
        quantity = wanted[pass_type.pk]
        after = _count("pass_type_id", pass_type.pk, quantity, capacity=pass_type.capacity)
        if after is None:
            raise NoRoomCounted(pass_types, wanted)
        taken[pass_type.pk] = after - quantity
    return Stock(taken=taken, pool_taken=pool_taken)


def give_back(order_ids: Iterable[int]) -> None:
    """Uncount the passes of orders that stopped taking inventory (their hold was released,
    they were cancelled, or refunded when refunds return passes), in the lock order.

    Call in the transaction that moves the orders, after they are locked or moved.
    """
    wanted = dict(
        OrderLine.objects.filter(order_id__in=list(order_ids))
        .values("pass_type_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("pass_type_id", "quantity")
    )
    if not wanted:
        return
    pool_wanted: dict[int, int] = {}
    members = PassType.pools.through.objects.filter(passtype_id__in=wanted)
    for pool_id, pass_type_id in members.values_list("inventorypool_id", "passtype_id"):
        pool_wanted[pool_id] = pool_wanted.get(pool_id, 0) + wanted[pass_type_id]
    for pk in sorted(pool_wanted):
        _count("pool_id", pk, -pool_wanted[pk])
    for pk in sorted(wanted):
        _count("pass_type_id", pk, -wanted[pk])


def _count(column: str, key: int, change: int, *, capacity: int | None = None) -> int | None:
    """Add `change` to the counter whose `column` is `key`, unless that would pass `capacity`
    (a release never goes below zero); returns the new count, or None when nothing changed."""
    table = connection.ops.quote_name(InventoryCounter._meta.db_table)
    if change < 0:
        # Never below zero: a counter that had drifted low is found and repaired by the check.
        sql = f"SET taken = CASE WHEN taken > %s THEN taken - %s ELSE 0 END WHERE {column} = %s"
        params = [-change, -change, key]
    elif capacity is None:
        sql = f"SET taken = taken + %s WHERE {column} = %s"
        params = [change, key]
    else:
        sql = f"SET taken = taken + %s WHERE {column} = %s AND taken + %s <= %s"
        params = [change, key, change, capacity]
    with connection.cursor() as cursor:
        # SQLite has RETURNING since 3.35; PostgreSQL rechecks the WHERE on the row version it
        # waited for, so two writers can never both pass the capacity.
        cursor.execute(f"UPDATE {table} {sql} RETURNING taken", params)
        row = cursor.fetchone()
    return row[0] if row else None


# --- counters: the check against the orders ----------------------------------------------------


@dataclass(frozen=True)
class Drift:
    """A counter that disagreed with the orders: what it held (None: there was no counter)
    and what the orders say."""

    pass_type_id: int | None
    pool_id: int | None
    counted: int | None
    recounted: int

    def __str__(self) -> str:
        what = f"pass type {self.pass_type_id}" if self.pass_type_id else f"pool {self.pool_id}"
        held = "no counter" if self.counted is None else f"counter {self.counted}"
        return f"{what}: {held}, orders {self.recounted}"


def verified_stock(pass_types: list[PassType]) -> Stock:
    """The exact stock of `pass_types` (loaded with their pools): their counters checked
    against the orders, each missing one created and each that drifted repaired (and logged).

    What a writer asks when `take` found no room, after releasing the holds that have ended.
    """
    pass_type_ids = {pass_type.pk for pass_type in pass_types}
    pool_ids = {pool.pk for pass_type in pass_types for pool in pass_type.pools.all()}
    counters = _counters_recounted(pass_type_ids, pool_ids)
    if len(counters) < len(pass_type_ids) + len(pool_ids) or any(
        counter.taken != counter.recounted for counter in counters
    ):
        counters, drift = repair_counters(pass_type_ids, pool_ids)
        for found in drift:
            if found.counted is not None:
                logger.warning("Inventory counter repaired: %s", found)
    return Stock(
        taken={c.pass_type_id: c.recounted for c in counters if c.pass_type_id},
        pool_taken={c.pool_id: c.recounted for c in counters if c.pool_id},
    )


def find_drift(pass_type_ids: Iterable[int], pool_ids: Iterable[int]) -> list[Drift]:
    """The counters of these pass types and pools that disagree with the orders, and those
    missing where orders take passes; reads only, without a lock."""
    pass_type_ids, pool_ids = set(pass_type_ids), set(pool_ids)
    drift = []
    for counter in _counters_recounted(pass_type_ids, pool_ids):
        pass_type_ids.discard(counter.pass_type_id)
        pool_ids.discard(counter.pool_id)
        if counter.taken != counter.recounted:
            drift.append(_drift(counter, counter.taken))
    if pass_type_ids or pool_ids:
        lines = OrderLine.objects.filter(order__status__in=counted_statuses())
        by_pass_type = _sums(lines, "pass_type_id", pass_type_ids)
        by_pool = _sums(lines, "pass_type__pools", pool_ids)
        drift += [Drift(pk, None, None, by_pass_type[pk]) for pk in sorted(by_pass_type)]
        drift += [Drift(None, pk, None, by_pool[pk]) for pk in sorted(by_pool)]
    return drift


def repair_counters(
    pass_type_ids: Iterable[int], pool_ids: Iterable[int]
) -> tuple[list[InventoryCounter], list[Drift]]:
    """Make the counters of these pass types and pools agree with the orders, creating those
    missing; returns the counters as they are now, and the drift that was repaired.

    Locks the counters in the lock order, then recounts in a new statement: every writer that
    changed a counter has committed by then, and none can change one until this commits, so
    the recount and the counter describe the same orders.
    """
    pass_type_ids, pool_ids = sorted(set(pass_type_ids)), sorted(set(pool_ids))
    with transaction.atomic():
        existing = set(
            InventoryCounter.objects.filter(
                Q(pass_type_id__in=pass_type_ids) | Q(pool_id__in=pool_ids)
            ).values_list("pass_type_id", "pool_id")
        )
        created = [(pk, None) for pk in pass_type_ids if (pk, None) not in existing] + [
            (None, pk) for pk in pool_ids if (None, pk) not in existing
        ]
        InventoryCounter.objects.bulk_create(
            [InventoryCounter(pass_type_id=pt, pool_id=pool) for pt, pool in created],
            ignore_conflicts=True,  # made meanwhile by another writer: it is repaired below
        )
        list(
            InventoryCounter.objects.filter(
                Q(pass_type_id__in=pass_type_ids) | Q(pool_id__in=pool_ids)
            )
            .select_for_update()
            .order_by(F("pool_id").asc(nulls_last=True), "pass_type_id")
            .values_list("pk", flat=True)
        )
        counters = _counters_recounted(pass_type_ids, pool_ids)
        drift = []
        for counter in counters:
            if counter.taken != counter.recounted:
                new = (counter.pass_type_id, counter.pool_id) in created
                drift.append(_drift(counter, None if new else counter.taken))
                InventoryCounter.objects.filter(pk=counter.pk).update(taken=counter.recounted)
                counter.taken = counter.recounted
    return counters, drift


def _drift(counter: InventoryCounter, counted: int | None) -> Drift:
    return Drift(counter.pass_type_id, counter.pool_id, counted, counter.recounted)


def _counters_recounted(pass_type_ids, pool_ids) -> list[InventoryCounter]:
    """The counters of these pass types and pools, each with what the orders say
    (`recounted`), in one statement: one snapshot, in which a writer's orders and its counter
    change are both seen or both not."""
    return list(
        InventoryCounter.objects.filter(
            Q(pass_type_id__in=list(pass_type_ids)) | Q(pool_id__in=list(pool_ids))
        ).annotate(
            recounted=Coalesce(
                _lines_counted("pass_type_id", "pass_type_id"),
                _lines_counted("pass_type__pools", "pool_id"),
                0,
            )
        )
    )


def _lines_counted(key: str, outer: str) -> Subquery:
    """Passes of counted orders whose `key` is the outer counter's `outer` column."""
    lines = OrderLine.objects.filter(order__status__in=counted_statuses(), **{key: OuterRef(outer)})
    return Subquery(lines.order_by().values(key).annotate(total=Sum("quantity")).values("total"))


def _sums(lines: QuerySet[OrderLine], key: str, ids: set[int]) -> dict[int, int]:
    rows = lines.filter(**{f"{key}__in": ids}).values(key).annotate(total=Sum("quantity"))
    return {row[key]: row["total"] for row in rows}


# --- locking -----------------------------------------------------------------------------------


def set_lock_timeout(*, advisory_locks: Iterable[int] = ()) -> None:
    """Bound how long this transaction waits for any lock, and take the transaction-scoped
    advisory locks `advisory_locks` (in the order given), in one round trip (PostgreSQL; other
    databases serialize writers anyway)."""
    if connection.vendor != "postgresql":
        return
    keys = list(advisory_locks)
    locks = "".join(", pg_advisory_xact_lock(%s)" for _ in keys)
    with connection.cursor() as cursor:
        # The target list is evaluated left to right: the timeout applies to the locks after it.
        cursor.execute(
            f"SELECT set_config('lock_timeout', %s, true){locks}",
            [f"{settings.GREENROOM_INVENTORY_LOCK_TIMEOUT_MS}ms", *keys],
        )


def is_lock_timeout(error: OperationalError) -> bool:
    """Whether `error` is the lock timeout running out (rather than a real failure)."""
    return getattr(getattr(error, "__cause__", None), "sqlstate", None) == LOCK_NOT_AVAILABLE
