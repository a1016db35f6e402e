"""What a verified e-mail address gives its account."""

from tickets.services.ownership import attach_guest_orders


def claim_guest_orders(*, user, email: str) -> int:
    """Orders placed as a guest with `email` become `user`'s, now that they proved the address
    is theirs: they show under "my tickets" and join the account's data export and erasure.
    Returns how many orders moved."""
    return attach_guest_orders(user=user, email=email)
