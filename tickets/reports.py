"""Reads for the organizer's screens: live sales counts, the sales summary, the attendee list.

Every function here is a fixed number of queries whatever the number of orders: counts come
from grouped or annotated queries, never from Python loops over orders.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from events.models import Event
from tickets.inventory import held_at, sold, taking_inventory
from tickets.models import (
    InventoryPool,
    Order,
    OrderLine,
    OrderStatus,
    PassType,
    PromoCode,
    Refund,
    Ticket,
    TicketStatus,
)


def _zero(expression) -> Coalesce:
    return Coalesce(expression, Value(0), output_field=IntegerField())


def with_sales_counts(pass_types: QuerySet[PassType], *, now: dt.datetime) -> QuerySet[PassType]:
    """Pass types annotated with `sold` and `held` (passes), in the same query."""
    return pass_types.annotate(
        sold=_zero(Sum("order_lines__quantity", filter=sold("order_lines__order__"))),
        held=_zero(Sum("order_lines__quantity", filter=held_at(now, "order_lines__order__"))),
    )


def pool_taken_subquery(*, now: dt.datetime) -> Coalesce:
    """Seats of the outer pool sold or held, as a correlated subquery (safe beside any join)."""
    taken = (
        OrderLine.objects.filter(taking_inventory(now, "order__"), pass_type__pools=OuterRef("pk"))
        .order_by()
        .values("pass_type__pools")
        .annotate(taken=Sum("quantity"))
        .values("taken")
    )
    return _zero(Subquery(taken))


def with_seats_taken(
    pools: QuerySet[InventoryPool], *, now: dt.datetime
) -> QuerySet[InventoryPool]:
    """Pools annotated with `taken`: seats sold or held by every pass type in them."""
    return pools.annotate(taken=pool_taken_subquery(now=now))


def with_uses(promo_codes: QuerySet[PromoCode], *, now: dt.datetime) -> QuerySet[PromoCode]:
    """Promo codes annotated with `uses`: orders that count against `max_uses` (paid or held)."""
    return promo_codes.annotate(
        uses=Count("orders", filter=taking_inventory(now, "orders__"), distinct=True)
    )


# The sales summary -----------------------------------------------------------------------


@dataclass(frozen=True)
class PassSales:
    """Passes of one type: sold in paid orders, held by pending ones, and what the sold fetched."""

    pass_type_id: int
    name: str
    capacity: int | None
    sold: int
    held: int
    amount: int
    comped: int = 0  # given free by organizers (complimentary), not sold


@dataclass(frozen=True)
class PhaseSales:
    """Passes of one type sold at one price phase (by the phase name frozen on the line)."""

    pass_name: str
    phase_name: str
    sold: int
    amount: int


@dataclass(frozen=True)
class PromoUse:
    """One promo code: paid orders using it, the discount they got, orders holding it now."""

    code: str
    paid_orders: int
    discount: int
    held_orders: int
    max_uses: int | None


@dataclass(frozen=True)
class Holds:
    """Pending orders still within their hold."""

    orders: int
    passes: int
    amount: int


@dataclass(frozen=True)
class SalesSummary:
    """An event's sales, in minor units of `currency`."""

    event: Event
    currency: str
    paid_orders: int
    gross: int
    refunded: int
    by_pass: list[PassSales]
    by_phase: list[PhaseSales]
    promo_use: list[PromoUse]
    holds: Holds

    @property
    def revenue(self) -> int:
        """What the event keeps: totals of orders ever paid, less the money refunded."""
        return self.gross - self.refunded


_LINE_AMOUNT = (F("unit_price") - F("unit_discount")) * F("quantity")


def sales_summary(*, event: Event, now: dt.datetime) -> SalesSummary:
    """The event's revenue, passes by type and by phase, promo code use and pending holds.

    Passes and promo uses count orders that stand as paid (a fully refunded order's tickets
    are void); revenue counts every order ever paid and subtracts every refund recorded.
    Complimentary orders (issued free by organizers) are counted apart, never as sold.
    """
    orders = Order.objects.filter(event=event)
    paid = orders.filter(paid_at__isnull=False).aggregate(
        gross=_zero(Sum("total")),
        count=Count("pk", filter=Q(status=OrderStatus.PAID, comp_reason="")),
    )
    refunded = Refund.objects.filter(order__event=event).aggregate(total=_zero(Sum("amount")))
    return SalesSummary(
        event=event,
        currency=event.currency,
        paid_orders=paid["count"],
        gross=paid["gross"],
        refunded=refunded["total"],
        by_pass=_sales_by_pass(event, now=now),
        by_phase=_sales_by_phase(event),
        promo_use=_promo_use(event, now=now),
        holds=_holds(event, now=now),
    )


def _sales_by_pass(event: Event, *, now: dt.datetime) -> list[PassSales]:
    standing = Q(order_lines__order__status=OrderStatus.PAID)
    comp = ~Q(order_lines__order__comp_reason="")
    paid = standing & ~comp
    line_amount = (F("order_lines__unit_price") - F("order_lines__unit_discount")) * F(
        "order_lines__quantity"
    )
    rows = (
        PassType.objects.filter(event=event)
        .annotate(
            sold_count=_zero(Sum("order_lines__quantity", filter=paid)),
            held_count=_zero(
                Sum("order_lines__quantity", filter=held_at(now, "order_lines__order__"))
            ),
            amount=_zero(Sum(line_amount, filter=paid)),
            comped_count=_zero(Sum("order_lines__quantity", filter=standing & comp)),
        )
        .order_by("position", "name")
    )
    return [
        PassSales(
            row.pk, row.name, row.capacity, row.sold_count, row.held_count, row.amount,
            row.comped_count,
        )
        for row in rows
    ]  # fmt: skip


def _sales_by_phase(event: Event) -> list[PhaseSales]:
    rows = (
        OrderLine.objects.filter(
            order__event=event, order__status=OrderStatus.PAID, order__comp_reason=""
        )
        .order_by()
        .values("pass_type_id", "pass_type__name", "phase_name")
        .annotate(
            sold=Sum("quantity"),
            amount=Sum(_LINE_AMOUNT),
            pass_position=Min("pass_type__position"),
            phase_position=Min("price_phase__position"),
            first_price=Min("unit_price"),
        )
        .order_by("pass_position", "pass_type__name", "phase_position", "first_price")
    )
    return [
        PhaseSales(row["pass_type__name"], row["phase_name"], row["sold"], row["amount"])
        for row in rows
    ]


def _promo_use(event: Event, *, now: dt.datetime) -> list[PromoUse]:
    paid = Q(orders__status=OrderStatus.PAID)
    rows = (
        PromoCode.objects.filter(event=event)
        .annotate(
            paid_orders=Count("orders", filter=paid),
            discount_total=_zero(Sum("orders__discount", filter=paid)),
            held_orders=Count("orders", filter=held_at(now, "orders__")),
        )
        .order_by("code")
    )
    return [
        PromoUse(row.code, row.paid_orders, row.discount_total, row.held_orders, row.max_uses)
        for row in rows
    ]


def _holds(event: Event, *, now: dt.datetime) -> Holds:
    totals = OrderLine.objects.filter(held_at(now, "order__"), order__event=event).aggregate(
        orders=Count("order", distinct=True),
        passes=_zero(Sum("quantity")),
        amount=_zero(Sum(_LINE_AMOUNT)),
    )
    return Holds(totals["orders"], totals["passes"], totals["amount"])


# The attendee list -----------------------------------------------------------------------

ATTENDEE_COLUMNS = (
    "order code",
    "pass",
    "attendee name",
    "attendee e-mail",
    "ticket status",
    "checked in at",
    "buyer e-mail",
)


def attendee_rows(orders: QuerySet[Order]) -> Iterator[tuple[str, ...]]:
    """The header, then one row per valid ticket of `orders`; check-in times in event time.

    Names and e-mails are typed by buyers: write the rows with core.csv_export, which keeps
    them from running as spreadsheet formulas."""
    yield ATTENDEE_COLUMNS
    tickets = (
        Ticket.objects.filter(order__in=orders.values("pk"), status=TicketStatus.VALID)
        .select_related("order__event", "pass_type")
        .order_by("order__created_at", "order_id", "id")
    )
    for ticket in tickets:
        checked_in = ticket.checked_in_at
        yield (
            ticket.order.code,
            ticket.pass_type.name,
            ticket.attendee_name,
            ticket.attendee_email,
            ticket.status,
            checked_in.astimezone(ticket.order.event.tzinfo).isoformat() if checked_in else "",
            ticket.order.email,
        )
