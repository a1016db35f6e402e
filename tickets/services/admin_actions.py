"""Small writes behind organizer actions in the admin that no other flow owns."""

from django.db.models import QuerySet
from django.utils import timezone

from tickets import inventory
from tickets.models import InventoryPool, Order, OrderStatus, PassType


def allow_confirmation_resend(*, orders: QuerySet[Order]) -> int:
    """Clear `confirmation_sent_at` on the paid orders among `orders`; returns how many.

    The confirmation task sends once per order (it skips orders already stamped), so clearing
    the stamp is what lets the next run of the task send the e-mail again. Unpaid orders have
    no tickets to confirm and are left alone.
    """
    return orders.filter(status=OrderStatus.PAID).update(
        confirmation_sent_at=None, updated_at=timezone.now()
    )


def recount_pools_of(*, pass_type: PassType) -> None:
    """A pass joined or left shared pools: the counters of its event's pools count its passes
    from now on, or no longer (a pass with sales may move between pools)."""
    pools = InventoryPool.objects.filter(event_id=pass_type.event_id).values_list("pk", flat=True)
    inventory.repair_counters([], pools)
