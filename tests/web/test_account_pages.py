"""My account: orders, agenda, data and erasure, through the same services as the API."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from agenda.services import add_bookmark
from tests.factories import PassTypeFactory, SessionFactory, UserFactory
from tickets.models import Order
from tickets.services.fulfilment import fulfil_order
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(client):
    user = UserFactory(email="ada@example.com")
    client.force_login(user)
    return user


def test_account_page_needs_a_signed_in_person(client):
    response = client.get(reverse("web:account"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_account_page_lists_my_orders_and_bookmarked_sessions(client, ada):
    pass_type = PassTypeFactory(name="Expo")
    order, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email=ada.email, user=ada
    )
    session = SessionFactory(title="Robotaxis at scale", is_published=True)
    add_bookmark(user=ada, session=session)

    page = client.get(reverse("web:account")).content.decode()

    assert order.code in page
    assert "Robotaxis at scale" in page


def test_account_page_does_not_show_other_peoples_orders(client, ada):
    pass_type = PassTypeFactory()
    other, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email="grace@example.com"
    )

    page = client.get(reverse("web:account")).content.decode()

    assert other.code not in page


def test_erasing_without_confirming_keeps_the_account_and_says_why(client, ada):
    response = client.post(reverse("web:delete-account"), {})

    assert response.status_code == 400
    assert "Tick both boxes" in response.content.decode()
    assert get_user_model().objects.filter(pk=ada.pk).exists()


def test_erasing_with_confirmation_deletes_the_account_and_anonymises_its_orders(client, ada):
    pass_type = PassTypeFactory()
    order, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email=ada.email, user=ada
    )

    response = client.post(reverse("web:delete-account"), {"confirm": "yes"})

    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=ada.pk).exists()
    assert Order.objects.get(pk=order.pk).email != "ada@example.com"


def test_staff_account_is_not_erased_from_the_site(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    response = client.post(reverse("web:delete-account"), {"confirm": "yes"})

    assert response.status_code == 400
    assert get_user_model().objects.filter(pk=staff.pk).exists()


@pytest.mark.parametrize("orders", [1, 8])
def test_account_page_runs_a_fixed_number_of_queries(
    client, ada, django_assert_num_queries, orders
):
    pass_type = PassTypeFactory(max_per_order=10)
    for _ in range(orders):
        order, _ = place_order(
            event=pass_type.event, lines=[LineRequest(pass_type.pk, 2)], email=ada.email, user=ada
        )
        fulfil_order(
            order=order, payment=None, amount_received=order.total, currency_received=order.currency
        )

    # 8, the speaker pages of verified addresses, and whether programme notices are on
    with django_assert_num_queries(10):
        client.get(reverse("web:account"))
