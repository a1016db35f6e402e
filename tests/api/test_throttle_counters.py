"""Throttle counters on Redis: one round trip each, a window that counting does not extend."""

import time

import pytest
from django.conf import settings
from redis import Redis
from redis.client import Pipeline

from config.cache import FailOpenRedisCache

pytestmark = pytest.mark.requires_redis


@pytest.fixture
def redis_cache():
    cache = FailOpenRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"counters-{time.time_ns()}"})
    yield cache
    cache.clear()


def test_a_counter_counts_up_from_one(redis_cache):
    counts = [redis_cache.count_up("client", timeout=60) for _ in range(3)]

    assert counts == [1, 2, 3]
    assert redis_cache.get("client") == 3


def test_counting_keeps_the_window_the_first_count_opened(redis_cache):
    redis_cache.count_up("client", timeout=60)
    key = redis_cache.make_and_validate_key("client")
    client = redis_cache._cache.get_client(key)
    client.expire(key, 5)

    redis_cache.count_up("client", timeout=60)

    assert 0 < client.ttl(key) <= 5


def test_a_counter_costs_one_round_trip(redis_cache, monkeypatch):
    sent = []
    for kind, method in ((Redis, "execute_command"), (Pipeline, "execute")):
        original = getattr(kind, method)
        monkeypatch.setattr(
            kind, method, lambda *a, o=original, n=method, **k: sent.append(n) or o(*a, **k)
        )

    redis_cache.count_up("client", timeout=60)

    assert sent == ["execute"]


def test_counting_while_redis_is_away_starts_each_count_afresh():
    away = FailOpenRedisCache("redis://127.0.0.1:1", {"OPTIONS": {"socket_connect_timeout": 1}})

    assert [away.count_up("client", timeout=60) for _ in range(2)] == [1, 1]
