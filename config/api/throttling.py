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


class AuthRateThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Credential checks (token exchange), by IP address, signed in or not: slows password
    guessing even by someone who holds a token of their own."""

    scope = "auth"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
