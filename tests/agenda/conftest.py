"""The API tests' fixtures (an API client, a signed-in attendee, a clean cache) and the test
subscriber to domain events, shared here."""

from tests.api.conftest import (  # noqa: F401  (fixtures, found by name)
    _clean_cache,
    api_client,
    attendee,
    attendee_client,
    token_client_for,
)
from tests.core.test_domain_events import heard  # noqa: F401  (a fixture, found by name)
