"""A database error in the middle of fulfilment: the webhook answers 5xx with nothing kept (so
Stripe retries), the log says what failed without quoting personal data, and Stripe's retry
of the same event fulfils the order exactly once."""

import logging
from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import connection

from tests.tickets.conftest import signed_webhook
from tests.tickets.test_webhooks import intent_payment, intent_succeeded, pending_order
from tickets.models import OrderStatus, PaymentStatus, StripeEvent

pytestmark = [pytest.mark.requires_postgres, pytest.mark.django_db(transaction=True)]

WEBHOOK_URL = "/api/v1/webhooks/stripe/"


@contextmanager
def tickets_refused_by_the_database():
    """A check constraint no ticket passes: inserting tickets fails inside PostgreSQL, whose
    message then quotes the refused row (the attendee's e-mail address among it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE tickets_ticket ADD CONSTRAINT faults_refuse_tickets"
            " CHECK (attendee_email = '') NOT VALID"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE tickets_ticket DROP CONSTRAINT faults_refuse_tickets")


def test_database_error_mid_fulfilment_answers_5xx_keeps_nothing_and_the_retry_fulfils_once(
    client, webhook_settings, caplog
):
    client.raise_request_exception = False  # answer as Stripe would see it
    order = pending_order(quantity=2)
    payment = intent_payment(order)
    event = intent_succeeded(order)
    payload, signature = signed_webhook(event)

    def deliver():
        return client.post(
            WEBHOOK_URL, data=payload, content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )  # fmt: skip

    with tickets_refused_by_the_database(), caplog.at_level(logging.INFO):
        failed = deliver()

    order.refresh_from_db()
    payment.refresh_from_db()
    assert failed.status_code == 503
    assert failed.json()["code"] == "webhook_not_applied"
    assert (order.status, order.paid_at, order.tickets.count()) == (OrderStatus.PENDING, None, 0)
    assert payment.status == PaymentStatus.CREATED
    assert StripeEvent.objects.count() == 0
    assert mail.outbox == []
    (logged,) = [record for record in caplog.records if event["id"] in record.getMessage()]
    assert "SQLSTATE 23514" in logged.getMessage()
    assert order.email not in caplog.text

    retried, third = deliver(), deliver()

    order.refresh_from_db()
    assert (retried.status_code, retried.json()) == (200, {"outcome": "fulfilled"})
    assert (third.status_code, third.json()) == (200, {"outcome": "duplicate"})
    assert (order.status, order.tickets.count()) == (OrderStatus.PAID, 2)
    assert order.payments.get().status == PaymentStatus.SUCCEEDED
    assert StripeEvent.objects.get().stripe_event_id == event["id"]
    assert [message.to for message in mail.outbox] == [[order.email]]
