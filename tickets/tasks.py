"""Celery tasks of the tickets app: thin, take ids, safe to run twice.

Beat runs `expire_held_orders_task` every minute, `reconcile_pending_orders` every five and
`check_inventory_counters` every fifteen.
"""

from celery import shared_task

from tickets import emails
from tickets.services import reconciliation, refunds


@shared_task
def send_order_confirmation(order_id: int) -> bool:
    return emails.send_order_confirmation(order_id=order_id)


@shared_task
def send_refund_notice(order_id: int) -> bool:
    return emails.send_refund_notice(order_id=order_id)


@shared_task
def send_refund_confirmation(refund_id: int) -> bool:
    return emails.send_refund_confirmation(refund_id=refund_id)


@shared_task
def refund_unfulfilled_payment(order_id: int) -> bool:
    """Refund a late payment for passes that sold out meanwhile, then tell the buyer."""
    return refunds.refund_unfulfilled_payment(order_id=order_id) is not None


@shared_task
def refund_duplicate_payment(payment_id: int) -> bool:
    """Return a second payment for an order that was already paid."""
    return refunds.refund_duplicate_payment(payment_id=payment_id) is not None


@shared_task
def expire_held_orders_task() -> int:
    """Expire pending orders past their hold and close their Checkout Sessions."""
    return reconciliation.expire_holds()


@shared_task
def reconcile_pending_orders() -> int:
    """Fulfil payments Stripe took without telling us; queue missed refunds and e-mails."""
    return reconciliation.reconcile_pending_orders()


@shared_task
def check_inventory_counters() -> int:
    """Repair inventory counters that disagree with the orders (logged as errors); returns
    how many did."""
    return len(reconciliation.check_inventory_counters(repair=True))
