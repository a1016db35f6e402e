"""Deletion bookkeeping for delta sync of the passes list (see events.signals for why)."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from events.models import TombstoneKind
from events.services import record_deletion
from tickets.models import PassType


@receiver(post_delete, sender=PassType, dispatch_uid="tickets.pass_type_deleted")
def pass_type_deleted(sender, instance: PassType, **kwargs) -> None:
    record_deletion(kind=TombstoneKind.PASS_TYPE, object_id=instance.pk, event_id=instance.event_id)
