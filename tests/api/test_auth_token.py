"""Token exchange (/api/v1/auth/token/), token and Bearer headers, and request throttling."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "correct-horse-battery"
ME_URL = "/api/v1/me/agenda/"
STRICT_AUTH_RATES = {"anon": "1000/min", "user": "1000/min", "auth": "3/min"}


@pytest.fixture
def user(db):
    return UserFactory(username="maya", email="maya@example.com")


def client_with_header(value: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=value)
    return client


@pytest.mark.parametrize(
    "login",
    ["maya", "maya@example.com", "MAYA@Example.com"],
    ids=["username", "email", "email-other-case"],
)
def test_token_post_with_credentials_gives_the_accounts_token(api_client, user, login):
    response = api_client.post(TOKEN_URL, {"username": login, "password": PASSWORD})

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


def test_token_post_twice_gives_the_same_token(api_client, user):
    credentials = {"username": "maya", "password": PASSWORD}

    first = api_client.post(TOKEN_URL, credentials)
    second = api_client.post(TOKEN_URL, credentials)

    assert first.json() == second.json()


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "maya", "password": "wrong-horse-battery"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "nobody@example.com", "password": PASSWORD},
        {"username": "maya", "password": " correct-horse-battery"},
    ],
    ids=["wrong-password", "unknown-username", "unknown-email", "password-with-space"],
)
def test_token_post_with_bad_credentials_is_400_invalid(api_client, user, credentials):
    response = api_client.post(TOKEN_URL, credentials)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == ["non_field_errors"]
    assert not Token.objects.exists()


def test_token_post_unknown_account_answers_like_a_wrong_password(api_client, user):
    wrong_password = api_client.post(TOKEN_URL, {"username": "maya", "password": "nope"})

    unknown_account = api_client.post(TOKEN_URL, {"username": "ghost", "password": "nope"})

    assert unknown_account.json() == wrong_password.json()


def test_token_post_for_inactive_account_is_400(api_client):
    UserFactory(username="gone", is_active=False)

    response = api_client.post(TOKEN_URL, {"username": "gone", "password": PASSWORD})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    ("payload", "fields_in_error"),
    [
        ({}, {"username", "password"}),
        ({"username": "maya"}, {"password"}),
        ({"password": PASSWORD}, {"username"}),
        ({"username": "", "password": ""}, {"username", "password"}),
    ],
    ids=["nothing", "no-password", "no-username", "blank"],
)
def test_token_post_with_missing_fields_is_400_per_field(
    api_client, user, payload, fields_in_error
):
    response = api_client.post(TOKEN_URL, payload)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == fields_in_error


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_token_in_authorization_header_signs_in(user, keyword):
    token = Token.objects.create(user=user)

    response = client_with_header(f"{keyword} {token.key}").get(ME_URL)

    assert response.status_code == 200


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_unknown_token_is_401_authentication_failed(user, keyword):
    Token.objects.create(user=user)

    response = client_with_header(f"{keyword} 0123456789abcdef0123456789abcdef01234567").get(ME_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_delete_revokes_the_token(user):
    token = Token.objects.create(user=user)
    client = client_with_header(f"Token {token.key}")

    revoked = client.delete(TOKEN_URL)
    after = client.get(ME_URL)

    assert revoked.status_code == 204
    assert (after.status_code, after.json()["code"]) == (401, "authentication_failed")
    assert not Token.objects.filter(user=user).exists()


def test_token_delete_anonymous_is_401(api_client):
    response = api_client.delete(TOKEN_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_token_post_after_revoking_gives_a_new_token(api_client, user):
    old = Token.objects.create(user=user)
    client_with_header(f"Token {old.key}").delete(TOKEN_URL)

    response = api_client.post(TOKEN_URL, {"username": "maya", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json()["token"] != old.key


def test_token_post_is_throttled_after_the_auth_rate(settings, api_client, user):
    settings.GREENROOM_THROTTLE_RATES = STRICT_AUTH_RATES
    guesses = [{"username": "maya", "password": f"guess-{n}"} for n in range(4)]

    responses = [api_client.post(TOKEN_URL, guess) for guess in guesses]

    assert [response.status_code for response in responses] == [400, 400, 400, 429]
    throttled = responses[-1]
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0


def test_token_post_throttle_also_stops_the_right_password(settings, api_client, user):
    settings.GREENROOM_THROTTLE_RATES = STRICT_AUTH_RATES
    for n in range(3):
        api_client.post(TOKEN_URL, {"username": "maya", "password": f"guess-{n}"})

    response = api_client.post(TOKEN_URL, {"username": "maya", "password": PASSWORD})

    assert response.status_code == 429
    assert not Token.objects.exists()


def test_token_post_throttle_applies_when_signed_in_with_a_token(settings, user):
    settings.GREENROOM_THROTTLE_RATES = STRICT_AUTH_RATES
    attacker = UserFactory(username="attacker")
    client = client_with_header(f"Token {Token.objects.create(user=attacker).key}")
    guesses = [{"username": "maya", "password": f"guess-{n}"} for n in range(4)]

    responses = [client.post(TOKEN_URL, guess) for guess in guesses]

    assert [response.status_code for response in responses] == [400, 400, 400, 429]


def test_public_read_is_throttled_for_anonymous_clients(settings, api_client):
    settings.GREENROOM_THROTTLE_RATES = {**STRICT_AUTH_RATES, "anon": "2/min"}

    responses = [api_client.get("/api/v1/events/") for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 429]
    assert responses[-1].json()["code"] == "throttled"
    assert int(responses[-1]["Retry-After"]) > 0


def test_signed_in_reads_are_throttled_per_user(settings, user):
    settings.GREENROOM_THROTTLE_RATES = {**STRICT_AUTH_RATES, "user": "2/min"}
    client = client_with_header(f"Token {Token.objects.create(user=user).key}")

    responses = [client.get(ME_URL) for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 429]
    assert responses[-1].json()["code"] == "throttled"


def test_user_throttle_counts_each_user_separately(settings, user):
    settings.GREENROOM_THROTTLE_RATES = {**STRICT_AUTH_RATES, "user": "2/min"}
    busy = client_with_header(f"Token {Token.objects.create(user=user).key}")
    for _ in range(2):
        busy.get(ME_URL)
    other = UserFactory(username="other")
    other_client = client_with_header(f"Token {Token.objects.create(user=other).key}")

    response = other_client.get(ME_URL)

    assert response.status_code == 200


def test_token_post_is_refused_while_the_account_is_locked_out(api_client, user, settings):
    settings.GREENROOM_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        api_client.post(TOKEN_URL, {"username": "maya", "password": "wrong-horse-battery"})

    response = api_client.post(TOKEN_URL, {"username": "maya", "password": PASSWORD})

    assert (response.status_code, response.json()["code"]) == (429, "locked_out")
    assert response["Retry-After"] == str(settings.GREENROOM_LOGIN_LOCKOUT_SECONDS)
