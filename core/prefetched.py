"""Related rows a caller already holds, kept on an instance as if Django had prefetched them."""

from django.db import models


def keep_as_prefetched(instance: models.Model, **related: list) -> None:
    """Keep `related` rows (by relation name) where Django keeps prefetched ones, so
    `instance.<name>.all()` answers them without a query: rows just written, or loaded by a
    hand-written statement. Only for rows known to be all of the relation; later writes to
    those relations do not reach this cache."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in related.items():
        queryset = getattr(instance, name).all()
        queryset._result_cache = rows
        queryset._prefetch_done = True
        cache[name] = queryset
