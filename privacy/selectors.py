"""Reads of the privacy app: what is held about a person, their consents, what retention is due."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from events.models import Event
from privacy.models import Consent, ConsentPurpose
from tickets.models import Order, Ticket, TicketStatus


def personal_data(user) -> dict:
    """Everything Greenroom holds about a signed-in person, for their data export.

    Only orders linked to the account count as theirs, not guest orders placed with the same
    e-mail address: account e-mail addresses are not verified, so including those would hand
    a stranger's orders (attendees' names, ticket codes that open the door) to whoever
    registers with that address.
    """
    return {
        "exported_at": timezone.now(),
        "account": user,
        "orders": Order.objects.filter(user=user)
        .select_related("event", "promo_code")
        .prefetch_related("lines__pass_type", "payments", "refunds")
        .order_by("created_at", "pk"),
        "tickets": Ticket.objects.filter(order__user=user)
        .select_related("pass_type", "order__event")
        .order_by("order__created_at", "pk"),
        "bookmarks": user.bookmarks.select_related("session__event").order_by("created_at", "pk"),
        "consents": Consent.objects.filter(user=user).order_by("recorded_at", "pk"),
        "api_tokens": Token.objects.filter(user=user),
    }


@dataclass(frozen=True)
class ConsentState:
    """A purpose and the person's current answer (None when they never answered)."""

    purpose: str
    description: str
    granted: bool | None
    recorded_at: dt.datetime | None

    @classmethod
    def of(cls, purpose: str, latest: Consent | None) -> "ConsentState":
        return cls(
            purpose=purpose,
            description=ConsentPurpose(purpose).label,
            granted=latest.granted if latest else None,
            recorded_at=latest.recorded_at if latest else None,
        )


def current_consents(user) -> list[ConsentState]:
    """Every purpose with the person's latest answer: the latest row wins."""
    latest: dict[str, Consent] = {}
    for consent in Consent.objects.filter(user=user).order_by("purpose", "-recorded_at", "-pk"):
        latest.setdefault(consent.purpose, consent)
    return [ConsentState.of(purpose, latest.get(purpose)) for purpose in ConsentPurpose.values]


def events_not_ended(events: QuerySet[Event], *, now: dt.datetime) -> list[int]:
    """Ids of those events whose last local day has not ended at `now`."""
    return [event.pk for event in events if event.ends_at > now]


def future_valid_tickets(tickets: QuerySet[Ticket], *, now: dt.datetime) -> QuerySet[Ticket]:
    """The valid ones among `tickets` for events that have not ended yet."""
    events = Event.objects.filter(pk__in=tickets.values("order__event_id"))
    return tickets.filter(
        status=TicketStatus.VALID, order__event_id__in=events_not_ended(events, now=now)
    )


@dataclass(frozen=True)
class ErasurePreview:
    """What erasing an account would do, told to the person before they confirm."""

    orders: int
    future_tickets: int


def erasure_preview(user, *, now: dt.datetime | None = None) -> ErasurePreview:
    now = now or timezone.now()
    tickets = Ticket.objects.filter(order__user=user)
    return ErasurePreview(
        orders=Order.objects.filter(user=user).count(),
        future_tickets=future_valid_tickets(tickets, now=now).count(),
    )


def events_past_retention(*, now: dt.datetime, days: int) -> list[Event]:
    """Events that ended (at midnight after their last day, in their own zone) more than
    `days` days before `now` and still have orders holding personal data."""
    horizon = now - dt.timedelta(days=days)
    # An event's end is its last date plus one day at local midnight, which no zone puts
    # earlier than 10:00 UTC on the last date: so `end_date <= horizon's date` is a safe
    # indexed pre-filter, and the exact check is done per event in its zone.
    candidates = Event.objects.filter(
        Exists(Order.objects.filter(event=OuterRef("pk"), personal_data_erased_at__isnull=True)),
        end_date__lte=horizon.date(),
    ).order_by("end_date", "pk")
    return [event for event in candidates if event.ends_at <= horizon]
