"""A Celery worker killed (SIGKILL) in the middle of the confirmation task: with acks late,
the broker hands the task to another worker and exactly one e-mail goes out."""

import psycopg
import pytest
from django.db import connection

from tests.faults.conftest import queue_task
from tests.helpers import wait_for
from tests.tickets.helpers import paid_ticket
from tickets.models import Order
from tickets.tasks import send_order_confirmation

pytestmark = [pytest.mark.requires_postgres, pytest.mark.django_db(transaction=True)]


def waiting_for_the_tickets_table() -> bool:
    """Whether a session (the worker's task) waits for a lock on the tickets table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE relation = 'tickets_ticket'::regclass"
            " AND NOT granted"
        )
        return cursor.fetchone()[0] > 0


def test_worker_killed_during_the_confirmation_task_is_replaced_and_one_email_goes_out(
    own_redis, processes, mailbox
):
    order = paid_ticket().order
    first = processes.worker("first", broker_url=own_redis.url)
    # The task locks the order (its claim on the e-mail), then reads the tickets: holding the
    # tickets table stops it right there, claimed but not sent, however fast the machine.
    with psycopg.connect(**connection.get_connection_params()) as holder:
        holder.execute("LOCK TABLE tickets_ticket IN ACCESS EXCLUSIVE MODE")
        task_id = queue_task(own_redis.url, send_order_confirmation, order.pk)
        assert wait_for(waiting_for_the_tickets_table, seconds=60), first.log()[-3000:]

        first.kill()
        second = processes.worker("second", broker_url=own_redis.url)
        assert Order.objects.get(pk=order.pk).confirmation_sent_at is None
        holder.rollback()  # the lock goes; the dead worker's session fails and lets go too

    sent = wait_for(lambda: Order.objects.get(pk=order.pk).confirmation_sent_at, seconds=60)
    assert sent, second.log()[-3000:]
    assert wait_for(own_redis.drained, seconds=60)
    messages = mailbox.messages()
    assert [message["To"] for message in messages] == [order.email]
    assert order.code in messages[0]["Subject"]
    assert f"send_order_confirmation[{task_id}] received" in first.log()
    assert f"send_order_confirmation[{task_id}] succeeded" in second.log()
