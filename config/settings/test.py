"""Test settings: the base settings with fast hashing, an in-memory outbox and eager tasks.

The database comes from DATABASE_URL like everywhere else (SQLite by default, PostgreSQL in CI).
Tests that need a real Celery worker switch eager mode off themselves (see tests/conftest.py).
"""

import os
import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="greenroom-test-media-")
# A development VAPID key made for this test run, not the one `make run` keeps in var/.
VAPID_DEVELOPMENT_KEY_FILE = Path(tempfile.mkdtemp(prefix="greenroom-test-vapid-")) / "key.txt"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
# Eager unless a test starts a real worker (tests/conftest.py); the broker and result backend
# are only contacted then, so a machine without Redis runs every other test.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# Worker threads in tests must not keep connections open past a task.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False}

# Generous limits so the suite never trips them by accident; throttle tests set their own.
GREENROOM_THROTTLE_RATES = dict.fromkeys(
    ("anon", "user", "auth", "orders", "checkin", "promo"), "100000/min"
)
GREENROOM_MAX_PENDING_ORDERS = 100000
GREENROOM_MAX_HELD_PASSES_PER_GUEST = 100000
GREENROOM_MAX_HELD_PASSES_PER_ACCOUNT = 100000
GREENROOM_MAX_HELD_PASSES_PER_NETWORK = 100000
GREENROOM_LOGIN_MAX_FAILURES = GREENROOM_LOGIN_MAX_FAILURES_PER_ADDRESS = 100000
GREENROOM_VERSION_CACHE_SECONDS = 0
