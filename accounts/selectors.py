"""Reads about accounts: which e-mail addresses an account has proved are its own."""

from allauth.account.models import EmailAddress
from django.db.models import QuerySet
from django.db.models.functions import Lower


def verified_emails(user) -> QuerySet:
    """The account's verified addresses (allauth's EmailAddress), in lowercase, as a lazy
    query another query can nest; none for an anonymous user."""
    if not user.is_authenticated:
        return EmailAddress.objects.none().values_list("email", flat=True)
    return EmailAddress.objects.filter(user=user, verified=True).values_list(
        Lower("email"), flat=True
    )
