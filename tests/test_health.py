"""GET /healthz, the load balancer's health check: 503 without the database, 200 otherwise."""

import pytest
from django.db import DatabaseError, connection

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_database_and_cache_answer(client):
    answer = client.get("/healthz")

    assert (answer.status_code, answer.json()) == (200, {"database": "ok", "cache": "ok"})


def test_healthz_answers_503_when_the_database_fails(client):
    def failing(execute, sql, params, many, context):
        raise DatabaseError("the database went away")

    with connection.execute_wrapper(failing):
        answer = client.get("/healthz")

    assert (answer.status_code, answer.json()["database"]) == (503, "down")


def test_healthz_is_never_cached(client):
    answer = client.get("/healthz")

    assert "no-cache" in answer["Cache-Control"]
