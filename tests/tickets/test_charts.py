"""The sales charts: figures per local day and hour, drawn as SVG on the sales page."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import EventFactory, InventoryPoolFactory, PassTypeFactory
from tests.tickets.helpers import paid_ticket
from tickets.charts import (
    checkins_per_hour,
    passes_sold_per_day,
    pool_capacity_left,
    revenue_per_day,
)
from tickets.models import Order, Ticket
from tickets.services.fulfilment import fulfil_order
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db


def paid(pass_type, quantity: int, *, at: dt.datetime) -> Order:
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, quantity)],
        email=f"{quantity}-{at:%H%M%S%f}@example.com",
    )
    fulfil_order(
        order=order, payment=None, amount_received=order.total, currency_received=order.currency
    )
    Order.objects.filter(pk=order.pk).update(paid_at=at)
    return order


def test_passes_sold_per_day_counts_by_the_events_local_day_and_pass_type():
    event = EventFactory(time_zone="America/Los_Angeles")
    general = PassTypeFactory(event=event, name="General")
    expo = PassTypeFactory(event=event, name="Expo")
    # 06:00 UTC on 2 Mar is still 1 Mar in Los Angeles.
    paid(general, 2, at=dt.datetime(2030, 3, 2, 6, tzinfo=dt.UTC))
    paid(expo, 1, at=dt.datetime(2030, 3, 2, 7, tzinfo=dt.UTC))
    paid(general, 3, at=dt.datetime(2030, 3, 2, 20, tzinfo=dt.UTC))

    chart = passes_sold_per_day(event)

    assert chart.values == {
        "Fri 01 Mar": {"General": 2, "Expo": 1},
        "Sat 02 Mar": {"General": 3},
    }
    assert chart.peak == 3


def test_revenue_per_day_shows_money():
    pass_type = PassTypeFactory(phase__price=12500)
    paid(pass_type, 2, at=dt.datetime(2030, 3, 1, 18, tzinfo=dt.UTC))

    chart = revenue_per_day(pass_type.event)

    assert chart.rows == [(chart.categories[0], ["$250.00"])]


def test_pool_capacity_left_counts_seats_taken_and_left():
    pool = InventoryPoolFactory(capacity=10, name="Main hall")
    pass_type = PassTypeFactory(event=pool.event)
    pass_type.pools.add(pool)
    paid(pass_type, 4, at=dt.datetime(2030, 3, 1, tzinfo=dt.UTC))

    assert pool_capacity_left(pool.event).values == {"Main hall": {"taken": 4, "left": 6}}


def test_checkins_per_hour_counts_by_the_events_local_hour():
    ticket = paid_ticket()
    event = ticket.order.event
    Ticket.objects.filter(pk=ticket.pk).update(
        checked_in_at=dt.datetime(2030, 6, 10, 16, 5, tzinfo=dt.UTC)
    )

    chart = checkins_per_hour(event)

    local = dt.datetime(2030, 6, 10, 16, 5, tzinfo=dt.UTC).astimezone(event.tzinfo)
    assert chart.values == {f"{local:%a %H}h": {"check-ins": 1}}


def test_stacked_bars_of_a_day_add_up_to_its_total_height():
    event = EventFactory()
    general, expo = PassTypeFactory(event=event), PassTypeFactory(event=event)
    at = dt.datetime(2030, 3, 1, 18, tzinfo=dt.UTC)
    paid(general, 2, at=at)
    paid(expo, 2, at=at)

    chart = passes_sold_per_day(event)

    assert len(chart.bars) == 2
    assert sum(bar.height for bar in chart.bars) == pytest.approx(chart.height - 28)


def test_sales_page_draws_the_charts_as_svg(organizer_client):
    pass_type = PassTypeFactory()
    paid(pass_type, 2, at=dt.datetime(2030, 3, 1, 18, tzinfo=dt.UTC))

    response = organizer_client.get(
        reverse("admin:tickets_order_sales_summary"), {"event": pass_type.event.pk}
    )

    page = response.content.decode()
    assert page.count('aria-labelledby="chart-') == 2  # passes, revenue; no pool, no check-ins
    for title in ("Passes sold per day", "Revenue per day", "Check-ins per hour"):
        assert title in page


@pytest.mark.parametrize("orders", [5, 200])
def test_sales_page_runs_a_fixed_number_of_queries(
    organizer_client, django_assert_num_queries, orders
):
    pass_type = PassTypeFactory(capacity=None, max_per_order=10)
    for day in range(orders):
        paid(pass_type, 1, at=dt.datetime(2030, 3, 1, tzinfo=dt.UTC) + dt.timedelta(days=day))

    with django_assert_num_queries(15):
        organizer_client.get(
            reverse("admin:tickets_order_sales_summary"), {"event": pass_type.event.pk}
        )
