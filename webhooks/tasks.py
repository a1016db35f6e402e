"""Celery tasks of the webhooks app: thin, take ids, safe to run twice.

Beat runs `send_due_webhooks` every minute: it queues the deliveries whose retry has come (and
any whose first task was lost).
"""

from celery import shared_task

from webhooks import services


@shared_task
def deliver_webhook(delivery_id: int) -> bool:
    """One attempt at a due delivery; False when it was not due (sent, given up, in flight)."""
    return services.send_delivery(delivery_id=delivery_id) is not None


@shared_task
def send_due_webhooks() -> int:
    return services.queue_due_deliveries()


@shared_task
def notify_endpoint_disabled(endpoint_id: int) -> bool:
    return services.send_disabled_notice(endpoint_id=endpoint_id)
