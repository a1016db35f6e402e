"""What every page of the public site needs to know."""

from django.conf import settings


def site(request) -> dict:
    """`payments_simulated`: Stripe is the local test server (`make run`), so a banner says so."""
    return {"payments_simulated": settings.GREENROOM_PAYMENTS_SIMULATED}
