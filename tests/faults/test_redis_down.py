"""Redis (cache and broker) down: throttles and cached answers fail open, an order is placed
and paid all the same, and once Redis is back the reconciliation sends its one confirmation.

Our own redis-server is stopped under the test client, or under a web process and a worker
process with Redis between them, as in production.
"""

import json
import urllib.error
import urllib.request

import pytest

from tests.factories import PassTypeFactory
from tests.faults.conftest import queue_task
from tests.helpers import wait_for
from tests.tickets.conftest import signed_webhook
from tests.tickets.test_orders_api import order_body
from tests.tickets.test_webhooks import intent_succeeded
from tickets.models import Order, OrderStatus, PaymentStatus
from tickets.tasks import reconcile_pending_orders


def call(url: str, body: bytes | None = None, **headers: str) -> tuple[int, dict]:
    """GET (or POST `body` as JSON) over HTTP; the status and the JSON answer."""
    request = urllib.request.Request(  # noqa: S310 (our own local server)
        url, data=body, headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.mark.django_db
def test_throttles_count_in_redis_and_let_requests_through_while_it_is_down(
    own_redis, settings, client
):
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.FailOpenRedisCache", "LOCATION": own_redis.url}
    }
    settings.GREENROOM_THROTTLE_RATES = {**settings.GREENROOM_THROTTLE_RATES, "anon": "1/d"}

    counted = [client.get("/api/v1/events/").status_code for _ in range(2)]
    own_redis.stop()
    uncounted = [client.get("/api/v1/events/").status_code for _ in range(2)]

    assert counted == [200, 429]
    assert uncounted == [200, 200]


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_order_placed_and_paid_while_redis_is_down_gets_one_confirmation_once_it_is_back(
    own_redis, processes, mailbox
):
    pass_type = PassTypeFactory(phase__price=12500)
    web = processes.web(broker_url=own_redis.url, CACHE_URL=own_redis.url)
    passes_url = f"{web.url}/api/v1/events/{pass_type.event.slug}/passes/"
    assert call(passes_url)[0] == 200  # with Redis up, so its throttle counters live there

    own_redis.stop()
    passes_status, _ = call(passes_url)
    order_status, placed = call(
        f"{web.url}/api/v1/orders/", json.dumps(order_body(pass_type, 2)).encode()
    )
    order = Order.objects.get(code=placed["code"])
    payload, signature = signed_webhook(intent_succeeded(order, "pi_while_redis_is_down"))
    webhook_status, outcome = call(
        f"{web.url}/api/v1/webhooks/stripe/", payload, **{"Stripe-Signature": signature}
    )

    assert (passes_status, order_status, webhook_status) == (200, 201, 200)
    assert outcome == {"outcome": "fulfilled"}
    order.refresh_from_db()
    assert (order.status, order.tickets.count(), order.confirmation_sent_at) == (
        OrderStatus.PAID,
        2,
        None,
    )
    assert order.payments.get().status == PaymentStatus.SUCCEEDED
    assert "queue_confirmation" in web.log()
    assert f", {order.pk}) in on_commit()" in web.log()
    assert mailbox.messages() == []

    own_redis.start()
    worker = processes.worker("after-outage", broker_url=own_redis.url)
    for _ in range(2):  # beat runs it every five minutes; each run must be harmless
        queue_task(own_redis.url, reconcile_pending_orders)

    sent = wait_for(lambda: Order.objects.get(pk=order.pk).confirmation_sent_at, seconds=60)
    assert sent, worker.log()[-3000:]
    assert wait_for(own_redis.drained, seconds=60)
    messages = mailbox.messages()
    assert [message["To"] for message in messages] == [order.email]
    assert order.code in messages[0]["Subject"]
    assert Order.objects.get(pk=order.pk).tickets.count() == 2
