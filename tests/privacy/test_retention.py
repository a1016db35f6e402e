"""Retention: attendee data of events that ended more than N days ago is anonymised, once."""

import datetime as dt

import pytest

from config.celery import app as celery_app
from privacy.services import anonymise_past_attendees
from privacy.tasks import anonymise_past_attendees as anonymise_past_attendees_task
from tests.factories import EventFactory, local_time
from tests.privacy.helpers import BUYER_EMAIL, move_event, paid_order
from tickets.models import Order, TicketStatus

pytestmark = pytest.mark.django_db

RETENTION_DAYS = 30


@pytest.fixture(autouse=True)
def retention(settings):
    settings.GREENROOM_ATTENDEE_RETENTION_DAYS = RETENTION_DAYS


def order_of_event_ended_on(last_day: dt.date, **kwargs) -> Order:
    """A paid order of an event whose last (local) day was `last_day`."""
    event = EventFactory()
    order = paid_order(event=event, **kwargs)
    move_event(event, last_day=last_day)
    return order


def horizon_of(order: Order) -> dt.datetime:
    """When retention ends for the order's event: N days after midnight after its last day."""
    event = order.event
    return local_time(event, (event.end_date - event.start_date).days + 1 + RETENTION_DAYS, 0)


def test_orders_are_kept_until_the_retention_period_ends():
    order = order_of_event_ended_on(dt.date(2030, 1, 10))

    anonymised = anonymise_past_attendees(now=horizon_of(order) - dt.timedelta(seconds=1))

    order.refresh_from_db()
    assert (anonymised, order.email) == (0, BUYER_EMAIL)


def test_orders_are_anonymised_once_the_retention_period_ends():
    order = order_of_event_ended_on(dt.date(2030, 1, 10))

    anonymised = anonymise_past_attendees(now=horizon_of(order))

    order.refresh_from_db()
    assert (anonymised, order.email) == (1, f"erased-{order.code.lower()}@erased.invalid")
    assert [(t.attendee_name, t.attendee_email) for t in order.tickets.all()] == [("", "")]


def test_the_horizon_is_counted_in_days_after_the_event_ends_in_its_own_zone():
    order = order_of_event_ended_on(dt.date(2030, 1, 10))

    day_before = anonymise_past_attendees(now=horizon_of(order) - dt.timedelta(days=1))
    day_after = anonymise_past_attendees(now=horizon_of(order) + dt.timedelta(days=1))

    assert (day_before, day_after) == (0, 1)


def test_retention_keeps_amounts_status_and_tickets_valid():
    order = order_of_event_ended_on(dt.date(2030, 1, 10), price=9900, quantity=2)

    anonymise_past_attendees(now=horizon_of(order))

    kept = Order.objects.get(pk=order.pk)
    assert (kept.status, kept.subtotal, kept.discount, kept.total) == (
        order.status, 19800, 0, 19800
    )  # fmt: skip
    assert set(kept.tickets.values_list("status", flat=True)) == {TicketStatus.VALID}


def test_a_second_run_changes_nothing():
    order = order_of_event_ended_on(dt.date(2030, 1, 10))
    anonymise_past_attendees(now=horizon_of(order))
    erased_at = Order.objects.get(pk=order.pk).personal_data_erased_at

    again = anonymise_past_attendees(now=horizon_of(order) + dt.timedelta(days=1))

    assert again == 0
    assert Order.objects.get(pk=order.pk).personal_data_erased_at == erased_at


def test_a_backlog_is_worked_through_in_batches():
    first = order_of_event_ended_on(dt.date(2030, 1, 10), quantity=1)
    event = first.event
    for _ in range(4):
        paid_order(event=event)

    anonymised = anonymise_past_attendees(now=horizon_of(first), batch_size=2)

    assert anonymised == 5
    assert not Order.objects.filter(personal_data_erased_at__isnull=True).exists()


def test_the_beat_task_runs_the_retention(settings):
    settings.GREENROOM_ATTENDEE_RETENTION_DAYS = 0
    order = order_of_event_ended_on(dt.date.today() - dt.timedelta(days=3))

    assert anonymise_past_attendees_task.delay().get() == 1
    assert Order.objects.get(pk=order.pk).personal_data_erased_at is not None


def test_the_beat_schedule_names_the_registered_task_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["anonymise-past-attendees"]

    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == 24 * 3600
