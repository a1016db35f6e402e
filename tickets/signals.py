"""Deletion bookkeeping for delta sync of the passes list (see agenda.signals for why signals)."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from core.services import record_deletion
from tickets.models import PASS_TYPE_DELETED, PassType


@receiver(post_delete, sender=PassType, dispatch_uid="tickets.pass_type_deleted")
def pass_type_deleted(sender, instance: PassType, **kwargs) -> None:
    record_deletion(kind=PASS_TYPE_DELETED, object_id=instance.pk, event_id=instance.event_id)
