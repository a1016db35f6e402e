"""Who an order belongs to."""

from django.utils import timezone

from tickets.models import Order


def attach_guest_orders(*, user, email: str) -> int:
    """Give `user` every guest order placed with `email` (any case), once the account has
    proved the address; returns how many. Orders already linked to an account stay as they are,
    and so do erased ones (their e-mail was replaced, so they never match)."""
    guest_orders = Order.objects.filter(user__isnull=True, email__iexact=email.strip())
    return guest_orders.update(user=user, updated_at=timezone.now())
