"""Shared fixtures: an organizer, and real services (Redis, PostgreSQL, a Celery worker)."""

import os

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from config.api.microcache import forget_local
from events.services import ensure_organizers_group
from tests.factories import UserFactory

SERVICES_REQUIRED = os.environ.get("GREENROOM_REQUIRE_SERVICES") == "1"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip service-bound tests where the service is absent, except where CI requires it."""
    if item.get_closest_marker("requires_redis") and not _redis_answers():
        if SERVICES_REQUIRED:
            pytest.fail(f"Redis does not answer at {settings.REDIS_URL}")
        pytest.skip(f"needs Redis at {settings.REDIS_URL}")
    if item.get_closest_marker("requires_postgres") and connection.vendor != "postgresql":
        if SERVICES_REQUIRED:
            pytest.fail("DATABASE_URL does not point at PostgreSQL")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no stored bodies, versions or throttle counters."""
    cache.clear()
    forget_local()
    yield
    cache.clear()
    forget_local()


@pytest.fixture
def organizer(db):
    """A staff member of the Organizers group: what an organizer logs into the admin as."""
    user = UserFactory(username="organizer", is_staff=True)
    user.groups.add(ensure_organizers_group())
    return user


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


@pytest.fixture
def celery_worker_on_redis(transactional_db):
    """A real Celery worker (a thread of this process) consuming tasks from Redis.

    Tasks leave eager mode for the test: `.delay()` goes through the broker, the worker picks
    it up and runs it against the test database, and results come back through Redis.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    app.control.purge()  # a task left over from an interrupted run must not run here
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            yield app
    finally:
        app.conf.task_always_eager = True
