"""Placing, reading and cancelling orders through the API; who may see what."""

import itertools

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import PassTypeFactory, PromoCodeFactory, UserFactory
from tickets.models import ORDER_CODE_ALPHABET, Order

pytestmark = pytest.mark.django_db

RETRY_KEY = "5aef895e-5628-4c5a-8ada-22486eb21347"  # Idempotency-Keys are random UUIDs

ORDERS = reverse("order-list")


def order_body(pass_type, quantity=1, **fields) -> dict:
    return {
        "event": pass_type.event.slug,
        "lines": [{"pass_type": pass_type.pk, "quantity": quantity}],
        "email": "buyer@example.com",
        **fields,
    }


def test_placing_an_order_answers_201_with_code_totals_hold_and_link_key():
    pass_type = PassTypeFactory(phase__price=12500, event__time_zone="Asia/Shanghai")

    response = APIClient().post(ORDERS, order_body(pass_type, 2), format="json")

    body = response.json()
    assert response.status_code == 201
    assert (body["status"], body["total"]) == ("pending", {"amount": 25000, "currency": "usd"})
    assert body["lines"][0]["unit_price"] == {"amount": 12500, "currency": "usd"}
    assert body["hold_expires_at"].endswith("Z")
    assert len(body["code"]) == 12
    assert len(body["key"]) >= 32


def test_client_cannot_set_prices_totals_or_status():
    pass_type = PassTypeFactory(phase__price=12500)
    tampered = order_body(pass_type, status="paid", total={"amount": 1}, unit_price=1)
    tampered["lines"][0] |= {"unit_price": 1, "price": 1}

    body = APIClient().post(ORDERS, tampered, format="json").json()

    assert (body["status"], body["total"]["amount"]) == ("pending", 12500)


def test_retry_with_the_same_idempotency_key_gets_the_first_answer():
    pass_type = PassTypeFactory()
    client = APIClient()

    first = client.post(
        ORDERS,
        order_body(pass_type),
        format="json",
        HTTP_IDEMPOTENCY_KEY=RETRY_KEY,
    )
    retry = client.post(
        ORDERS,
        order_body(pass_type),
        format="json",
        HTTP_IDEMPOTENCY_KEY=RETRY_KEY,
    )

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (lambda pt: {"lines": [{"pass_type": pt.pk, "quantity": 11}]}, 400, "exceeds_order_limit"),
        (lambda pt: {"promo_code": "NOPE"}, 400, "invalid_promo_code"),
        (lambda pt: {"lines": [{"pass_type": pt.pk, "quantity": 1000}]}, 400, "invalid"),
        (lambda pt: {"lines": []}, 400, "invalid"),
        (lambda pt: {"email": "not-an-email"}, 400, "invalid"),
        (lambda pt: {"event": "no-such-event"}, 404, "not_found"),
        (lambda pt: {"lines": [{"pass_type": 2**70, "quantity": 1}]}, 400, "invalid"),
    ],
    ids=["over-limit", "bad-promo", "absurd-quantity", "no-lines", "bad-email", "no-event",
         "huge-id"],
)  # fmt: skip
def test_bad_order_gets_a_clear_error_and_writes_nothing(change, status, code):
    pass_type = PassTypeFactory(max_per_order=10)

    response = APIClient().post(ORDERS, order_body(pass_type) | change(pass_type), format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert Order.objects.count() == 0


def test_sold_out_answers_409_with_what_is_left():
    pass_type = PassTypeFactory(capacity=1)

    response = APIClient().post(ORDERS, order_body(pass_type, 2), format="json")

    assert response.status_code == 409
    assert response.json()["available"] == {str(pass_type.pk): 1}


def test_signed_in_buyer_owns_the_order_and_sees_it_listed():
    pass_type = PassTypeFactory()
    buyer = UserFactory(email="me@example.com")
    client = APIClient()
    client.force_authenticate(buyer)

    placed = client.post(
        ORDERS, {"event": pass_type.event.slug, "lines": [{"pass_type": pass_type.pk,
                                                           "quantity": 1}]}, format="json"
    ).json()  # fmt: skip
    listed = client.get(ORDERS).json()

    assert placed["email"] == "me@example.com"
    assert [order["code"] for order in listed["results"]] == [placed["code"]]


def test_order_is_visible_to_its_buyer_or_its_link_key_and_404_to_anyone_else():
    pass_type = PassTypeFactory()
    buyer, stranger = UserFactory(), UserFactory()
    buyer_client, stranger_client, anonymous = APIClient(), APIClient(), APIClient()
    buyer_client.force_authenticate(buyer)
    stranger_client.force_authenticate(stranger)
    placed = buyer_client.post(ORDERS, order_body(pass_type), format="json").json()
    url = reverse("order-detail", args=[placed["code"]])

    assert buyer_client.get(url).status_code == 200
    assert anonymous.get(url, {"key": placed["key"]}).status_code == 200
    assert anonymous.get(url, HTTP_X_ORDER_KEY=placed["key"]).status_code == 200
    assert stranger_client.get(url).status_code == 404
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(url, {"key": "guess"}).status_code == 404
    assert stranger_client.get(ORDERS).json()["results"] == []


def test_cancel_releases_the_hold_and_cancelling_again_is_harmless():
    pass_type = PassTypeFactory(capacity=1)
    client = APIClient()
    placed = client.post(ORDERS, order_body(pass_type), format="json").json()
    url = reverse("order-cancel", args=[placed["code"]])

    first = client.post(f"{url}?key={placed['key']}")
    again = client.post(f"{url}?key={placed['key']}")
    rebuy = client.post(ORDERS, order_body(pass_type), format="json")

    assert (first.json()["status"], again.status_code, rebuy.status_code) == ("cancelled", 200, 201)


def test_my_orders_need_signing_in():
    assert APIClient().get(ORDERS).status_code == 401


def test_order_codes_are_unguessable_and_do_not_follow_each_other():
    pass_type = PassTypeFactory(capacity=None)
    client = APIClient()

    codes = [client.post(ORDERS, order_body(pass_type), format="json").json()["code"]
             for _ in range(20)]  # fmt: skip

    assert len(set(codes)) == 20
    assert all(len(code) == 12 and set(code) <= set(ORDER_CODE_ALPHABET) for code in codes)
    # Random codes share no prefix with the one placed just before (a sequence would).
    assert all(earlier[:4] != later[:4] for earlier, later in itertools.pairwise(codes))


def test_hidden_pass_is_bought_with_the_code_that_unlocks_it():
    pass_type = PassTypeFactory(visibility="hidden")
    promo = PromoCodeFactory(event=pass_type.event, code="FOUNDERS", unlocks_hidden=True, value=10)
    promo.pass_types.add(pass_type)

    without = APIClient().post(ORDERS, order_body(pass_type), format="json")
    with_code = APIClient().post(
        ORDERS, order_body(pass_type, promo_code="founders"), format="json"
    )

    assert (without.status_code, without.json()["code"]) == (400, "pass_not_available")
    assert with_code.status_code == 201
    assert with_code.json()["promo_code"] == "FOUNDERS"
