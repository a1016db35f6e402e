"""Inventory counters: every write keeps them equal to the orders, drift is found and repaired,
an order costs a fixed number of queries."""

import datetime as dt
import importlib
import logging

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import EventFactory, InventoryPoolFactory, PassTypeFactory, UserFactory
from tickets import inventory
from tickets.models import InventoryCounter, Order, OrderStatus, Payment
from tickets.services import order_states
from tickets.services.admin_actions import recount_pools_of
from tickets.services.comps import issue_comps
from tickets.services.fulfilment import fulfil_order
from tickets.services.order_states import cancel_order, expire_held_orders
from tickets.services.ordering import LineRequest, place_order
from tickets.services.reconciliation import check_inventory_counters
from tickets.services.refunds import record_stripe_refund
from tickets.tasks import check_inventory_counters as check_inventory_counters_task

pytestmark = pytest.mark.django_db


def buy(pass_type, quantity=1, email="buyer@example.com") -> Order:
    order, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, quantity)], email=email
    )
    return order


def taken(pass_type) -> int:
    return InventoryCounter.objects.get(pass_type=pass_type).taken


def pay(order: Order) -> None:
    fulfil_order(order=order, payment=None, amount_received=order.total, currency_received="usd")


def end_hold(order: Order) -> None:
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now())


def test_placing_an_order_through_the_api_costs_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    pass_type = PassTypeFactory(capacity=100)
    buy(pass_type, email="first@example.com")  # the counter exists from the first order on
    body = {
        "event": pass_type.event.slug,
        "lines": [{"pass_type": pass_type.pk, "quantity": 2}],
        "email": "buyer@example.com",
    }
    # The event; a savepoint (the test's transaction); the lock timeout with the buyer's
    # advisory locks (PostgreSQL only); the hold caps; the pass type with its counter, its
    # pools and its price phases (one statement); the order; its lines; the counter's UPDATE;
    # the release.
    budget = 8 + (connection.vendor == "postgresql")

    with django_assert_num_queries(budget):
        response = APIClient().post(reverse("order-list"), body, format="json")

    assert response.status_code == 201
    assert response.json()["lines"][0]["pass_name"] == pass_type.name


def test_counters_follow_orders_through_every_state_change(settings):
    settings.GREENROOM_REFUND_RETURNS_INVENTORY = True
    pass_type = PassTypeFactory(capacity=50, phase__price=1000)
    paid, cancelled, expired, refunded, late = (
        buy(pass_type, 2, f"buyer{n}@example.com") for n in range(5)
    )
    pay(paid)
    cancel_order(order=cancelled)
    end_hold(expired)
    expire_held_orders()
    pay(refunded)
    payment = Payment.objects.create(
        order=refunded, flow="payment_sheet", amount=2000, currency="usd", status="succeeded"
    )
    record_stripe_refund(order=refunded, payment=payment, stripe_refund_id="re_1", amount=2000)
    end_hold(late)
    expire_held_orders()
    pay(late)  # after its hold: the passes are taken again
    issue_comps(
        event=pass_type.event, pass_type=pass_type, quantity=3, email="vip@example.com",
        reason="Speaker", actor=UserFactory(),
    )  # fmt: skip

    assert taken(pass_type) == 2 + 2 + 3  # paid, late (paid), comps
    assert inventory.find_drift([pass_type.pk], []) == []


def test_pool_counter_counts_every_pass_type_in_the_pool():
    event = EventFactory()
    pool = InventoryPoolFactory(event=event, capacity=10)
    general, student = PassTypeFactory(event=event), PassTypeFactory(event=event)
    general.pools.add(pool)
    student.pools.add(pool)

    buy(general, 3, "a@example.com")
    cancel_order(order=buy(student, 2, "b@example.com"))
    buy(student, 4, "c@example.com")

    assert InventoryCounter.objects.get(pool=pool).taken == 7
    assert inventory.find_drift([general.pk, student.pk], [pool.pk]) == []


def test_first_order_of_a_pass_without_a_counter_makes_one_counting_the_earlier_orders():
    pass_type = PassTypeFactory(capacity=5)
    buy(pass_type, 3, "a@example.com")
    InventoryCounter.objects.filter(pass_type=pass_type).delete()

    buy(pass_type, 2, "b@example.com")

    assert taken(pass_type) == 5
    assert buy_refused(pass_type) == "sold_out"


def buy_refused(pass_type) -> str:
    try:
        buy(pass_type, 1, "late@example.com")
    except Exception as error:
        return getattr(error, "code", repr(error))
    return "ordered"


def test_counter_that_says_sold_out_wrongly_is_repaired_and_the_order_placed(caplog):
    pass_type = PassTypeFactory(capacity=4)
    buy(pass_type, 1, "a@example.com")
    InventoryCounter.objects.filter(pass_type=pass_type).update(taken=4)

    with caplog.at_level(logging.WARNING, logger="tickets.inventory"):
        order = buy(pass_type, 3, "b@example.com")

    assert order.status == OrderStatus.PENDING
    assert taken(pass_type) == 4
    assert f"pass type {pass_type.pk}: counter 4, orders 1" in caplog.text


def test_hold_that_ended_unreleased_is_released_by_the_order_that_needs_its_passes():
    pass_type = PassTypeFactory(capacity=2)
    ended = buy(pass_type, 2, "a@example.com")
    end_hold(ended)

    order = buy(pass_type, 2, "b@example.com")

    ended.refresh_from_db()
    assert (ended.status, order.status) == (OrderStatus.EXPIRED, OrderStatus.PENDING)
    assert taken(pass_type) == 2


def test_check_finds_drift_without_changing_the_counter_and_repairs_it_when_asked(caplog):
    pass_type = PassTypeFactory()
    buy(pass_type, 2)
    InventoryCounter.objects.filter(pass_type=pass_type).update(taken=7)

    with caplog.at_level(logging.ERROR, logger="tickets.services.reconciliation"):
        found = check_inventory_counters(repair=False, event=pass_type.event)
    unchanged = taken(pass_type)
    repaired = check_inventory_counters(repair=True, event=pass_type.event)

    assert found == [inventory.Drift(pass_type.pk, None, 7, 2)]
    assert unchanged == 7
    assert repaired == [inventory.Drift(pass_type.pk, None, 7, 2)]
    assert taken(pass_type) == 2
    assert check_inventory_counters(repair=False) == []
    assert "Inventory counter pass type" in caplog.text


def test_check_reports_a_missing_counter_only_where_orders_take_passes():
    ordered, untouched = PassTypeFactory(), PassTypeFactory()
    buy(ordered, 2)
    InventoryCounter.objects.filter(pass_type=ordered).delete()

    drift = check_inventory_counters(repair=False)

    assert drift == [inventory.Drift(ordered.pk, None, None, 2)]
    assert not InventoryCounter.objects.filter(pass_type=untouched).exists()


def test_reconcile_inventory_command_fails_on_drift_and_repairs_with_repair(capsys):
    pass_type = PassTypeFactory()
    buy(pass_type, 1)
    InventoryCounter.objects.filter(pass_type=pass_type).update(taken=0)

    with pytest.raises(CommandError):
        call_command("reconcile_inventory", event=pass_type.event.slug)
    call_command("reconcile_inventory", repair=True)
    call_command("reconcile_inventory")

    out = capsys.readouterr().out
    assert f"pass type {pass_type.pk}: counter 0, orders 1 (repaired)" in out
    assert out.endswith("Every inventory counter agrees with the orders.\n")


def test_periodic_task_repairs_drift_and_says_how_many_counters_it_fixed():
    pass_type = PassTypeFactory()
    buy(pass_type, 3)
    InventoryCounter.objects.filter(pass_type=pass_type).update(taken=1)

    assert check_inventory_counters_task.apply().get() == 1
    assert taken(pass_type) == 3


def test_pass_joining_a_pool_after_its_sales_is_counted_on_the_pool():
    pass_type = PassTypeFactory()
    buy(pass_type, 2)
    pool = InventoryPoolFactory(event=pass_type.event, capacity=3)
    buy(PassTypeFactory(event=pass_type.event), 1, "other@example.com")  # unrelated pass
    InventoryCounter.objects.create(pool=pool)
    pass_type.pools.add(pool)

    recount_pools_of(pass_type=pass_type)

    assert InventoryCounter.objects.get(pool=pool).taken == 2


def test_data_migration_fills_counters_with_what_the_orders_take(settings):
    settings.GREENROOM_REFUND_RETURNS_INVENTORY = False
    event = EventFactory()
    pool = InventoryPoolFactory(event=event)
    pass_type = PassTypeFactory(event=event)
    pass_type.pools.add(pool)
    _, refunded, cancelled = (buy(pass_type, n, f"b{n}@example.com") for n in (1, 2, 3))
    Order.objects.filter(pk=refunded.pk).update(status=OrderStatus.REFUNDED)
    cancel_order(order=cancelled)
    InventoryCounter.objects.all().delete()
    migration = importlib.import_module("tickets.migrations.0011_fill_inventory_counters")

    migration.fill_counters(apps, None)

    assert taken(pass_type) == 1 + 2  # pending and refunded (refunds keep passes sold here)
    assert InventoryCounter.objects.get(pool=pool).taken == 3


def test_an_order_past_its_hold_but_unreleased_is_kept_when_paid():
    pass_type = PassTypeFactory(capacity=2, phase__price=1000)
    order = buy(pass_type, 2)
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now() - dt.timedelta(1))

    pay(order)

    order.refresh_from_db()
    assert (order.status, order.tickets.count(), taken(pass_type)) == (OrderStatus.PAID, 2, 2)


def test_expiring_more_holds_than_a_batch_expires_all_and_gives_all_back(monkeypatch):
    monkeypatch.setattr(order_states, "EXPIRY_BATCH", 2)
    pass_type = PassTypeFactory()
    for number in range(5):
        end_hold(buy(pass_type, 1, f"buyer{number}@example.com"))

    expired = expire_held_orders()

    assert expired == 5
    assert taken(pass_type) == 0
