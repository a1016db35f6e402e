"""Fixtures of the data-rights tests: API clients, localstripe (shared with tickets), a buyer."""

import pytest

from tests.api.conftest import api_client, attendee, attendee_client, token_client_for  # noqa: F401
from tests.factories import UserFactory
from tests.tickets.conftest import (  # noqa: F401
    checkout_stripe,
    deliver,
    localstripe_url,
    phone,
    stripe_settings,
    webhook_settings,
)


@pytest.fixture
def buyer(db):
    """An attendee account that buys passes while signed in."""
    return UserFactory(username="grace", first_name="Grace", last_name="Hopper",
                       email="grace@example.com")  # fmt: skip
