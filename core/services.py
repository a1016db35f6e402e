"""Writes of core: tombstones of deleted items."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from core.models import Tombstone
from core.tombstones import KINDS


def record_deletion(*, kind: str, object_id: int, event_id: int) -> Tombstone:
    """Remember that an item apps may hold offline is gone, so delta sync can report it."""
    if kind not in KINDS:
        raise LookupError(f"{kind!r} is not a registered tombstone kind.")
    return Tombstone.objects.create(
        kind=kind, object_id=object_id, event_id=event_id, deleted_at=timezone.now()
    )


def purge_old_tombstones() -> int:
    """Forget deletions older than the retention window; returns how many were dropped."""
    horizon = timezone.now() - dt.timedelta(days=settings.GREENROOM_TOMBSTONE_DAYS)
    deleted, _ = Tombstone.objects.filter(deleted_at__lt=horizon).delete()
    return deleted
