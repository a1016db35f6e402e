"""The rows an inventory writer works with, read in one statement.

Placing an order, issuing comps and keeping a late payment need each pass type with its
counter, its shared pools with theirs, and its price phases. Through the ORM that is three
queries (a join and two prefetches), and building them cost more CPU than anything else in an
order: 2.4 ms of the 8 an order took in-process. Here it is one hand-written statement that
nests the pools and the phases as JSON arrays (0.5 ms), read without a lock: the counters'
conditional UPDATE (tickets/inventory.py) is what decides.

What comes back are ordinary model instances with those relations where Django keeps
prefetched rows, so `pass_type.pools.all()`, `pass_type.phases.all()` and `pass_type.counter`
cost no query downstream.
"""

import datetime as dt
import functools
import json
from collections.abc import Iterable

from django.db import connection, models

from core.prefetched import keep_as_prefetched
from tickets.models import InventoryCounter, InventoryPool, PassType, PricePhase

# Each database's functions for "a JSON array of one JSON object per row".
JSON_FUNCTIONS = {
    "postgresql": ("json_agg", "json_build_object"),
    "sqlite": ("json_group_array", "json_object"),
}
COUNTED = "counted"  # the counter's `taken`, nested beside a pool's own columns


def pass_types_for_writing(pass_type_ids: Iterable[int], *, event_id: int | None = None):
    """The pass types of `pass_type_ids` (of `event_id`, when given), by id, each with its
    counter (`pass_type.counter`), its pools with theirs (`pool.counter`) and its phases.

    A missing counter reads as InventoryCounter.DoesNotExist, as through the ORM."""
    ids = sorted(set(pass_type_ids))
    if not ids:
        return []
    sql = _statement(connection.vendor, len(ids), with_event=event_id is not None)
    params = [*ids, event_id] if event_id is not None else ids
    pass_types = list(PassType.objects.raw(sql, params))
    for pass_type in pass_types:
        pools = [_pool(row) for row in _json_array(pass_type.pools_loaded)]
        phases = [_from_json(PricePhase, row) for row in _json_array(pass_type.phases_loaded)]
        keep_as_prefetched(pass_type, pools=pools, phases=phases)
        _keep_counter(pass_type, pass_type.counted, pass_type=pass_type)
        del pass_type.pools_loaded, pass_type.phases_loaded, pass_type.counted
    return pass_types


@functools.cache
def _statement(vendor: str, count: int, *, with_event: bool) -> str:
    array, row = JSON_FUNCTIONS[vendor]
    quote = connection.ops.quote_name
    counters = quote(InventoryCounter._meta.db_table)
    pool_columns = _columns(InventoryPool, "p")
    phase_columns = _columns(PricePhase, "ph")
    through = PassType.pools.through._meta
    member = quote(through.get_field("passtype").column)
    pool_member = quote(through.get_field("inventorypool").column)
    placeholders = ", ".join(["%s"] * count)
    return (
        # Only our models' quoted table and column names are formatted in; values are bound.
        f"SELECT pt.*, c.taken AS {COUNTED},"  # noqa: S608  # nosec B608
        f" (SELECT {array}({row}({pool_columns}, '{COUNTED}', pc.taken))"
        f"   FROM {quote(through.db_table)} m"
        f"   JOIN {quote(InventoryPool._meta.db_table)} p ON p.id = m.{pool_member}"
        f"   LEFT JOIN {counters} pc ON pc.pool_id = p.id"
        f"  WHERE m.{member} = pt.id) AS pools_loaded,"
        f" (SELECT {array}({row}({phase_columns}))"
        f"   FROM {quote(PricePhase._meta.db_table)} ph"
        f"  WHERE ph.pass_type_id = pt.id) AS phases_loaded"
        f" FROM {quote(PassType._meta.db_table)} pt"
        f" LEFT JOIN {counters} c ON c.pass_type_id = pt.id"
        f" WHERE pt.id IN ({placeholders})"
        + (" AND pt.event_id = %s" if with_event else "")
        + " ORDER BY pt.id"
    )


def _columns(model: type[models.Model], alias: str) -> str:
    """`'column', alias.column` pairs of the model's columns, for a JSON object."""
    quote = connection.ops.quote_name
    return ", ".join(
        f"'{field.column}', {alias}.{quote(field.column)}" for field in model._meta.concrete_fields
    )


def _json_array(value) -> list[dict]:
    """A nested array as the driver hands it over: parsed (psycopg), text (SQLite), or NULL
    for no rows (PostgreSQL's json_agg)."""
    if isinstance(value, str):
        return json.loads(value)
    return value or []


def _pool(row: dict) -> InventoryPool:
    pool = _from_json(InventoryPool, row)
    _keep_counter(pool, row[COUNTED], pool=pool)
    return pool


def _keep_counter(owner: models.Model, taken: int | None, **owned_by) -> None:
    """The counter as `owner.counter` reads it; None (no counter row) reads as DoesNotExist."""
    counter = None if taken is None else InventoryCounter(taken=taken, **owned_by)
    type(owner).counter.related.set_cached_value(owner, counter)


def _from_json(model: type[models.Model], row: dict) -> models.Model:
    fields = model._meta.concrete_fields
    return model.from_db(
        connection.alias,
        [field.attname for field in fields],
        [_value(field, row[field.column]) for field in fields],
    )


def _value(field: models.Field, raw):
    if raw is None:
        return None
    if isinstance(field, models.DateTimeField):
        # PostgreSQL writes an offset; SQLite stores UTC without one.
        moment = dt.datetime.fromisoformat(raw)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return field.to_python(raw)
