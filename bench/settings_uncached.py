"""Benchmark settings with the agenda-version cache off: every request reads it from the
database (a deployment's first request after each edit)."""

from bench.settings import *  # noqa: F403

GREENROOM_VERSION_CACHE_SECONDS = 0
