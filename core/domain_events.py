"""What happened in an event's programme and sales, told to the apps above that act on it.

The services that make a change publish it here; the apps above (outbound webhooks, notices to
people who bookmarked a session) subscribe by registration, so the apps below never import them.

Subscribers run inside the publisher's transaction: each writes its own rows (an outbox of
deliveries, a pending notice) and schedules its Celery work with `transaction.on_commit`, so a
change and what it sets in motion are committed together or not at all.

`data` carries ids and public fields only: it leaves the building in webhooks.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from core.registry import Registry

EVENT_TYPES: dict[str, str] = {
    "order.paid": "An order was paid and its tickets issued.",
    "order.refunded": "An order was refunded, in full or in part.",
    "order.cancelled": "An order was cancelled before it was paid.",
    "ticket.checked_in": "A ticket was admitted at the door.",
    "session.created": "A session was published on the agenda.",
    "session.changed": "A published session moved, changed stage, title or speakers.",
    "session.cancelled": "A published session was cancelled; it stays on the agenda, marked.",
    "schedule.released": "The organizer released a new version of the schedule.",
    "speaker.confirmed": "A speaker accepted their invitation to the event.",
}


@dataclass(frozen=True)
class DomainEvent:
    type: str
    event_id: int
    data: dict
    occurred_at: dt.datetime = field(default_factory=timezone.now)


Subscriber = Callable[[DomainEvent], None]

SUBSCRIBERS: Registry[Subscriber] = Registry("domain event subscribers")


def utc_iso(moment: dt.datetime | None) -> str | None:
    """A time as payloads and snapshots write it: ISO 8601 in UTC with `Z`, to the second, as
    the API writes instants (the event's zone is applied where people read them)."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def publish(event_type: str, *, event_id: int, data: dict) -> DomainEvent:
    """Tell every subscriber, inside the caller's transaction, what happened."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"{event_type!r} is not a domain event type.")
    happened = DomainEvent(type=event_type, event_id=event_id, data=data)
    for subscriber in SUBSCRIBERS:
        subscriber(happened)
    return happened
