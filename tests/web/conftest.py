"""The site's tests pay through the same local Stripe server and signed webhooks as the API's."""

from tests.tickets.conftest import (  # noqa: F401  (fixtures)
    deliver,
    localstripe_url,
    phone,
    stripe_settings,
    webhook_settings,
)
