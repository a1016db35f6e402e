"""GET /healthz: whether this process can serve, for the load balancer's health checks.

Cheap on purpose (a `SELECT 1` and one cache round trip, no session, no template) because
every load balancer asks every process every few seconds. Without its database a process
can serve nothing: 503, and the balancer sends requests elsewhere. Without the cache it still
serves (config/cache.py fails open), only slower; every process shares the one cache, so
taking them all out of rotation for it would turn a slowdown into an outage: 200, and the
body says so.
"""

import secrets

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

PROBE_KEY = "greenroom:healthz"


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def cache_answers() -> bool:
    token = secrets.token_hex(8)
    cache.set(PROBE_KEY, token, 10)
    return cache.get(PROBE_KEY) == token


@never_cache
@require_safe
def healthz(request):
    database, shared_cache = database_answers(), cache_answers()
    return JsonResponse(
        {"database": "ok" if database else "down", "cache": "ok" if shared_cache else "down"},
        status=200 if database else 503,
    )
