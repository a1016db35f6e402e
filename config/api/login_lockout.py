"""Locking out password guessing, per account and per client address, for a time.

Both places that check passwords use it: the admin's sign-in form (config/admin_login.py) and
the API's token exchange (config/api/auth.py), so failures at either count for both.

An account with GREENROOM_LOGIN_MAX_FAILURES failed sign-ins, or a client address with
GREENROOM_LOGIN_MAX_FAILURES_PER_ADDRESS (counted over all accounts), within
GREENROOM_LOGIN_FAILURE_WINDOW_SECONDS of its first failure, is locked out for
GREENROOM_LOGIN_LOCKOUT_SECONDS: signing in is refused, right password or not, and unlocks by
itself when the time is up. Each lockout is logged and written to the audit log.

Every attempt is counted before its password is checked, so guesses sent in parallel cannot
slip past the limit together; a successful one is taken back, and forgives its account's
earlier failures (not its address's: one's own account must not reset a guesser's count).
Counters live in the shared cache with the API throttles, and fail open with it: while Redis
does not answer, nobody is locked out (and nobody is locked out by Redis being away).
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from config.api.throttling import client_address, decrement, increment
from core.audit import record
from core.exceptions import RateLimitedError
from core.models import AuditAction
from core.networks import client_network

logger = logging.getLogger(__name__)


class LoginLockedOut(RateLimitedError):
    """Signing in is refused for now; the message says why and for how long."""

    code = "locked_out"

    def __init__(self, seconds_left: float) -> None:
        minutes = max(1, math.ceil(seconds_left / 60))
        super().__init__(
            "Too many failed sign-in attempts for this account or from this network. "
            f"Signing in is locked; try again in {minutes} minute{'s' if minutes > 1 else ''}.",
            extra={"retry_after": max(1, math.ceil(seconds_left))},
        )


@dataclass(frozen=True)
class Counted:
    """One thing failures are counted against: an account or a client address."""

    kind: str  # "account" or "address"
    key: str  # hashed for accounts: a username may be long, odd, or somebody's password
    limit: int
    count: int = 0

    @property
    def counter_key(self) -> str:
        return f"greenroom:login:failures:{self.kind}:{self.key}"

    @property
    def lock_key(self) -> str:
        return f"greenroom:login:locked:{self.kind}:{self.key}"


@dataclass(frozen=True)
class LoginAttempt:
    """A sign-in being tried: what it was counted against, and the username it names."""

    username: str
    counted: tuple[Counted, ...]


def account_key(username: str) -> str:
    return hashlib.blake2b(username.casefold().encode(), digest_size=16).hexdigest()


def seconds_locked(counted: Counted) -> float:
    """How long `counted` stays locked out; 0 when it is not."""
    unlocks_at = cache.get(counted.lock_key)
    return max(0.0, unlocks_at - time.time()) if unlocks_at else 0.0


def begin_login_attempt(request, username: str) -> LoginAttempt:
    """Count a sign-in about to be tried, or raise LoginLockedOut if it may not be."""
    counted = tuple(
        item
        for item in (
            Counted("account", account_key(username), settings.GREENROOM_LOGIN_MAX_FAILURES),
            Counted(
                "address",
                client_network(client_address(request)) or client_address(request),
                settings.GREENROOM_LOGIN_MAX_FAILURES_PER_ADDRESS,
            ),
        )
        if item.limit > 0  # 0 turns that limit off
    )
    locked_for = max((seconds_locked(item) for item in counted), default=0)
    if locked_for:
        raise LoginLockedOut(locked_for)
    window = settings.GREENROOM_LOGIN_FAILURE_WINDOW_SECONDS
    counted = tuple(
        Counted(item.kind, item.key, item.limit, increment(item.counter_key, timeout=window))
        for item in counted
    )
    if any(item.count > item.limit for item in counted):
        # Attempts already under way use up the allowance; this one is not tried.
        for item in counted:
            decrement(item.counter_key)
        raise LoginLockedOut(settings.GREENROOM_LOGIN_LOCKOUT_SECONDS)
    return LoginAttempt(username=username, counted=counted)


def fail_login_attempt(attempt: LoginAttempt) -> None:
    """The attempt failed: lock out its account or address if it was the last one allowed."""
    for item in attempt.counted:
        if item.count >= item.limit:
            lock_out(item, username=attempt.username)


def succeed_login_attempt(attempt: LoginAttempt) -> None:
    """The attempt signed in: forget its account's failures, and this attempt's count."""
    for item in attempt.counted:
        if item.kind == "account":
            cache.delete(item.counter_key)
        else:
            decrement(item.counter_key)


def lock_out(counted: Counted, *, username: str) -> None:
    """Lock `counted` out (once, if parallel failures race here), then log and audit it."""
    seconds = settings.GREENROOM_LOGIN_LOCKOUT_SECONDS
    if not cache.add(counted.lock_key, time.time() + seconds, timeout=seconds):
        return
    cache.delete(counted.counter_key)  # after the lockout, a fresh allowance
    if counted.kind == "account":
        user_model = get_user_model()
        user_id = (
            user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username})
            .values_list("pk", flat=True)
            .first()
        )
        # An unknown username is not written down: it may be a password typed in the wrong box.
        subject_type, subject_id = "auth.user", str(user_id or "")
        who = f"account {user_id}" if user_id else "an unknown account"
    else:
        subject_type, subject_id, who = "client network", counted.key, f"network {counted.key}"
    logger.warning(
        "Sign-in locked for %d s: %s after %d failed attempts.", seconds, who, counted.limit
    )
    record(
        actor=AnonymousUser(),
        action=AuditAction.LOCKED_OUT,
        subject_type=subject_type,
        subject_id=subject_id,
        object_count=counted.limit,
        detail=f"sign-in locked for {seconds} s after {counted.limit} failed attempts",
    )
