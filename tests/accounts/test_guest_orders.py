"""A verified e-mail address brings the guest orders placed with it into the account."""

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed

from tests.factories import PassTypeFactory, UserFactory
from tickets.models import Order
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db


def guest_order(email: str) -> Order:
    pass_type = PassTypeFactory()
    order, _ = place_order(event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email=email)
    return order


def confirm(user, email: str) -> None:
    address = EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)


def test_confirming_an_email_gives_the_account_its_guest_orders_in_any_case():
    order = guest_order("Ada@Example.com")
    ada = UserFactory(email="ada@example.com")

    confirm(ada, "ada@example.com")

    assert Order.objects.get(pk=order.pk).user == ada


def test_confirming_an_email_leaves_other_peoples_orders_alone():
    other = guest_order("grace@example.com")
    owned = guest_order("ada@example.com")
    someone = UserFactory()
    Order.objects.filter(pk=owned.pk).update(user=someone)
    ada = UserFactory(email="ada@example.com")

    confirm(ada, "ada@example.com")

    assert Order.objects.get(pk=other.pk).user is None
    assert Order.objects.get(pk=owned.pk).user == someone
