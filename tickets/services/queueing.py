"""Work the tickets services hand to Celery, queued after their transaction commits.

The tasks module imports the services, so the services reach the tasks here, when called.
Queued with `transaction.on_commit(..., robust=True)`, a broker that is down only logs (the
log names the function and the id); reconciliation queues the work again later.
"""

from functools import partial

from django.db import transaction


def queue_confirmation(order_id: int) -> None:
    from tickets.tasks import send_order_confirmation

    send_order_confirmation.delay(order_id)


def queue_refund_notice(order_id: int) -> None:
    from tickets.tasks import send_refund_notice

    send_refund_notice.delay(order_id)


def queue_refund_confirmation(refund_id: int) -> None:
    from tickets.tasks import send_refund_confirmation

    send_refund_confirmation.delay(refund_id)


def queue_unfulfilled_refund(order_id: int) -> None:
    from tickets.tasks import refund_unfulfilled_payment

    refund_unfulfilled_payment.delay(order_id)


def queue_duplicate_refund(payment_id: int) -> None:
    from tickets.tasks import refund_duplicate_payment

    refund_duplicate_payment.delay(payment_id)


def after_commit(queue, object_id: int) -> None:
    """Queue `queue(object_id)` once the current transaction commits (now, outside one)."""
    transaction.on_commit(partial(queue, object_id), robust=True)
