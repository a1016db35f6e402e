"""Deletion bookkeeping for delta sync.

Signals rather than services because deletes arrive by many paths (admin bulk delete, cascades
from an event or stage) that no single service sees; Django sends post_delete for each row.
"""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from events.models import Session, Stage, TombstoneKind
from events.services import record_deletion


@receiver(post_delete, sender=Session, dispatch_uid="events.session_deleted")
def session_deleted(sender, instance: Session, **kwargs) -> None:
    record_deletion(kind=TombstoneKind.SESSION, object_id=instance.pk, event_id=instance.event_id)


@receiver(post_delete, sender=Stage, dispatch_uid="events.stage_deleted")
def stage_deleted(sender, instance: Stage, **kwargs) -> None:
    record_deletion(kind=TombstoneKind.STAGE, object_id=instance.pk, event_id=instance.event_id)
