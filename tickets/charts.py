"""How sales move, drawn on the server: the figures of the sales charts, and their geometry.

Each reader is one aggregate query (or two), in the event's own calendar: a day is the event's
local day, an hour its local hour. The geometry is plain numbers for an inline SVG template
(admin/tickets/charts/bars.html): no chart library, nothing loaded from elsewhere.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate, TruncHour

from events.models import Event
from tickets.inventory import pool_seats_taken, sold
from tickets.models import InventoryPool, Order, OrderLine, Ticket
from tickets.money import format_money

# Colours of the series, in order (dark enough for white text around them: WCAG AA on white).
PALETTE = ("#0b6e4f", "#1f5fa8", "#8a4b00", "#7b2d8b", "#a40e26", "#3d5a00")
WIDTH, HEIGHT, AXIS = 640, 220, 28
MAX_LABELS = 12  # category labels under the bars; more would overlap


@dataclass(frozen=True)
class Bar:
    """One rectangle of a (stacked) bar, with what it stands for."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str
    value: int


@dataclass
class BarChart:
    """A titled chart: one column per category, each stacked from its series' values."""

    title: str
    categories: list[str]
    series: list[str]
    values: dict[str, dict[str, int]]  # category -> series -> value
    unit: str = ""
    currency: str = ""  # values are money in this currency's minor units
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)
    peak: int = 0
    width: int = WIDTH
    height: int = HEIGHT

    def __post_init__(self) -> None:
        self.peak = max((sum(row.values()) for row in self.values.values()), default=0)
        if not self.categories or not self.peak:
            return
        step = (self.width - AXIS) / len(self.categories)
        scale = (self.height - AXIS) / self.peak
        colours = dict(self.legend)
        every = max(1, -(-len(self.categories) // MAX_LABELS))
        self.labels = [
            (AXIS + (index + 0.5) * step, category)
            for index, category in enumerate(self.categories)
            if index % every == 0
        ]
        for index, category in enumerate(self.categories):
            top = self.height - AXIS
            for name in self.series:
                value = self.values.get(category, {}).get(name, 0)
                if not value:
                    continue
                height = value * scale
                top -= height
                self.bars.append(
                    Bar(AXIS + index * step + 2, top, max(step - 4, 1), height,
                        colours[name], f"{category}: {name}", value)
                )  # fmt: skip

    def shown(self, value: int) -> str:
        return format_money(value, self.currency) if self.currency else str(value)

    @property
    def peak_label(self) -> str:
        return self.shown(self.peak)

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The figures as a table: a row per category, a cell per series."""
        return [
            (category, [self.shown(self.values[category].get(name, 0)) for name in self.series])
            for category in self.categories
        ]

    @property
    def legend(self) -> list[tuple[str, str]]:
        """Each series with its colour (the palette repeats past its end)."""
        return [(name, PALETTE[index % len(PALETTE)]) for index, name in enumerate(self.series)]


def _paid_lines(event: Event):
    return OrderLine.objects.filter(
        sold("order__"), order__event=event, order__paid_at__isnull=False
    )


def passes_sold_per_day(event: Event) -> BarChart:
    """Passes sold (in orders standing as paid) per local day of payment, by pass type."""
    rows = (
        _paid_lines(event)
        .annotate(day=TruncDate("order__paid_at", tzinfo=event.tzinfo))
        .values("day", "pass_type__name")
        .annotate(passes=Sum("quantity"))
        .order_by("day", "pass_type__name")
    )
    values: dict[str, dict[str, int]] = defaultdict(dict)
    series: dict[str, None] = {}
    for row in rows:
        values[_day(row["day"])][row["pass_type__name"]] = row["passes"]
        series[row["pass_type__name"]] = None
    return BarChart("Passes sold per day", list(values), list(series), dict(values), "passes")


def revenue_per_day(event: Event) -> BarChart:
    """Totals of orders standing as paid, per local day of payment (minor units)."""
    rows = (
        Order.objects.filter(sold(), event=event, paid_at__isnull=False)
        .annotate(day=TruncDate("paid_at", tzinfo=event.tzinfo))
        .values("day")
        .annotate(amount=Sum("total"))
        .order_by("day")
    )
    values = {_day(row["day"]): {"revenue": row["amount"]} for row in rows}
    return BarChart("Revenue per day", list(values), ["revenue"], values, currency=event.currency)


def pool_capacity_left(event: Event) -> BarChart:
    """Each shared pool's seats: taken (sold or held) and left."""
    pools = list(InventoryPool.objects.filter(event=event).order_by("name"))
    taken = pool_seats_taken([pool.pk for pool in pools], now=dt.datetime.now(dt.UTC))
    values = {
        pool.name: {
            "taken": taken.get(pool.pk, 0),
            "left": max(pool.capacity - taken.get(pool.pk, 0), 0),
        }
        for pool in pools
    }
    return BarChart("Seats of each shared pool", list(values), ["taken", "left"], values, "seats")


def checkins_per_hour(event: Event) -> BarChart:
    """Tickets checked in per local hour, on the event's days."""
    rows = (
        Ticket.objects.filter(order__event=event, checked_in_at__isnull=False)
        .annotate(hour=TruncHour("checked_in_at", tzinfo=event.tzinfo))
        .values("hour")
        .annotate(count=Count("pk"))
        .order_by("hour")
    )
    values = {f"{row['hour']:%a %H}h": {"check-ins": row["count"]} for row in rows}
    return BarChart("Check-ins per hour", list(values), ["check-ins"], values, "people")


def sales_charts(event: Event) -> list[BarChart]:
    """The charts of the sales page, in the order shown."""
    return [
        passes_sold_per_day(event),
        revenue_per_day(event),
        pool_capacity_left(event),
        checkins_per_hour(event),
    ]


def _day(day: dt.date) -> str:
    return f"{day:%a %d %b}"
