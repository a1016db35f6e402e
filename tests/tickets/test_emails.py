"""What the buyer reads: the confirmation's event, lines and sums, and the refund e-mail."""

import re

import pytest
from django.core import mail

from tests.tickets.helpers import discounted_order
from tickets import emails
from tickets.models import Order, Payment, PaymentStatus
from tickets.services.fulfilment import fulfil_order
from tickets.services.refunds import record_stripe_refund

pytestmark = pytest.mark.django_db

MINUS = "\u2212"


def paid_order(settings, quantity=2) -> Order:
    settings.GREENROOM_SITE_URL = "https://greenroom.test"
    order = discounted_order(quantity)
    payment = Payment.objects.create(
        order=order,
        flow=Payment.Flow.PAYMENT_SHEET,
        amount=order.total,
        currency=order.currency,
        stripe_payment_intent_id=f"pi_{order.code}",
        status=PaymentStatus.SUCCEEDED,
    )
    fulfil_order(order=order, payment=payment, amount_received=order.total, currency_received="usd")
    return Order.objects.get(pk=order.pk)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def test_confirmation_reads_right_in_text_and_html_and_links_to_the_order_page(settings):
    order = paid_order(settings)

    emails.send_order_confirmation(order_id=order.pk)

    (sent,) = mail.outbox
    html = sent.alternatives[0][0]
    link = f"https://greenroom.test/orders/{order.code}/?key={order.secret}"
    for body in (flat(sent.body), flat(html)):
        assert "2 × General Admission (Regular) at $190.00" in body
        assert "$380.00" in body
        assert "Starts Monday 10 June 2030, 09:30 PDT" in body
        assert "Zellerbach Hall, 101 Zellerbach, Berkeley" in body
    assert f"Subtotal: $380.00 Discount (TENOFF): {MINUS}$38.00 Total: $342.00" in flat(sent.body)
    assert f"Subtotal $380.00 Discount (TENOFF) {MINUS}$38.00 Total $342.00" in flat(html)
    assert link in sent.body
    assert f'href="{link}"' in html
    assert "/api/" not in sent.body


def test_a_refund_of_a_paid_order_is_emailed_once_with_the_amount_as_money(
    settings, django_capture_on_commit_callbacks
):
    order = paid_order(settings)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        refund = record_stripe_refund(
            order=order, payment=order.payments.get(), stripe_refund_id="re_1", amount=10000
        )
    again = emails.send_refund_confirmation(refund_id=refund.pk)

    (sent,) = mail.outbox
    refund.refresh_from_db()
    assert again is False
    assert refund.notice_sent_at is not None
    assert sent.to == ["buyer@example.com"]
    assert "$100.00" in sent.subject
    assert "We have refunded $100.00" in flat(sent.body)
    assert "Refunded so far: $100.00 of $342.00" in flat(sent.body)
    assert "We have refunded $100.00" in flat(sent.alternatives[0][0])


def test_a_full_refund_says_the_tickets_are_void(settings, django_capture_on_commit_callbacks):
    order = paid_order(settings, quantity=1)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        record_stripe_refund(
            order=order, payment=order.payments.get(), stripe_refund_id="re_2", amount=order.total
        )

    (sent,) = mail.outbox
    assert "refunded in full ($171.00)" in flat(sent.body)
    assert "no longer valid" in flat(sent.body)


def test_a_late_payment_given_back_is_not_told_as_a_refund_of_a_paid_order(
    settings, django_capture_on_commit_callbacks
):
    order = paid_order(settings, quantity=1)
    Order.objects.filter(pk=order.pk).update(status="expired")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record_stripe_refund(
            order=order, payment=order.payments.get(), stripe_refund_id="re_3", amount=order.total
        )

    assert (callbacks, mail.outbox) == ([], [])
