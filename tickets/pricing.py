"""Pricing as pure functions: which price phase applies now, and what a promo code takes off.

No database access here: callers pass the phases, counts and codes they loaded (and locked).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tickets.models import DiscountKind, PricePhase, PromoCode


def _phase_order(phase: PricePhase) -> tuple:
    return (phase.position, phase.starts_at or dt.datetime.min.replace(tzinfo=dt.UTC), phase.pk)


def phase_is_open(phase: PricePhase, *, now: dt.datetime, sold: int) -> bool:
    """Whether the phase's window contains `now` and its quota is not used up.

    `sold` counts passes of the type already sold or held. A window is [starts_at, ends_at):
    the instant a phase ends, the next one applies.
    """
    if phase.starts_at is not None and now < phase.starts_at:
        return False
    if phase.ends_at is not None and now >= phase.ends_at:
        return False
    return phase.max_sold is None or sold < phase.max_sold


def current_phase(
    phases: Sequence[PricePhase], *, now: dt.datetime, sold: int
) -> PricePhase | None:
    """The first open phase in phase order (early bird before regular before late)."""
    return next(
        (
            phase
            for phase in sorted(phases, key=_phase_order)
            if phase_is_open(phase, now=now, sold=sold)
        ),
        None,
    )


def next_phase(
    phases: Sequence[PricePhase], *, after: PricePhase, now: dt.datetime
) -> PricePhase | None:
    """The phase that follows `after` and has not already ended: the next price step."""
    ordered = sorted(phases, key=_phase_order)
    later = ordered[ordered.index(after) + 1 :]
    return next((phase for phase in later if phase.ends_at is None or phase.ends_at > now), None)


def unit_discount(promo: PromoCode | None, *, unit_price: int) -> int:
    """What the code takes off one pass: a percentage (rounded down) or a fixed amount,
    never more than the price."""
    if promo is None:
        return 0
    if promo.kind == DiscountKind.PERCENT:
        return unit_price * promo.value // 100
    return min(promo.value, unit_price)


def promo_is_valid_at(promo: PromoCode, *, now: dt.datetime) -> bool:
    if promo.valid_from is not None and now < promo.valid_from:
        return False
    return promo.valid_until is None or now < promo.valid_until


@dataclass(frozen=True)
class LinePrice:
    """The frozen price of one order line."""

    phase: PricePhase
    unit_price: int
    unit_discount: int
    quantity: int

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.quantity

    @property
    def discount(self) -> int:
        return self.unit_discount * self.quantity
