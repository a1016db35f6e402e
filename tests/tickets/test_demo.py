"""The tickets demo: passes, price phases, shared seats and promo codes of the demo event."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from events import demo as events_demo
from events.models import Event
from speakers import demo as speakers_demo
from tickets import demo, pricing
from tickets.models import InventoryPool, PassType, PricePhase, PromoCode
from tickets.services.checkin import can_check_in
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_event() -> Event:
    events_demo.seed()
    speakers_demo.seed()
    demo.seed()
    return Event.objects.get(slug=events_demo.DEMO_EVENT_SLUG)


def tickets_snapshot() -> dict[str, tuple[int, dt.datetime | None]]:
    """Row count and latest `updated_at` of every tickets model, through tables included."""
    snapshot = {}
    for model in apps.get_app_config("tickets").get_models(include_auto_created=True):
        rows = model._default_manager.all()
        stamped = any(field.name == "updated_at" for field in model._meta.concrete_fields)
        latest = rows.aggregate(latest=Max("updated_at"))["latest"] if stamped else None
        snapshot[model._meta.label] = (rows.count(), latest)
    return snapshot


def local_midnight(event: Event, days_before_start: int) -> dt.datetime:
    day = event.start_date - dt.timedelta(days=days_before_start)
    return dt.datetime.combine(day, dt.time.min, tzinfo=event.tzinfo)


def test_demo_passes_have_their_prices_capacity_and_visibility(demo_event):
    passes = {
        pass_type.slug: (
            pass_type.name,
            pass_type.capacity,
            pass_type.visibility,
            [(phase.name, phase.price) for phase in pass_type.phases.order_by("position")],
        )
        for pass_type in demo_event.pass_types.all()
    }

    assert passes == {
        "general-admission": ("General Admission", 400, "public",
                              [("Early bird", 9500), ("Regular", 12500), ("Late", 15000)]),
        "expo": ("Expo", 150, "public", [("Regular", 4500)]),
        "student": ("Student", 50, "hidden", [("Regular", 3500)]),
        "virtual": ("Virtual", None, "public", [("Regular", 2500)]),
    }  # fmt: skip


def test_general_admission_phases_step_at_local_midnights_before_the_event(demo_event):
    general = demo_event.pass_types.get(slug="general-admission")
    windows = [
        (phase.name, phase.starts_at, phase.ends_at)
        for phase in general.phases.order_by("position")
    ]

    assert windows == [
        ("Early bird", None, local_midnight(demo_event, 14)),
        ("Regular", local_midnight(demo_event, 14), local_midnight(demo_event, 2)),
        ("Late", local_midnight(demo_event, 2), None),
    ]


@pytest.mark.parametrize(
    ("days_before", "phase", "price"),
    [(15, "Early bird", 9500), (14, "Regular", 12500), (3, "Regular", 12500), (2, "Late", 15000)],
)
def test_general_admission_price_on_a_given_day(demo_event, days_before, phase, price):
    general = demo_event.pass_types.get(slug="general-admission")
    now = local_midnight(demo_event, days_before)

    current = pricing.current_phase(list(general.phases.all()), now=now, sold=0)

    assert (current.name, current.price) == (phase, price)


def test_general_admission_is_early_bird_at_95_on_the_day_of_seeding(demo_event):
    general = demo_event.pass_types.get(slug="general-admission")

    current = pricing.current_phase(list(general.phases.all()), now=timezone.now(), sold=0)

    assert (current.name, current.price) == ("Early bird", 9500)


def test_in_person_passes_share_the_venue_seats_and_sales_end_with_the_event(demo_event):
    pool = InventoryPool.objects.get(event=demo_event)
    members = set(pool.pass_types.values_list("slug", flat=True))
    sales_ends = set(demo_event.pass_types.values_list("sales_end", flat=True))

    assert (pool.name, pool.capacity) == ("In-person seats", 500)
    assert members == {"general-admission", "expo", "student"}
    assert sales_ends == {demo_event.ends_at}


def test_demo_promo_codes(demo_event):
    codes = {
        promo.code: (
            promo.kind,
            promo.value,
            promo.max_uses,
            promo.unlocks_hidden,
            sorted(promo.pass_types.values_list("slug", flat=True)),
        )
        for promo in PromoCode.objects.filter(event=demo_event)
    }

    assert codes == {
        "MOBILITY20": ("percent", 20, 100, False, ["general-admission"]),
        "STUDENT": ("fixed", 0, None, True, ["student"]),
    }


def test_demo_passes_can_be_ordered_with_and_without_codes(demo_event):
    general = demo_event.pass_types.get(slug="general-admission")
    student = demo_event.pass_types.get(slug="student")

    discounted, _ = place_order(
        event=demo_event,
        lines=[LineRequest(general.pk, 2)],
        email="buyer@example.com",
        promo_code="mobility20",
    )
    student_order, _ = place_order(
        event=demo_event,
        lines=[LineRequest(student.pk, 1)],
        email="student@example.com",
        promo_code="STUDENT",
    )

    assert (discounted.subtotal, discounted.discount, discounted.total) == (19000, 3800, 15200)
    assert student_order.total == 3500


def test_seeding_twice_changes_nothing(demo_event):
    before = tickets_snapshot()

    report = demo.seed()

    assert tickets_snapshot() == before
    assert report.changed_anything is False
    assert str(report) == (
        "nothing new; 1 seat pool, 4 pass types, 6 price phases, 2 promo codes, "
        "1 door staff account already in place"
    )


def test_demo_door_staff_may_check_in_but_not_open_the_admin(demo_event):
    door = get_user_model().objects.get(username=demo.DOOR_STAFF_USERNAME)

    assert can_check_in(door)
    assert not door.is_staff


def test_seeding_again_keeps_an_edited_price_and_pool_membership(demo_event):
    general = demo_event.pass_types.get(slug="general-admission")
    PricePhase.objects.filter(pass_type=general, name="Regular").update(price=1)
    general.pools.clear()

    report = demo.seed()

    assert general.phases.get(name="Regular").price == 1
    assert list(general.pools.values_list("name", flat=True)) == []
    assert report.changed_anything is False


def test_seeding_again_keeps_an_edited_promo_code(demo_event):
    PromoCode.objects.filter(event=demo_event, code="MOBILITY20").update(max_uses=3)

    demo.seed()

    assert PromoCode.objects.get(event=demo_event, code="MOBILITY20").max_uses == 3


def test_a_recreated_pass_follows_the_event_when_its_dates_moved(demo_event):
    moved = demo_event.start_date + dt.timedelta(days=7)
    Event.objects.filter(pk=demo_event.pk).update(
        start_date=moved, end_date=moved + dt.timedelta(days=1)
    )
    demo_event.refresh_from_db()
    PassType.objects.filter(event=demo_event, slug="general-admission").delete()

    demo.seed()

    general = PassType.objects.get(event=demo_event, slug="general-admission")
    early = general.phases.get(name="Early bird")
    assert early.ends_at == local_midnight(demo_event, 14)
    assert general.sales_end == demo_event.ends_at
