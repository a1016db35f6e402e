"""Demo data of the tickets app: the passes, price phases, shared seats and promo codes of the demo.

Runs after `events.demo.seed()` (INSTALLED_APPS order), which creates the event. General
Admission costs $125, the price the event announced; early-bird, regular and late phases step
around it. Phase and sales times are computed from the event's stored dates in its own zone,
as they are when a row is created. Rows are found by a natural key; what is missing is created
and what exists (with its links) is left as the organizers made it: a second run writes nothing.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from events.demo import (
    CREATED,
    DEMO_EVENT_SLUG,
    ORGANIZER_PASSWORD,
    UNCHANGED,
    UPDATED,
    SeedReport,
    ensure,
)
from events.models import Event
from tickets.models import InventoryPool, PassType, PassVisibility, PricePhase, PromoCode
from tickets.services.checkin import ensure_door_staff_group

DOOR_STAFF_USERNAME = "door"
DOOR_STAFF_EMAIL = "door@greenroom.test"  # the site's log-in is by e-mail (the door screen)
IN_PERSON_SEATS = "In-person seats"
IN_PERSON_CAPACITY = 500

EARLY_BIRD_ENDS_DAYS_BEFORE = 14
LATE_STARTS_DAYS_BEFORE = 2


@dataclass(frozen=True)
class DemoPhase:
    """A price step; `starts`/`ends` are days before the event's first day (None: open)."""

    name: str
    price: int
    starts: int | None = None
    ends: int | None = None


@dataclass(frozen=True)
class DemoPass:
    """A pass of the demo event; `phases` in the order they follow each other."""

    slug: str
    name: str
    description: str
    perks: tuple[str, ...]
    capacity: int | None
    phases: tuple[DemoPhase, ...]
    in_person: bool = True
    visibility: str = PassVisibility.PUBLIC
    max_per_order: int = 10
    position: int = 0


PASSES = (
    DemoPass(
        "general-admission",
        "General Admission",
        "Both days in San Francisco: every stage, the expo floor and the networking breaks.",
        (
            "Every session on both stages",
            "Expo floor",
            "Networking breaks and lunch",
            "Recordings after the event",
        ),
        capacity=400,
        phases=(
            DemoPhase("Early bird", 9500, ends=EARLY_BIRD_ENDS_DAYS_BEFORE),
            DemoPhase(
                "Regular", 12500, starts=EARLY_BIRD_ENDS_DAYS_BEFORE, ends=LATE_STARTS_DAYS_BEFORE
            ),
            DemoPhase("Late", 15000, starts=LATE_STARTS_DAYS_BEFORE),
        ),
        position=1,
    ),
    DemoPass(
        "expo",
        "Expo",
        "The expo floor and the Breakout Stage, in person.",
        ("Expo floor", "Breakout Stage sessions"),
        capacity=150,
        phases=(DemoPhase("Regular", 4500),),
        position=2,
    ),
    DemoPass(
        "student",
        "Student",
        "General Admission for students; unlocked by the code sent once enrollment is checked.",
        ("Every session on both stages", "Expo floor", "Networking breaks and lunch"),
        capacity=50,
        phases=(DemoPhase("Regular", 3500),),
        visibility=PassVisibility.HIDDEN,
        max_per_order=1,
        position=3,
    ),
    DemoPass(
        "virtual",
        "Virtual",
        "Every Main Stage session streamed live, and all recordings afterwards.",
        ("Live stream of the Main Stage", "Recordings after the event"),
        capacity=None,
        phases=(DemoPhase("Regular", 2500),),
        in_person=False,
        position=4,
    ),
)


@dataclass(frozen=True)
class DemoPromo:
    """A promo code of the demo event, limited to the passes named by slug."""

    code: str
    kind: str
    value: int
    pass_slugs: tuple[str, ...]
    max_uses: int | None
    unlocks_hidden: bool = False


PROMOS = (
    DemoPromo("MOBILITY20", PromoCode.Kind.PERCENT, 20, ("general-admission",), max_uses=100),
    # Takes nothing off: the Student pass is already priced for students. The code is what
    # shows the hidden pass, and is handed out once a student's enrollment is checked.
    DemoPromo(
        "STUDENT",
        PromoCode.Kind.FIXED,
        0,
        ("student",),
        max_uses=None,
        unlocks_hidden=True,
    ),
)


def _days_before(event: Event, days: int | None) -> dt.datetime | None:
    """Midnight, in the event's zone, `days` calendar days before the event's first day."""
    if days is None:
        return None
    day = event.start_date - dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time.min, tzinfo=event.tzinfo)


def _seed_pass(event: Event, row: DemoPass, pool: InventoryPool, report: SeedReport) -> PassType:
    pass_type, outcome = ensure(
        PassType,
        {"event": event, "slug": row.slug},
        {
            "name": row.name,
            "description": row.description,
            "perks": list(row.perks),
            "capacity": row.capacity,
            "max_per_order": row.max_per_order,
            "sales_start": None,
            "sales_end": event.ends_at,
            "visibility": row.visibility,
            "position": row.position,
        },
    )
    if outcome == CREATED and row.in_person:
        pass_type.pools.set([pool])
    report.record("pass type", outcome)

    for position, phase in enumerate(row.phases, start=1):
        _, outcome = ensure(
            PricePhase,
            {"pass_type": pass_type, "name": phase.name},
            {
                "price": phase.price,
                "starts_at": _days_before(event, phase.starts),
                "ends_at": _days_before(event, phase.ends),
                "max_sold": None,
                "position": position,
            },
        )
        report.record("price phase", outcome)
    return pass_type


def _seed_promo(
    event: Event, row: DemoPromo, passes: dict[str, PassType], report: SeedReport
) -> None:
    promo, outcome = ensure(
        PromoCode,
        {"event": event, "code": row.code},
        {
            "kind": row.kind,
            "value": row.value,
            "max_uses": row.max_uses,
            "valid_from": None,
            "valid_until": event.ends_at,
            "unlocks_hidden": row.unlocks_hidden,
        },
    )
    if outcome == CREATED:
        promo.pass_types.set(passes[slug] for slug in row.pass_slugs)
    report.record("promo code", outcome)


def _seed_door_staff(report: SeedReport) -> None:
    """A door volunteer's login: may check tickets in, cannot open the admin."""
    group = ensure_door_staff_group()
    users = get_user_model()._default_manager
    if users.filter(username=DOOR_STAFF_USERNAME).exists():
        # Accounts seeded before the door screen have no address to log in on the site with.
        filled = users.filter(username=DOOR_STAFF_USERNAME, email="").update(email=DOOR_STAFF_EMAIL)
        report.record("door staff account", UPDATED if filled else UNCHANGED)
        return
    user = users.create_user(
        username=DOOR_STAFF_USERNAME, email=DOOR_STAFF_EMAIL, password=ORGANIZER_PASSWORD
    )
    user.groups.add(group)
    report.record("door staff account", CREATED)


def logins() -> list[tuple[str, str, str]]:
    """The demo's door login, for seed_demo to print."""
    return [
        (
            DOOR_STAFF_USERNAME,
            ORGANIZER_PASSWORD,
            f"door staff: the check-in screen at /door/ (log in on the site as {DOOR_STAFF_EMAIL})",
        )
    ]


def seed() -> SeedReport:
    """Load the demo event's passes, their price phases, the shared seats and promo codes."""
    report = SeedReport()
    event = Event.objects.get(slug=DEMO_EVENT_SLUG)
    pool, outcome = ensure(
        InventoryPool,
        {"event": event, "name": IN_PERSON_SEATS},
        {"capacity": IN_PERSON_CAPACITY},
    )
    report.record("seat pool", outcome)
    passes = {row.slug: _seed_pass(event, row, pool, report) for row in PASSES}
    for row in PROMOS:
        _seed_promo(event, row, passes, report)
    _seed_door_staff(report)
    return report
