"""E-mails to buyers: the order confirmation with a QR code per ticket, "sold out, refunded",
and "your order was refunded" (each refund of a paid order).

Each is sent once per order even if its task runs twice: the order row is locked and stamped
(`confirmation_sent_at`) in the same transaction as the send, like speakers' invitations.
A second run, even a concurrent one, waits for the lock and finds the stamp.

The stamp commits only after the mail server took the message: at least once. A run that dies
before that (worker killed, send failed) leaves no stamp, and the redelivered task or the
reconciliation sends the e-mail. Only a death between the mail server's acceptance and the
commit, a moment's window, sends a second copy; stamping first would lose the e-mail instead.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import MIMEPart

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from events.selectors import event_start
from tickets.links import order_url
from tickets.models import Order, OrderStatus, Refund, TicketStatus
from tickets.money import format_money
from tickets.qr import ticket_qr_png


def _order_context(order: Order) -> dict:
    """What every e-mail about an order shows: the event (local start, venue), lines and sums."""
    lines = list(order.lines.select_related("pass_type"))
    for line in lines:
        line.unit_amount = format_money(line.unit_price, order.currency)
        line.amount = format_money(line.subtotal, order.currency)
    return {
        "order": order,
        "event": order.event,
        "starts": event_start(order.event),
        "lines": lines,
        "subtotal": format_money(order.subtotal, order.currency),
        "discount": format_money(order.discount, order.currency),
        "total": format_money(order.total, order.currency),
        "order_url": order_url(order),
    }


def _qr_part(png: bytes, *, content_id: str, filename: str) -> MIMEPart:
    """A PNG shown inline where the HTML says `cid:<content_id>` (and saveable as a file)."""
    part = MIMEPart()
    part.set_content(
        png,
        maintype="image",
        subtype="png",
        disposition="inline",
        filename=filename,
        cid=f"<{content_id}>",
    )
    return part


@contextmanager
def _unsent(order_id: int, *, sendable: Callable[[Order], bool]) -> Iterator[Order | None]:
    """The order, locked, if its one e-mail is still to be sent and `sendable` agrees.

    Whatever the block sends is stamped as sent on leaving it, in the same transaction.
    """
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("event")
            .filter(pk=order_id)
            .first()
        )
        ready = order is not None and order.confirmation_sent_at is None and sendable(order)
        yield order if ready else None
        if ready:
            order.confirmation_sent_at = timezone.now()
            order.save(update_fields=["confirmation_sent_at", "updated_at"])


def _email(order: Order, *, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    """A text and HTML e-mail to the buyer from `tickets/email/<template>.txt|.html`."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"tickets/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.email],
    )
    message.attach_alternative(
        render_to_string(f"tickets/email/{template}.html", context), "text/html"
    )
    return message


def send_order_confirmation(*, order_id: int) -> bool:
    """Send the paid order's confirmation with its tickets; False when there was none to send."""
    with _unsent(order_id, sendable=lambda order: order.status == OrderStatus.PAID) as order:
        if order is None:
            return False
        tickets = list(order.tickets.filter(status=TicketStatus.VALID).select_related("pass_type"))
        for number, ticket in enumerate(tickets, start=1):
            ticket.content_id = f"ticket-{number}.{order.code}@greenroom"
        context = _order_context(order) | {"tickets": tickets}
        message = _email(
            order,
            subject=_("Your tickets for %(event)s (order %(code)s)")
            % {"event": order.event.name, "code": order.code},
            template="confirmation",
            context=context,
        )
        for number, ticket in enumerate(tickets, start=1):
            message.attach(
                _qr_part(
                    ticket_qr_png(ticket, scale=6),
                    content_id=ticket.content_id,
                    filename=f"ticket-{number}-{order.code}.png",
                )
            )
        message.send()
    return True


def send_refund_notice(*, order_id: int) -> bool:
    """Tell the buyer whose late payment was refunded because the passes sold out; once.

    Such an order never gets a confirmation, so `confirmation_sent_at` records this notice.
    """

    def refunded_unpaid(order: Order) -> bool:
        return order.status != OrderStatus.PAID and order.refunded_amount > 0

    with _unsent(order_id, sendable=refunded_unpaid) as order:
        if order is None:
            return False
        context = {
            "order": order,
            "event": order.event,
            "refunded": format_money(order.refunded_amount, order.currency),
        }
        _email(
            order,
            subject=_("Sold out: your payment for %(event)s is refunded")
            % {"event": order.event.name},
            template="sold_out_refunded",
            context=context,
        ).send()
    return True


def send_refund_confirmation(*, refund_id: int) -> bool:
    """Tell the buyer of a paid order what was refunded (in full or in part); once per refund.

    The refund row is locked and stamped (`notice_sent_at`) with the send, like the
    confirmation; a refund of a late payment is told by `send_refund_notice` instead.
    """
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("order__event")
            .filter(pk=refund_id, notice_sent_at__isnull=True)
            .first()
        )
        if refund is None or refund.order.paid_at is None:
            return False
        order = refund.order
        in_full = order.refunded_amount >= order.total
        context = _order_context(order) | {
            "refunded": format_money(refund.amount, order.currency),
            "refunded_in_all": format_money(order.refunded_amount, order.currency),
            "in_full": in_full,
            "voided": []
            if in_full
            else list(order.tickets.filter(status=TicketStatus.VOID).select_related("pass_type")),
        }
        _email(
            order,
            subject=_("Refund of %(amount)s for your order %(code)s (%(event)s)")
            % {"amount": context["refunded"], "code": order.code, "event": order.event.name},
            template="refunded",
            context=context,
        ).send()
        refund.notice_sent_at = timezone.now()
        refund.save(update_fields=["notice_sent_at", "updated_at"])
    return True
