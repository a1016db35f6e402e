"""A phone signs up, verifies its e-mail and uses our API, through allauth's headless API."""

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from tests.factories import PassTypeFactory
from tickets.models import Order
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db

APP = "/_allauth/app/v1"
PASSWORD = "a long and unusual passphrase"


def verification_key() -> str:
    (message,) = mail.outbox
    return re.search(r"/accounts/confirm-email/([^/\s]+)/", message.body).group(1)


def sign_up(client: APIClient, email: str) -> str:
    answer = client.post(
        f"{APP}/auth/signup", {"email": email, "password": PASSWORD}, format="json"
    )
    assert answer.status_code == 401  # signed up, e-mail not yet verified
    return answer.json()["meta"]["session_token"]


def test_app_signs_up_verifies_and_its_session_token_opens_our_api():
    client = APIClient()
    token = sign_up(client, "phone@example.com")

    verified = client.post(
        f"{APP}/auth/email/verify",
        {"key": verification_key()},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )
    signed_in_token = verified.json()["meta"]["session_token"]
    agenda = client.get("/api/v1/me/agenda/", HTTP_X_SESSION_TOKEN=signed_in_token)

    assert verified.status_code == 200
    assert verified.json()["data"]["user"]["email"] == "phone@example.com"
    assert agenda.status_code == 200


def test_unverified_app_session_token_does_not_open_our_api():
    client = APIClient()
    token = sign_up(client, "phone@example.com")

    agenda = client.get("/api/v1/me/agenda/", HTTP_X_SESSION_TOKEN=token)

    assert agenda.status_code in (401, 403)


def test_app_verification_brings_in_the_guest_orders_of_that_email():
    pass_type = PassTypeFactory()
    order, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email="phone@example.com"
    )
    client = APIClient()
    token = sign_up(client, "phone@example.com")

    verified = client.post(
        f"{APP}/auth/email/verify",
        {"key": verification_key()},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )
    signed_in_token = verified.json()["meta"]["session_token"]
    mine = client.get("/api/v1/orders/", HTTP_X_SESSION_TOKEN=signed_in_token).json()

    assert Order.objects.get(pk=order.pk).user.email == "phone@example.com"
    assert [entry["code"] for entry in mine["results"]] == [order.code]


def test_app_logs_in_with_email_and_password_once_verified():
    client = APIClient()
    token = sign_up(client, "phone@example.com")
    client.post(
        f"{APP}/auth/email/verify",
        {"key": verification_key()},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )

    login = APIClient().post(
        f"{APP}/auth/login", {"email": "phone@example.com", "password": PASSWORD}, format="json"
    )

    assert login.status_code == 200
    assert login.json()["meta"]["session_token"]
