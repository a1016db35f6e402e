"""Fixtures of the API tests: an API client, a signed-in attendee, and a clean cache."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    """Throttle counters and cached bundles live in the cache; each test starts without any."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def attendee(db):
    return UserFactory(username="attendee")


@pytest.fixture
def token_client_for(db):
    """Makes a client that signs in the way apps do: with the user's API token in a header."""

    def make(user) -> APIClient:
        token, _ = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def attendee_client(attendee, token_client_for) -> APIClient:
    return token_client_for(attendee)
