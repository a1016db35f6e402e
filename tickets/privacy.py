"""The tickets app's part of data rights: buyers' and attendees' data on orders and tickets.

Erasure keeps what accounting needs (orders, their lines, amounts, payments and refunds, the
order code) and removes who: the buyer's e-mail becomes a placeholder on the reserved
`.invalid` domain, attendees' names and e-mails are blanked on tickets and order lines, the
order is unlinked from the account and stamped `personal_data_erased_at`. Every method is
harmless to run again. Registered with core.personal_data by TicketsConfig.ready().
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Concat, Lower

from core.personal_data import ErasurePreview, ErasureResult, PersonalDataHandler
from events.models import Event
from tickets.api.serializers import OrderRecordSerializer, TicketRecordSerializer
from tickets.models import Order, OrderLine, OrderStatus, Ticket, TicketStatus
from tickets.services.order_states import cancel_order

logger = logging.getLogger(__name__)

ERASED_EMAIL_DOMAIN = "erased.invalid"  # RFC 2606: can never be a real mailbox


class TicketsPersonalData(PersonalDataHandler):
    """Orders placed while signed in, their tickets; guest orders and attendee entries by e-mail.

    Only orders linked to the account are exported as theirs, not guest orders placed with
    the same e-mail address: account e-mail addresses are not verified, so including those
    would hand a stranger's orders (attendees' names, ticket codes that open the door) to
    whoever registers with that address.
    """

    def export_fields(self) -> dict:
        return {
            "orders": OrderRecordSerializer(many=True, help_text="Orders placed while signed in."),
            "tickets": TicketRecordSerializer(many=True, help_text="Tickets of those orders."),
        }

    def export(self, user) -> dict:
        return {
            "orders": Order.objects.filter(user=user)
            .select_related("event", "promo_code")
            .prefetch_related("lines__pass_type", "payments", "refunds")
            .order_by("created_at", "pk"),
            "tickets": Ticket.objects.filter(order__user=user)
            .select_related("pass_type", "order__event")
            .order_by("order__created_at", "pk"),
        }

    def preview_erasure(self, user, *, now: dt.datetime) -> ErasurePreview:
        tickets = Ticket.objects.filter(order__user=user)
        return ErasurePreview(
            orders=Order.objects.filter(user=user).count(),
            future_tickets=future_valid_tickets(tickets, now=now).count(),
        )

    def erase_account(self, user, *, now: dt.datetime) -> ErasureResult:
        order_ids = list(Order.objects.filter(user=user).values_list("pk", flat=True))
        return anonymise_orders(order_ids, now=now, void_future=True)

    def erase_email(self, email: str, *, now: dt.datetime) -> ErasureResult:
        """Orders placed with the address (anonymised, their future tickets voided), and on
        other people's orders the tickets and attendee entries that carry it (blanked, the
        tickets stay valid: they belong to whoever bought them)."""
        order_ids = Order.objects.filter(email__iexact=email).values_list("pk", flat=True)
        result = anonymise_orders(list(order_ids), now=now, void_future=True)
        blanked = _blank(Ticket.objects.filter(attendee_email__iexact=email), now=now)
        _blank_attendee_entries(email)
        return result + ErasureResult(tickets_anonymised=blanked)

    def erase_past_events(self, *, now: dt.datetime, batch_size: int) -> int:
        """Anonymise buyers and attendees of events that ended more than
        GREENROOM_ATTENDEE_RETENTION_DAYS days ago.

        Each batch is its own transaction, so a long backlog neither holds locks for long nor
        loses finished batches if the run stops; the next run picks up where it stopped.
        """
        days = settings.GREENROOM_ATTENDEE_RETENTION_DAYS
        anonymised = 0
        for event in events_past_retention(now=now, days=days):
            while True:
                with transaction.atomic():
                    batch = list(
                        Order.objects.select_for_update()
                        .filter(event=event, personal_data_erased_at__isnull=True)
                        .order_by("pk")
                        .values_list("pk", flat=True)[:batch_size]
                    )
                    if not batch:
                        break
                    result = anonymise_orders(batch, now=now, void_future=False)
                    anonymised += result.orders_anonymised
        if anonymised:
            logger.info("Retention: anonymised %s orders.", anonymised)
        return anonymised


def future_valid_tickets(tickets: QuerySet[Ticket], *, now: dt.datetime) -> QuerySet[Ticket]:
    """The valid ones among `tickets` for events that have not ended yet."""
    events = Event.objects.filter(pk__in=tickets.values("order__event_id"))
    not_ended = [event.pk for event in events if event.ends_at > now]
    return tickets.filter(status=TicketStatus.VALID, order__event_id__in=not_ended)


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


def anonymise_orders(order_ids: list[int], *, now: dt.datetime, void_future: bool) -> ErasureResult:
    """Remove the personal data of these orders and their tickets and lines.

    Pending ones are cancelled first: paid later, they would issue tickets to nobody.
    """
    orders = Order.objects.filter(pk__in=order_ids)
    for pending in orders.filter(status=OrderStatus.PENDING):
        cancel_order(order=pending)
    tickets = Ticket.objects.filter(order_id__in=order_ids)
    voided = 0
    if void_future:
        voided = future_valid_tickets(tickets, now=now).update(
            status=TicketStatus.VOID, voided_at=now, updated_at=now
        )
    blanked = _blank(tickets, now=now)
    OrderLine.objects.filter(order_id__in=order_ids).exclude(attendees=[]).update(
        attendees=[], updated_at=now
    )
    anonymised = orders.filter(personal_data_erased_at__isnull=True).update(
        email=Concat(Value("erased-"), Lower("code"), Value(f"@{ERASED_EMAIL_DOMAIN}")),
        user=None,
        idempotency_key="",
        request_fingerprint="",
        client_network="",
        personal_data_erased_at=now,
        updated_at=now,
    )
    return ErasureResult(
        orders_anonymised=anonymised, tickets_anonymised=blanked, tickets_voided=voided
    )


def _blank(tickets: QuerySet[Ticket], *, now: dt.datetime) -> int:
    return tickets.filter(~Q(attendee_name="") | ~Q(attendee_email="")).update(
        attendee_name="", attendee_email="", updated_at=now
    )


def _blank_attendee_entries(email: str) -> None:
    """Blank the attendee entries carrying `email` in order lines' JSON.

    The JSON is searched as text to find candidates on any database, then each entry is
    compared exactly (without regard to case) before it is blanked.
    """
    candidates = (
        OrderLine.objects.annotate(attendees_text=Cast("attendees", TextField()))
        .filter(attendees_text__icontains=email)
        .select_for_update(of=("self",))
    )
    for line in candidates:
        attendees = [_blank_entry(entry, email) for entry in line.attendees]
        if attendees != line.attendees:
            line.attendees = attendees
            line.save(update_fields=["attendees", "updated_at"])


def _blank_entry(entry: object, email: str) -> object:
    matches = isinstance(entry, dict) and str(entry.get("email", "")).lower() == email.lower()
    return {} if matches else entry
