"""Deletion bookkeeping for delta sync, by the kinds agenda.changes declares.

Signals rather than services because deletes arrive by many paths (admin bulk delete, cascades
from an event, a stage or a session, a speaker rewrite, a tag taken off) that no single service
sees; Django sends post_delete for each row (and m2m_changed for sessions' tags).
"""

from django.db.models.signals import m2m_changed, post_delete, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from agenda import changes
from core.services import record_deletion
from events.models import Session, Stage, Tag
from speakers.models import LineupEntry, SessionSpeaker, Speaker, SpeakerLink


def _event_of_session(session_id: int) -> int | None:
    # A session's dependent rows are deleted before the session itself, so it is still there.
    return Session.objects.filter(pk=session_id).values_list("event_id", flat=True).first()


@receiver(post_delete, sender=Session, dispatch_uid="agenda.session_deleted")
def session_deleted(sender, instance: Session, **kwargs) -> None:
    record_deletion(kind=changes.SESSION_DELETED, object_id=instance.pk, event_id=instance.event_id)


@receiver(post_delete, sender=Stage, dispatch_uid="agenda.stage_deleted")
def stage_deleted(sender, instance: Stage, **kwargs) -> None:
    record_deletion(kind=changes.STAGE_DELETED, object_id=instance.pk, event_id=instance.event_id)


@receiver(post_delete, sender=LineupEntry, dispatch_uid="agenda.lineup_entry_deleted")
def lineup_entry_deleted(sender, instance: LineupEntry, **kwargs) -> None:
    record_deletion(
        kind=changes.LINEUP_ENTRY_DELETED, object_id=instance.speaker_id, event_id=instance.event_id
    )


@receiver(post_delete, sender=SessionSpeaker, dispatch_uid="agenda.session_speaker_deleted")
def session_speaker_deleted(sender, instance: SessionSpeaker, **kwargs) -> None:
    event_id = _event_of_session(instance.session_id)
    if event_id is not None:
        record_deletion(
            kind=changes.SPEAKER_LEFT_SESSION, object_id=instance.speaker_id, event_id=event_id
        )


def _record_tags_left(pairs) -> None:
    """Record (tag id, event id) pairs: a tag taken off a session of that event."""
    for tag_id, event_id in set(pairs):
        record_deletion(kind=changes.TAG_LEFT_SESSION, object_id=tag_id, event_id=event_id)


@receiver(m2m_changed, sender=Session.tags.through, dispatch_uid="agenda.session_tags_changed")
def session_tags_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    # Django sends no delete signals for the rows of an automatic many-to-many table, only these.
    if action not in ("pre_remove", "pre_clear"):
        return
    links = Session.tags.through.objects.filter(**{"tag" if reverse else "session": instance})
    if action == "pre_remove":
        links = links.filter(**{"session__in" if reverse else "tag__in": pk_set})
    _record_tags_left(links.values_list("tag_id", "session__event_id"))


@receiver(pre_delete, sender=Session, dispatch_uid="agenda.session_tags_deleted")
@receiver(pre_delete, sender=Tag, dispatch_uid="agenda.tag_sessions_deleted")
def tagged_row_deleted(sender, instance, **kwargs) -> None:
    # Before the delete: afterwards the links of the session (or tag) are gone.
    key = "session" if sender is Session else "tag"
    links = Session.tags.through.objects.filter(**{key: instance})
    _record_tags_left(links.values_list("tag_id", "session__event_id"))


@receiver(post_delete, sender=SpeakerLink, dispatch_uid="agenda.speaker_link_deleted")
def speaker_link_deleted(sender, instance: SpeakerLink, **kwargs) -> None:
    # A removed public link touches its speaker: the link row has no `updated_at` left.
    Speaker.objects.filter(pk=instance.speaker_id).update(updated_at=timezone.now())
