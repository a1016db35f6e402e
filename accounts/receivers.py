"""allauth's signals, handed straight to our services."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from accounts.services import claim_guest_orders


@receiver(email_confirmed)
def on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    claim_guest_orders(user=email_address.user, email=email_address.email)
