"""Change bookkeeping for delta sync and ETags (see events.signals for why signals).

A speaker leaving an event's lineup leaves a tombstone; a removed public link touches its
speaker, since a deleted row has no `updated_at` left to compare.
"""

from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from events.models import TombstoneKind
from events.services import record_deletion
from speakers.models import LineupEntry, Speaker, SpeakerLink


@receiver(post_delete, sender=LineupEntry, dispatch_uid="speakers.lineup_entry_deleted")
def lineup_entry_deleted(sender, instance: LineupEntry, **kwargs) -> None:
    record_deletion(
        kind=TombstoneKind.SPEAKER, object_id=instance.speaker_id, event_id=instance.event_id
    )


@receiver(post_delete, sender=SpeakerLink, dispatch_uid="speakers.speaker_link_deleted")
def speaker_link_deleted(sender, instance: SpeakerLink, **kwargs) -> None:
    Speaker.objects.filter(pk=instance.speaker_id).update(updated_at=timezone.now())
