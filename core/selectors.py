"""Reads of core: what was deleted since a sync point."""

import datetime as dt

from core.models import Tombstone


def deleted_ids(*, event_id: int, kind: str, since: dt.datetime) -> set[int]:
    """Ids of items of `kind` deleted from the event after `since`."""
    return set(
        Tombstone.objects.filter(event_id=event_id, kind=kind, deleted_at__gt=since).values_list(
            "object_id", flat=True
        )
    )
