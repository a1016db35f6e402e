"""Writes and rules of the events app: where a session may sit in an event, slugs, roles."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db.models import Model
from django.utils.text import slugify

from events.exceptions import EventsError
from events.models import Session
from events.selectors import sessions_overlapping

ORGANIZERS_GROUP = "Organizers"


def check_session_slot(*, session: Session) -> None:
    """Raise EventsError unless the session lies inside its event's days on a free stage.

    The caller holds a lock on the stage row when it means to save, so two organizers cannot
    book the same slot at once (see agenda.services.schedule_session).
    """
    event = session.event
    if session.stage.event_id != event.pk:
        raise EventsError(
            f"{session.stage.name} is a stage of another event, not of {event.name}.",
            field="stage",
            code="stage_not_in_event",
        )
    if session.ends_at <= session.starts_at:
        raise EventsError(
            "A session must end after it starts.", field="ends_at", code="session_ends_before_start"
        )
    if session.starts_at < event.starts_at or session.ends_at > event.ends_at:
        raise EventsError(
            f"“{session.title}” must lie within {event.name}, {event.start_date:%d %b %Y} to "
            f"{event.end_date:%d %b %Y} ({event.time_zone}).",
            field="starts_at",
            code="session_outside_event",
        )
    clash = (
        sessions_overlapping(starts_at=session.starts_at, ends_at=session.ends_at)
        .filter(stage=session.stage_id)
        .exclude(pk=session.pk)
        .select_related("event")
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise EventsError(
            f"{session.stage.name} already has “{clash.title}” at {clash.local_slot_label()}.",
            field="stage",
            code="stage_clash",
        )


def unique_slug(model: type[Model], value: str, *, max_length: int = 200, **scope) -> str:
    """A slug of `value` not yet taken in `model` (within `scope`), suffixed -2, -3… if needed."""
    base = slugify(value)[:max_length] or "item"
    taken = set(
        model._default_manager.filter(slug__startswith=base, **scope).values_list("slug", flat=True)
    )
    candidate, counter = base, 2
    while candidate in taken:
        suffix = f"-{counter}"
        candidate, counter = f"{base[: max_length - len(suffix)]}{suffix}", counter + 1
    return candidate


def ensure_organizers_group() -> Group:
    """The group whose members run events in the admin: every permission on Greenroom's apps."""
    group, _ = Group.objects.get_or_create(name=ORGANIZERS_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label__in=settings.GREENROOM_ORGANIZER_APPS
    )
    group.permissions.add(*permissions)
    return group
