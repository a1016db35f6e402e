"""Deletion bookkeeping for delta sync, and the stored agenda versions, by what agenda.changes
declares.

Signals rather than services because deletes and edits arrive by many paths (admin bulk
delete and actions, cascades from an event, a stage or a session, a speaker rewrite, a tag
taken off, an import, a profile edited in the portal) that no single service sees; Django
sends post_save and pre_delete for each row, m2m_changed for sessions' tags, and core's
rows_updated for each QuerySet.update().
"""

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from agenda import changes
from agenda.services import move_agenda_versions
from core.models import Tombstone, rows_updated
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


# --- stored agenda versions ---------------------------------------------------------------


def _direct_field(model: type[Model], lookup: str) -> str | None:
    """The attribute of a row holding the event id `lookup` reaches, when it is on the row."""
    if lookup == "pk":
        return "pk"
    if "__" in lookup:
        return None
    return model._meta.get_field(lookup).attname


def _events_of_rows(model: type[Model], lookups, pks, using: str) -> set[int]:
    rows = model._base_manager.using(using).filter(pk__in=pks)
    found: set[int] = set()
    for lookup in lookups:
        found.update(rows.values_list(lookup, flat=True))
    return found


def _events_of_instance(instance: Model, lookups, using: str) -> set[int]:
    model = type(instance)
    found: set[int] = set()
    for lookup in lookups:
        attribute = _direct_field(model, lookup)
        if attribute:
            found.add(getattr(instance, attribute))
        else:
            found |= _events_of_rows(model, [lookup], [instance.pk], using)
    return found


def _watch(model: type[Model], lookups: set[str]) -> None:
    """Move the versions of the events a row of `model` reaches, whenever one is written."""
    uid = f"agenda.version.{model._meta.label_lower}"

    def before_save(sender, instance, raw=False, using=None, **kwargs) -> None:
        # Where the row was: a session moved to another event leaves the first one changed.
        if not raw and not instance._state.adding and instance.pk is not None:
            instance._agenda_events_before = _events_of_rows(model, lookups, [instance.pk], using)

    def saved(sender, instance, raw=False, using=None, **kwargs) -> None:
        before = instance.__dict__.pop("_agenda_events_before", set())
        move_agenda_versions(before | _events_of_instance(instance, lookups, using), using=using)

    def deleting(sender, instance, using=None, **kwargs) -> None:
        # Before the delete, while the rows that lead to the events are still there.
        move_agenda_versions(_events_of_instance(instance, lookups, using), using=using)

    def updated(sender, pks, using, **kwargs) -> None:
        move_agenda_versions(_events_of_rows(model, lookups, pks, using), using=using)

    pre_save.connect(before_save, sender=model, weak=False, dispatch_uid=f"{uid}.before_save")
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"{uid}.saved")
    rows_updated.connect(updated, sender=model, weak=False, dispatch_uid=f"{uid}.updated")
    # Tombstones are a log only ever appended to: purging old ones changes no answer (older
    # deltas are refused with 410), and a delete receiver would keep the purge from being
    # one DELETE.
    if model is not Tombstone:
        pre_delete.connect(deleting, sender=model, weak=False, dispatch_uid=f"{uid}.deleting")


def _watch_links(through: type[Model], lookups: set[str]) -> None:
    """Move the versions of the events of the rows a many-to-many change links or unlinks."""

    def linked(sender, instance, action: str, pk_set, using=None, **kwargs) -> None:
        if action not in ("post_add", "pre_remove", "pre_clear"):
            return
        near = next(f for f in through._meta.fields if f.related_model is type(instance))
        far = next(f for f in through._meta.fields if f.is_relation and f is not near)
        links = through._base_manager.using(using).filter(**{near.attname: instance.pk})
        if pk_set is not None:
            links = links.filter(**{f"{far.attname}__in": pk_set})
        found: set[int] = set()
        for lookup in lookups:
            found.update(links.values_list(lookup, flat=True))
        move_agenda_versions(found, using=using)

    m2m_changed.connect(
        linked,
        sender=through,
        weak=False,
        dispatch_uid=f"agenda.version.{through._meta.label_lower}",
    )


for _model, _lookups in changes.watched_rows().items():
    if _model._meta.auto_created:
        _watch_links(_model, _lookups)
    else:
        _watch(_model, _lookups)
