"""Logs keep the traceback of a database error but not its text, which can quote personal data."""

import io
import logging
import logging.config

import pytest
from django.db import IntegrityError, transaction

from config.logging import logging_config
from tests.factories import UserFactory

BUYER_EMAIL = "ada.lovelace@example.com"


@pytest.fixture
def log_stream():
    """The project's logging configuration, writing to a string instead of the console."""
    stream = io.StringIO()
    config = logging_config(
        level="INFO", handler={"class": "logging.StreamHandler", "stream": stream}
    )
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})


def failing_insert_with_email() -> IntegrityError:
    # PostgreSQL's DETAIL quotes the duplicate key: "Key (username)=(ada…) already exists".
    UserFactory(username=BUYER_EMAIL)
    try:
        with transaction.atomic():
            UserFactory._meta.model.objects.create(username=BUYER_EMAIL)
    except IntegrityError as error:
        return error
    raise AssertionError("the duplicate username was accepted")


@pytest.mark.django_db
def test_a_logged_database_error_keeps_its_class_and_traceback_but_not_its_text(log_stream):
    error = failing_insert_with_email()

    try:
        raise error
    except IntegrityError:
        logging.getLogger("django.request").exception("Internal Server Error: /api/v1/orders/")

    logged = log_stream.getvalue()
    assert "Internal Server Error" in logged
    assert "IntegrityError: SQLSTATE" in logged
    assert "message withheld" in logged
    assert "Traceback" in logged
    assert BUYER_EMAIL not in logged


def test_other_exceptions_are_logged_with_their_text(log_stream):
    try:
        raise ValueError("a message worth keeping")
    except ValueError:
        logging.getLogger("greenroom").exception("Failed")

    assert "ValueError: a message worth keeping" in log_stream.getvalue()
