"""Redis as Django's cache, failing open: a Redis outage slows the site down, never breaks it.

Throttle counters, the public API's micro-cache and rendered bodies live in the cache. While
Redis does not answer, `FailOpenRedisCache` behaves like a cache that forgets everything at
once: reads miss, writes are accepted and lost, a counter is missing (so it starts again).
Throttles then let requests through and answers are computed afresh, where the plain Redis
backend would turn every request into a 500.
"""

import functools
import logging
import math
import time
from collections.abc import Callable

from django.core.cache.backends.redis import RedisCache
from redis import RedisError

logger = logging.getLogger(__name__)

# While Redis is away each process warns once per this many seconds, not once per request.
WARNING_INTERVAL_SECONDS = 60.0
_last_warning = -WARNING_INTERVAL_SECONDS


def _warn(error: RedisError) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARNING_INTERVAL_SECONDS:
        _last_warning = now
        logger.warning("The Redis cache does not answer (%s); serving without it.", error)


def _fail_open(method: Callable, answer: Callable) -> Callable:
    """`method`, answering `answer(*args, **kwargs)` instead when Redis fails."""

    @functools.wraps(method)
    def failing_open(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            _warn(error)
            return answer(*args, **kwargs)

    return failing_open


def _missing(key, default=None, version=None):
    return default


def _forgotten_counter(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found.")  # what Django's caches say for a missing key


def _count_up(cache: RedisCache, key: str, *, timeout: float, version=None) -> int:
    """Add one to the counter at `key` and return it, in one round trip: the counter is made
    at 0, to live `timeout` seconds, only if missing (counting does not extend it)."""
    key = cache.make_and_validate_key(key, version=version)
    pipeline = cache._cache.get_client(key, write=True).pipeline(transaction=False)
    pipeline.set(key, 0, ex=max(1, math.ceil(timeout)), nx=True)
    pipeline.incr(key)
    return pipeline.execute()[1]


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, with every operation failing open (see the module docstring)."""

    get = _fail_open(RedisCache.get, _missing)
    get_many = _fail_open(RedisCache.get_many, lambda *args, **kwargs: {})
    has_key = _fail_open(RedisCache.has_key, lambda *args, **kwargs: False)
    add = _fail_open(RedisCache.add, lambda *args, **kwargs: True)
    set = _fail_open(RedisCache.set, lambda *args, **kwargs: None)
    set_many = _fail_open(RedisCache.set_many, lambda *args, **kwargs: [])
    touch = _fail_open(RedisCache.touch, lambda *args, **kwargs: False)
    incr = _fail_open(RedisCache.incr, _forgotten_counter)
    # While Redis is away every count is a fresh counter's first.
    count_up = _fail_open(_count_up, lambda *args, **kwargs: 1)
    delete = _fail_open(RedisCache.delete, lambda *args, **kwargs: False)
    delete_many = _fail_open(RedisCache.delete_many, lambda *args, **kwargs: None)
    clear = _fail_open(RedisCache.clear, lambda *args, **kwargs: False)
