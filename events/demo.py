"""Demo data of the events app: the “TC Sessions: Mobility 2021” event, its stages and topics.

`seed()` is called by `manage.py seed_demo` (so by every `make run`); it is safe to run any
number of times. It creates what is missing and leaves what exists alone: rows are found by a
natural key, and a row that is already there, with its links, is the organizers' to edit, never
reverted. The small helpers here (`ensure`, `SeedReport`) are shared by the other apps' demos.
"""

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils import timezone

from events.models import AttendanceMode, Event, EventStatus, Stage, Tag, validate_event_days
from events.services import ensure_organizers_group

DEMO_EVENT_SLUG = "tc-sessions-mobility-2021"
DEMO_TIME_ZONE = "America/Los_Angeles"
# The demo always looks upcoming when first loaded: four weeks out, two days long.
DAYS_UNTIL_DEMO = 28
DEMO_LENGTH_DAYS = 2

ORGANIZER_USERNAME = "organizer"
ORGANIZER_PASSWORD = "greenroom-demo"  # noqa: S105  # nosec B105  # public demo login
ORGANIZER_EMAIL = "organizer@greenroom.test"
# A superuser for the parts of the admin organizers do not reach (users, groups, audit log).
ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@greenroom.test"

EVENT = {
    "name": "TC Sessions: Mobility 2021",
    "tagline": "Two days on where transportation goes next, from robotaxis to air taxis.",
    "description": (
        "A conference about how people and goods will get around in the coming decade. "
        "Founders, engineers, investors and city advocates compare notes on driverless cars "
        "and the robotaxi contest between the United States and China, electric and shared "
        "vehicles, robots that carry parcels on the sidewalk, aircraft built to fly "
        "passengers across town, and who gets left behind when streets change.\n\n"
        "Join us in San Francisco or follow every session online."
    ),
    "time_zone": DEMO_TIME_ZONE,
    "currency": "usd",
    "status": EventStatus.PUBLISHED,
    "attendance_mode": AttendanceMode.HYBRID,
    "venue_name": "Conference venue, San Francisco (announced to ticket holders)",
    "venue_address": "San Francisco, CA, USA",
}

# (slug, name, position on the agenda)
STAGES = (
    ("main-stage", "Main Stage", 1),
    ("breakout-stage", "Breakout Stage", 2),
)

# (slug, name)
TAGS = (
    ("robotaxi", "robotaxi"),
    ("self-driving-cars", "self-driving cars"),
    ("automation", "automation"),
    ("china", "China"),
    ("investing", "investing"),
    ("urban-mobility", "urban mobility"),
    ("electric-vehicles", "electric vehicles"),
    ("delivery-robots", "delivery robots"),
    ("air-mobility", "air mobility"),
    ("policy-equity", "policy & equity"),
)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class SeedReport:
    """What one app's `seed()` did, counted per kind of row, told in one line."""

    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {CREATED: Counter(), UPDATED: Counter(), UNCHANGED: Counter()}
    )
    # Lines worth printing after the counts (a demo login, a speaker's portal link).
    notes: list[str] = field(default_factory=list)

    def record(self, kind: str, outcome: str, count: int = 1) -> None:
        if count:
            self.counts[outcome][kind] += count

    @property
    def changed_anything(self) -> bool:
        return bool(self.counts[CREATED] or self.counts[UPDATED])

    def __str__(self) -> str:
        created, updated, unchanged = (self.counts[key] for key in (CREATED, UPDATED, UNCHANGED))
        if not self.changed_anything:
            return f"nothing new; {_describe(unchanged) or 'nothing'} already in place"
        parts = []
        if created:
            parts.append(f"created {_describe(created)}")
        if updated:
            parts.append(f"updated {_describe(updated)}")
        if unchanged:
            parts.append(f"{_describe(unchanged)} unchanged")
        return "; ".join(parts)


def _describe(counts: Counter[str]) -> str:
    return ", ".join(f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in counts.items())


def ensure(
    model: type[Model],
    lookup: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    on_create: Callable[[], Mapping[str, Any]] | None = None,
) -> tuple[Any, str]:
    """Find the row by `lookup`, or create it with `values`; an existing row is left as it is.

    `on_create` supplies values computed only for a new row (a slug, the first dates). Unlike
    `update_or_create`, an organizer's edit of a demo row survives the next `make run`.
    """
    instance = model._default_manager.filter(**lookup).order_by("pk").first()
    if instance is not None:
        return instance, UNCHANGED
    extra = on_create() if on_create else {}
    return model._default_manager.create(**lookup, **values, **extra), CREATED


def first_demo_day() -> dt.date:
    """Four weeks after today, as the calendar reads in the event's zone."""
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(DEMO_TIME_ZONE))
    return today + dt.timedelta(days=DAYS_UNTIL_DEMO)


def _event_dates() -> dict[str, dt.date]:
    start = first_demo_day()
    dates = {"start_date": start, "end_date": start + dt.timedelta(days=DEMO_LENGTH_DAYS - 1)}
    validate_event_days(**dates)
    return dates


def _seed_organizer(report: SeedReport) -> None:
    """Create the organizer login if missing; an existing account (and password) is left alone."""
    group = ensure_organizers_group()
    user_model = get_user_model()
    if user_model._default_manager.filter(username=ORGANIZER_USERNAME).exists():
        report.record("organizer account", UNCHANGED)
        return
    user = user_model._default_manager.create_user(
        username=ORGANIZER_USERNAME,
        email=ORGANIZER_EMAIL,
        password=ORGANIZER_PASSWORD,
        is_staff=True,
        is_superuser=False,
    )
    user.groups.add(group)
    report.record("organizer account", CREATED)


def _seed_superuser(report: SeedReport) -> None:
    """Create the demo superuser if missing; an existing account is left alone."""
    user_model = get_user_model()
    if user_model._default_manager.filter(username=ADMIN_USERNAME).exists():
        report.record("superuser account", UNCHANGED)
        return
    user_model._default_manager.create_superuser(
        username=ADMIN_USERNAME, email=ADMIN_EMAIL, password=ORGANIZER_PASSWORD
    )
    report.record("superuser account", CREATED)


def logins() -> list[tuple[str, str, str]]:
    """The demo's logins as (username, password, what it reaches), for seed_demo to print."""
    return [
        (ADMIN_USERNAME, ORGANIZER_PASSWORD, "superuser: all of the admin"),
        (ORGANIZER_USERNAME, ORGANIZER_PASSWORD, "organizer: events, speakers, passes, orders"),
    ]


def seed() -> SeedReport:
    """Load the demo event, its stages, the topic tags, the organizer and superuser accounts."""
    report = SeedReport()
    # Dates are set once, when the event is created: four weeks after that day.
    event, outcome = ensure(Event, {"slug": DEMO_EVENT_SLUG}, EVENT, on_create=_event_dates)
    report.record("event", outcome)

    for slug, name, position in STAGES:
        _, outcome = ensure(
            Stage, {"event": event, "slug": slug}, {"name": name, "position": position}
        )
        report.record("stage", outcome)

    for slug, name in TAGS:
        _, outcome = ensure(Tag, {"slug": slug}, {"name": name})
        report.record("tag", outcome)

    _seed_organizer(report)
    _seed_superuser(report)
    return report
