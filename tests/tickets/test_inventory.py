"""The inventory engine: what is left, whether an order fits, the lock order."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import EventFactory, InventoryPoolFactory, PassTypeFactory
from tickets import inventory
from tickets.admin.passes import availability
from tickets.models import InventoryPool, Order, PassType
from tickets.reports import with_sales_counts, with_seats_taken
from tickets.selectors import pass_offers
from tickets.services.order_states import expire_held_orders
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db


def buy(pass_type, quantity, email="buyer@example.com") -> Order:
    order, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, quantity)], email=email
    )
    return order


def stock_now(*pass_types) -> inventory.Stock:
    fresh = PassType.objects.filter(pk__in=[pt.pk for pt in pass_types]).prefetch_related("pools")
    return inventory.stock(fresh, now=timezone.now())


def test_left_is_the_tightest_limit_and_names_the_pool_that_sets_it():
    event = EventFactory()
    pool = InventoryPoolFactory(event=event, name="Main hall", capacity=5)
    pass_type = PassTypeFactory(event=event, capacity=10)
    pass_type.pools.add(pool)
    buy(pass_type, 2)

    left = stock_now(pass_type).left(PassType.objects.get(pk=pass_type.pk))

    assert left == inventory.Left(3, "Main hall")


def test_left_of_a_pass_without_capacity_or_pool_is_unlimited():
    pass_type = PassTypeFactory(capacity=None)
    buy(pass_type, 4)

    assert stock_now(pass_type).left(pass_type) == inventory.Left(None)


def test_left_never_goes_below_zero_when_a_pool_was_shrunk_under_its_sales():
    event = EventFactory()
    pool = InventoryPoolFactory(event=event, capacity=5)
    pass_type = PassTypeFactory(event=event, capacity=None)
    pass_type.pools.add(pool)
    buy(pass_type, 4)
    pool.capacity = 2
    pool.save()

    fresh = PassType.objects.prefetch_related("pools").get(pk=pass_type.pk)

    assert stock_now(pass_type).left(fresh).count == 0


def test_two_passes_sharing_a_pool_must_fit_it_together():
    event = EventFactory()
    pool = InventoryPoolFactory(event=event, capacity=5)
    first, second = PassTypeFactory(event=event), PassTypeFactory(event=event)
    for pass_type in (first, second):
        pass_type.pools.add(pool)
    stock = stock_now(first, second)
    loaded = list(PassType.objects.filter(pk__in=[first.pk, second.pk]).prefetch_related("pools"))

    assert stock.fits(loaded, {first.pk: 3, second.pk: 2})
    assert not stock.fits(loaded, {first.pk: 3, second.pk: 3})


def test_expired_holds_no_longer_count_as_taken():
    pass_type = PassTypeFactory(capacity=3)
    order = buy(pass_type, 3)

    expire_held_orders(now=order.hold_expires_at)

    assert stock_now(pass_type).left(pass_type).count == 3


def test_expiring_a_chosen_set_of_orders_leaves_the_others_pending():
    pass_type = PassTypeFactory()
    chosen, other = buy(pass_type, 1, "a@example.com"), buy(pass_type, 1, "b@example.com")
    later = chosen.hold_expires_at + dt.timedelta(seconds=1)

    expired = expire_held_orders(now=later, orders=Order.objects.filter(pk=chosen.pk))

    assert expired == 1
    assert Order.objects.get(pk=other.pk).status == "pending"


def test_admin_and_passes_list_read_the_same_availability(settings):
    settings.GREENROOM_FEW_LEFT_THRESHOLD = 2
    event = EventFactory()
    pool = InventoryPoolFactory(event=event, name="Expo floor", capacity=4)
    pass_type = PassTypeFactory(event=event, capacity=10)
    pass_type.pools.add(pool)
    buy(pass_type, 2)
    now = timezone.now()

    annotated = with_sales_counts(PassType.objects.filter(pk=pass_type.pk), now=now)
    pools = with_seats_taken(InventoryPool.objects.all(), now=now)
    admin_row = annotated.prefetch_related(Prefetch("pools", queryset=pools)).get()
    (offer,) = pass_offers(event, now=now)

    assert availability(admin_row) == inventory.Left(2, "Expo floor")
    assert offer.availability == "few_left"


def test_an_order_takes_its_counters_pools_first_then_pass_types_as_its_last_statements():
    event = EventFactory()
    pool = InventoryPoolFactory(event=event)
    pass_type = PassTypeFactory(event=event)
    pass_type.pools.add(pool)
    buy(pass_type, 1, "first@example.com")  # makes the counters

    with CaptureQueriesContext(connection) as queries:
        buy(pass_type, 2)

    statements = [query["sql"] for query in queries if "SAVEPOINT" not in query["sql"]]
    assert [sql.split(" WHERE ")[1].split(" ")[0] for sql in statements[-2:]] == [
        "pool_id",
        "pass_type_id",
    ]
    assert all(sql.startswith('UPDATE "tickets_inventorycounter"') for sql in statements[-2:])
    assert not any("FOR UPDATE" in sql for sql in statements)
