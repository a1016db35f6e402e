"""Reads of the tickets app: what is sold or held, what a buyer may see and pay."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q, Sum

from tickets.models import Order, OrderLine, OrderStatus, PromoCode


def holding_statuses() -> list[str]:
    """Order statuses whose passes are not for sale again (pending ones only until the hold
    ends; refunded ones when refunds do not return passes to sale)."""
    statuses = [OrderStatus.PAID]
    if not settings.GREENROOM_REFUND_RETURNS_INVENTORY:
        statuses.append(OrderStatus.REFUNDED)
    return statuses


def _taking(now: dt.datetime, prefix: str = "") -> Q:
    """Orders (reached through `prefix`) that take passes out of sale at `now`."""
    return Q(**{f"{prefix}status__in": holding_statuses()}) | Q(
        **{f"{prefix}status": OrderStatus.PENDING, f"{prefix}hold_expires_at__gt": now}
    )


def passes_taken(pass_type_ids: Iterable[int], *, now: dt.datetime) -> dict[int, int]:
    """Passes sold or held, by pass type."""
    rows = (
        OrderLine.objects.filter(_taking(now, "order__"), pass_type_id__in=list(pass_type_ids))
        .values("pass_type_id")
        .annotate(taken=Sum("quantity"))
    )
    return {row["pass_type_id"]: row["taken"] for row in rows}


def pool_seats_taken(pool_ids: Iterable[int], *, now: dt.datetime) -> dict[int, int]:
    """Seats of shared pools sold or held, by pool."""
    rows = (
        OrderLine.objects.filter(_taking(now, "order__"), pass_type__pools__in=list(pool_ids))
        .values("pass_type__pools")
        .annotate(taken=Sum("quantity"))
    )
    return {row["pass_type__pools"]: row["taken"] for row in rows}


def promo_code_uses(promo: PromoCode, *, now: dt.datetime) -> int:
    """Orders that used the code and still count: paid, or pending within their hold."""
    return Order.objects.filter(_taking(now), promo_code=promo).count()
