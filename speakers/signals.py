"""Deletion bookkeeping for delta sync: a speaker leaving an event's lineup (see events.signals)."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from events.models import TombstoneKind
from events.services import record_deletion
from speakers.models import LineupEntry


@receiver(post_delete, sender=LineupEntry, dispatch_uid="speakers.lineup_entry_deleted")
def lineup_entry_deleted(sender, instance: LineupEntry, **kwargs) -> None:
    record_deletion(
        kind=TombstoneKind.SPEAKER, object_id=instance.speaker_id, event_id=instance.event_id
    )
