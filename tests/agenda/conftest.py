"""The API tests' fixtures (an API client, a signed-in attendee, a clean cache), shared here."""

from tests.api.conftest import (  # noqa: F401  (fixtures, found by name)
    _clean_cache,
    api_client,
    attendee,
    attendee_client,
    token_client_for,
)
