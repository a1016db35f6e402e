"""Sign-in to the admin: failures lock an account or an address out for a while, audited."""

import logging
import time

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

RIGHT_PASSWORD = "correct-horse-battery"  # tests/factories.py


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.GREENROOM_LOGIN_MAX_FAILURES = 3
    settings.GREENROOM_LOGIN_MAX_FAILURES_PER_ADDRESS = 5
    settings.GREENROOM_LOGIN_FAILURE_WINDOW_SECONDS = 600
    settings.GREENROOM_LOGIN_LOCKOUT_SECONDS = 600


def sign_in(client: Client, username: str, password: str, *, address: str = "203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail_times(count: int, username: str, *, address: str = "203.0.113.7") -> None:
    for _ in range(count):
        sign_in(Client(), username, "wrong", address=address)


def test_right_password_is_refused_once_the_account_is_locked_out(client, organizer):
    fail_times(3, "organizer")

    sign_in(client, "organizer", RIGHT_PASSWORD)

    assert is_signed_in(client) is False


def test_locked_out_login_form_says_why_and_for_how_long(client, organizer):
    fail_times(3, "organizer")

    page = sign_in(client, "organizer", RIGHT_PASSWORD)

    assert page.status_code == 200
    assert page.context["form"].non_field_errors() == [
        "Too many failed sign-in attempts for this account or from this network. "
        "Signing in is locked; try again in 10 minutes."
    ]


def test_failures_from_many_addresses_lock_the_account(client, organizer):
    for number in range(3):
        fail_times(1, "organizer", address=f"198.51.100.{number}")

    sign_in(client, "organizer", RIGHT_PASSWORD, address="192.0.2.1")

    assert is_signed_in(client) is False


def test_failures_for_many_accounts_from_one_address_lock_the_address(client, organizer):
    for number in range(5):
        fail_times(1, f"guess-{number}")

    sign_in(client, "organizer", RIGHT_PASSWORD)

    assert is_signed_in(client) is False


def test_failures_from_addresses_of_one_ipv6_64_lock_the_whole_64(client, organizer):
    for number in range(5):
        fail_times(1, f"guess-{number}", address=f"2001:db8:7:7::{number + 1}")

    sign_in(client, "organizer", RIGHT_PASSWORD, address="2001:db8:7:7::99")

    assert is_signed_in(client) is False


def test_an_address_behind_the_trusted_proxy_is_counted_as_the_client(client, organizer, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for number in range(5):
        Client(HTTP_X_FORWARDED_FOR="203.0.113.99").post(
            reverse("admin:login"),
            {"username": f"guess-{number}", "password": "wrong"},
            REMOTE_ADDR=f"10.0.0.{number}",
        )

    client.post(
        reverse("admin:login"),
        {"username": "organizer", "password": RIGHT_PASSWORD},
        REMOTE_ADDR="10.0.0.200",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )

    assert is_signed_in(client) is False


def test_lockout_ends_by_itself_after_its_time(client, organizer, settings):
    settings.GREENROOM_LOGIN_LOCKOUT_SECONDS = 1
    fail_times(3, "organizer")
    too_early = Client()
    sign_in(too_early, "organizer", RIGHT_PASSWORD)

    time.sleep(1.2)
    sign_in(client, "organizer", RIGHT_PASSWORD)

    assert (is_signed_in(too_early), is_signed_in(client)) == (False, True)


def test_account_lockout_is_recorded_in_the_audit_log(organizer):
    fail_times(3, "organizer")

    entries = AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT)

    assert [(entry.subject_type, entry.subject_id) for entry in entries] == [
        ("auth.user", str(organizer.pk))
    ]


def test_address_lockout_is_recorded_in_the_audit_log(db):
    for number in range(5):
        fail_times(1, f"guess-{number}", address="2001:db8::7")

    entries = AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT)

    assert [(entry.subject_type, entry.subject_id) for entry in entries] == [
        ("client network", "2001:db8::/64")
    ]


def test_account_lockout_is_logged(organizer, caplog):
    with caplog.at_level(logging.WARNING, logger="config.api.login_lockout"):
        fail_times(3, "organizer")

    assert [record.getMessage() for record in caplog.records] == [
        f"Sign-in locked for 600 s: account {organizer.pk} after 3 failed attempts."
    ]


def test_admin_sign_in_failures_lock_the_api_token_exchange_too(organizer):
    fail_times(3, "organizer")

    answer = Client().post(
        "/api/v1/auth/token/",
        {"username": "organizer", "password": RIGHT_PASSWORD},
        content_type="application/json",
    )

    assert (answer.status_code, answer.json()["code"]) == (429, "locked_out")
