"""Orders for the data-rights tests, placed and paid through the real ordering services."""

import datetime as dt
import uuid

from events.models import Event
from tests.factories import EventFactory, PassTypeFactory
from tickets.models import Order
from tickets.services.fulfilment import fulfil_order
from tickets.services.ordering import LineRequest, place_order

BUYER_NAME = "Grace Hopper"
BUYER_EMAIL = "grace@example.com"
GUEST_NAME = "Alan Turing"
GUEST_EMAIL = "alan@example.com"


def paid_order(
    *,
    user=None,
    email: str = BUYER_EMAIL,
    event: Event | None = None,
    attendees: tuple[dict, ...] = ({"name": BUYER_NAME, "email": BUYER_EMAIL},),
    quantity: int = 1,
    price: int = 12500,
) -> Order:
    """A paid order with its tickets issued, as a webhook's fulfilment leaves it."""
    pass_type = PassTypeFactory(event=event or EventFactory(), phase__price=price)
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, quantity, attendees=attendees)],
        email=email,
        user=user,
        # A guest's key is stored scoped by their e-mail: erasure must clear it too.
        idempotency_key=str(uuid.uuid4()),
    )
    fulfil_order(
        order=order, payment=None, amount_received=order.total, currency_received=order.currency
    )
    order.refresh_from_db()
    return order


def move_event(event: Event, *, last_day: dt.date) -> None:
    """Move the event so that its last day is `last_day` (time passing, for retention)."""
    shift = last_day - event.end_date
    event.start_date += shift
    event.end_date += shift
    event.save(update_fields=["start_date", "end_date"])
