"""Benchmark settings with no cache at all (a deployment without Redis, or the first request
after each edit): every answer is rendered from the database."""

from bench.settings import *  # noqa: F403

GREENROOM_VERSION_CACHE_SECONDS = 0
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
