"""The rows an order is written with, read in one statement: the same values the ORM reads."""

import datetime as dt

import pytest

from tests.factories import (
    EventFactory,
    InventoryPoolFactory,
    PassTypeFactory,
    PricePhaseFactory,
)
from tickets.models import InventoryCounter, PassType
from tickets.sale_rows import pass_types_for_writing

pytestmark = pytest.mark.django_db

EARLY_BIRD_ENDS = dt.datetime(2026, 11, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)


def values(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


@pytest.fixture
def pass_type():
    pass_type = PassTypeFactory(
        capacity=40,
        perks=["Expo floor", "Recordings"],
        sales_start=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
        phase=None,
    )
    PricePhaseFactory(pass_type=pass_type, name="Early bird", price=9900, ends_at=EARLY_BIRD_ENDS)
    PricePhaseFactory(pass_type=pass_type, name="Regular", price=12500, max_sold=30, position=1)
    venue = InventoryPoolFactory(event=pass_type.event, name="Venue", capacity=300)
    pass_type.pools.add(venue, InventoryPoolFactory(event=pass_type.event, name="Day one"))
    InventoryCounter.objects.create(pass_type=pass_type, taken=7)
    InventoryCounter.objects.create(pool=venue, taken=120)
    return pass_type


def test_pass_types_pools_and_phases_load_with_the_values_the_orm_reads(
    pass_type, django_assert_num_queries
):
    with django_assert_num_queries(1):
        (loaded,) = pass_types_for_writing([pass_type.pk])
        pools = sorted(loaded.pools.all(), key=lambda pool: pool.pk)
        phases = sorted(loaded.phases.all(), key=lambda phase: phase.pk)

    assert values(loaded) == values(PassType.objects.get(pk=pass_type.pk))
    assert [values(pool) for pool in pools] == [
        values(pool) for pool in pass_type.pools.order_by("pk")
    ]
    assert [values(phase) for phase in phases] == [
        values(phase) for phase in pass_type.phases.order_by("pk")
    ]
    assert phases[0].ends_at == EARLY_BIRD_ENDS


def test_counters_load_with_their_pass_type_and_pools(pass_type, django_assert_num_queries):
    with django_assert_num_queries(1):
        (loaded,) = pass_types_for_writing([pass_type.pk])
        counted = {
            pool.name: pool.counter.taken for pool in loaded.pools.all() if pool.name == "Venue"
        }

        assert loaded.counter.taken == 7
    assert counted == {"Venue": 120}


def test_a_missing_counter_reads_as_does_not_exist(pass_type):
    (loaded,) = pass_types_for_writing([pass_type.pk])
    day_one = next(pool for pool in loaded.pools.all() if pool.name == "Day one")

    with pytest.raises(InventoryCounter.DoesNotExist):
        day_one.counter  # noqa: B018 - the read is what is tested


def test_pass_types_come_in_id_order_and_only_of_the_event_asked_for(pass_type):
    later = PassTypeFactory(event=pass_type.event)
    elsewhere = PassTypeFactory(event=EventFactory())

    loaded = pass_types_for_writing(
        [later.pk, elsewhere.pk, pass_type.pk], event_id=pass_type.event_id
    )

    assert [row.pk for row in loaded] == [pass_type.pk, later.pk]


def test_a_pass_type_without_pools_or_phases_loads_with_none(django_assert_num_queries):
    bare = PassTypeFactory(phase=None)

    with django_assert_num_queries(1):
        (loaded,) = pass_types_for_writing([bare.pk])
        assert list(loaded.pools.all()) == []
        assert list(loaded.phases.all()) == []
    assert loaded.name == bare.name
