"""Request throttles whose rates come from settings on every request (tunable, testable)."""

from django.conf import settings
from rest_framework import throttling


class SettingsRateMixin:
    """Reads the rate of `scope` from GREENROOM_THROTTLE_RATES instead of import-time settings."""

    def get_rate(self) -> str:
        return settings.GREENROOM_THROTTLE_RATES[self.scope]


class AnonymousRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    """Anonymous clients, by IP address."""


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """Signed-in users, by account."""


class AuthRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    """Credential checks (token exchange), by IP address: slows password guessing."""

    scope = "auth"
