"""Request throttles: a fixed-window counter per client in the shared cache.

A counter costs one cache round trip per request on Redis, where DRF's sliding-window
throttles read and rewrite the whole list of recent request times. Rates come from
settings.GREENROOM_THROTTLE_RATES on every request, so deployments and tests can tune them.
"""

import contextlib
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """`"20/min"` → (20, 60): requests allowed, and the window in seconds."""
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


def increment(key: str, *, timeout: float) -> int:
    """Add one to the counter at `key` and return it; a new counter lives `timeout` seconds
    (adding to it later does not extend that). One round trip on Redis (config/cache.py), up
    to three on other caches."""
    count_up = getattr(cache, "count_up", None)
    if count_up is not None:
        return count_up(key, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        return 1 if cache.add(key, 1, timeout=timeout) else cache.incr(key)


def decrement(key: str) -> None:
    """Take one back from the counter at `key`, unless its window ended and took it along."""
    with contextlib.suppress(ValueError):
        cache.decr(key)


def client_address(request) -> str:
    """The client's IP address as every throttle counts it: the socket's, or the one the
    NUM_PROXIES trusted proxies in front of the site report (X-Forwarded-For)."""
    return BaseThrottle().get_ident(request)


class FixedWindowThrottle(BaseThrottle):
    """At most N requests per window for each client; subclasses say who the client is."""

    scope: str

    def client_key(self, request) -> str | None:
        """Who is counted, or None to leave the request to other throttles."""
        return None

    counted_key: str | None = None

    def allow_request(self, request, view) -> bool:
        client = self.client_key(request)
        if client is None:
            return True
        allowed, window = parse_rate(settings.GREENROOM_THROTTLE_RATES[self.scope])
        now = time.time()
        window_index = int(now // window)
        self.counted_key = f"greenroom:throttle:{self.scope}:{client}:{window_index}"
        count = increment(self.counted_key, timeout=window + 1)
        self.retry_after = (window_index + 1) * window - now
        return count <= allowed

    def wait(self) -> float:
        return self.retry_after


class AnonymousRateThrottle(FixedWindowThrottle):
    """Anonymous clients, by IP address (behind NUM_PROXIES trusted proxies)."""

    scope = "anon"

    def client_key(self, request) -> str | None:
        return None if request.user.is_authenticated else self.get_ident(request)


class UserRateThrottle(FixedWindowThrottle):
    """Signed-in users, by account."""

    scope = "user"

    def client_key(self, request) -> str | None:
        return str(request.user.pk) if request.user.is_authenticated else None


class AuthRateThrottle(FixedWindowThrottle):
    """Credential checks (token exchange), by IP address, signed in or not: slows password
    guessing even by someone who holds a token of their own."""

    scope = "auth"

    def client_key(self, request) -> str:
        return self.get_ident(request)


class OrderRateThrottle(FixedWindowThrottle):
    """Placing orders, per account or (anonymous) per IP address: holds cost inventory."""

    scope = "orders"

    def client_key(self, request) -> str:
        return (
            f"user-{request.user.pk}" if request.user.is_authenticated else self.get_ident(request)
        )


class CheckInRateThrottle(FixedWindowThrottle):
    """Door scans, per staff account."""

    scope = "checkin"

    def client_key(self, request) -> str | None:
        return str(request.user.pk) if request.user.is_authenticated else None


class PromoCodeRateThrottle(FixedWindowThrottle):
    """Promo code attempts, per account or (anonymous) per IP address, against guessing.

    Every request carrying a code is counted up front (so parallel guesses cannot slip past
    the limit together), and the view calls `forgive()` once the code proved right: only
    wrong codes use up the allowance. Past the limit, right codes wait too, or the answer
    would tell a guesser which code is right.
    """

    scope = "promo"

    def client_key(self, request) -> str | None:
        if not promo_code_of(request):
            return None
        return (
            f"user-{request.user.pk}" if request.user.is_authenticated else self.get_ident(request)
        )

    def forgive(self) -> None:
        """Take back this request's count: its code was right."""
        if self.counted_key is None:
            return
        decrement(self.counted_key)


def promo_code_of(request) -> str:
    """The promo code a request tries: `?promo_code=` or a JSON body's `promo_code`."""
    code = request.query_params.get("promo_code")
    if code is None and request.method == "POST" and isinstance(request.data, dict):
        code = request.data.get("promo_code")
    return code.strip() if isinstance(code, str) else ""
