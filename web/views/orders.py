"""An order as its buyer sees it: paying it, its status and tickets, cancelling it.

Reached with the order's link key (from the e-mail or the checkout) or by its signed-in owner;
anyone else gets 404, as visible_order decides. Paying calls start_payment (the mobile apps'
PaymentSheet flow: a PaymentIntent confirmed by Stripe.js on the page); the webhook fulfils.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from events.selectors import event_start
from tickets import stripe_gateway
from tickets.exceptions import HoldExpired, OrderNotCancellable, OrderNotPayable, TicketsError
from tickets.models import OrderStatus, Payment, TicketStatus
from tickets.selectors import visible_order
from tickets.services.order_states import cancel_order
from tickets.services.payment import confirm_card_payment, start_payment
from web.views.passes import restart_fields

POLL_SECONDS = 2


def _order_or_404(request, code: str):
    key = (request.POST.get("key") if request.method == "POST" else "") or request.GET.get("key")
    order = visible_order(code, user=request.user, key=key or "")
    if order is None:
        raise Http404(_("No such order of yours."))
    return order, key or ""


@require_POST
def order_pay_confirm(request, code: str):
    """Confirm the card payment with the payment method Stripe.js made in the browser
    (tickets.services.payment.confirm_card_payment); answers pay.js in JSON: go on to the
    order page, or finish 3-D Secure in the browser first."""
    order, key = _order_or_404(request, code)
    try:
        status = confirm_card_payment(
            order=order, payment_method=request.POST.get("payment_method", "")
        )
    except TicketsError as error:
        return JsonResponse({"error": error.message, "code": error.code}, status=400)
    if status == "requires_action":
        return JsonResponse({"next": "authenticate"})
    return JsonResponse({"next": "order", "url": order_link(order, key, processing=1)})


def order_link(order, key: str, name: str = "web:order", **params) -> str:
    """A URL of the order's pages, carrying its key when the visitor came with one."""
    query = {"key": key, **params} if key else params
    url = reverse(name, args=[order.code])
    return f"{url}?{urlencode(query)}" if query else url


def order_page(request, code: str):
    """Status, lines and totals, the event, the tickets with their QR codes."""
    order, key = _order_or_404(request, code)
    processing = order.status == OrderStatus.PENDING and request.GET.get("processing") == "1"
    return TemplateResponse(
        request,
        "web/order.html",
        _order_context(order, key, processing=processing)
        | {"event_start": event_start(order.event)},
    )


def order_status(request, code: str):
    """The status block, polled while the order is pending; once it moves on, the page reloads."""
    order, key = _order_or_404(request, code)
    processing = request.GET.get("processing") == "1"
    response = TemplateResponse(
        request, "web/order.html#status", _order_context(order, key, processing=processing)
    )
    if order.status != OrderStatus.PENDING:
        response["HX-Refresh"] = "true"
    return response


def _order_context(order, key: str, *, processing: bool) -> dict:
    tickets = [ticket for ticket in order.tickets.all() if ticket.status == TicketStatus.VALID]
    qr_query = f"?{urlencode({'key': key})}" if key else ""
    for ticket in tickets:
        ticket.qr_url = reverse("ticket-qr", args=[ticket.code, "svg"]) + qr_query
    return {
        "order": order,
        "event": order.event,
        "lines": order.lines.all(),
        "tickets": tickets,
        "key": key,
        "processing": processing,
        "poll_seconds": POLL_SECONDS,
        "status_url": order_link(order, key, "web:order-status", processing=int(processing)),
        "pay_url": order_link(order, key, "web:order-pay"),
        "pending": order.status == OrderStatus.PENDING,
    }


@require_POST
def order_cancel(request, code: str):
    """Cancel a pending order: its passes go back on sale."""
    order, key = _order_or_404(request, code)
    try:
        cancel_order(order=order)
    except OrderNotCancellable:
        messages.error(request, _("This order can no longer be cancelled."))
    else:
        messages.success(request, _("Your order is cancelled; nothing was charged."))
    return redirect(order_link(order, key))


def stripe_js_url() -> str:
    """Stripe.js: Stripe's own, or the one the local Stripe server serves at the same path."""
    base = settings.STRIPE_API_BASE.rstrip("/")
    return f"{base}/js.stripe.com/v3/" if base else "https://js.stripe.com/v3/"


def stripe_csp() -> dict:
    """The site's policy, plus what Stripe.js needs: its script, its frames, its API."""
    base = settings.STRIPE_API_BASE.rstrip("/")
    if base:
        script, frames, connect, images = [base], [base], [base], []
    else:
        script = ["https://js.stripe.com"]
        frames = ["https://js.stripe.com", "https://hooks.stripe.com"]
        connect = ["https://api.stripe.com"]
        images = ["https://*.stripe.com"]
    policy = dict(settings.SECURE_CSP)
    policy["script-src"] = [*policy.get("script-src", [CSP.SELF]), *script]
    policy["frame-src"] = [*frames]
    policy["connect-src"] = [CSP.SELF, *connect]
    policy["img-src"] = [*policy.get("img-src", [CSP.SELF]), *images]
    return policy


def order_pay(request, code: str):
    """The payment step: the card form of Stripe.js for the order's PaymentIntent."""
    order, key = _order_or_404(request, code)
    if order.status != OrderStatus.PENDING:
        return redirect(order_link(order, key))
    context = {
        "order": order,
        "event": order.event,
        "key": key,
        "lines": order.lines.all(),
        "order_url": order_link(order, key),
    }
    checkout = settings.GREENROOM_WEB_PAYMENT_FLOW == "checkout"
    try:
        payment = start_payment(
            order=order,
            flow=Payment.Flow.CHECKOUT if checkout else Payment.Flow.PAYMENT_SHEET,
            success_url=request.build_absolute_uri(order_link(order, key, processing=1)),
            cancel_url=request.build_absolute_uri(order_link(order, key, "web:order-pay")),
        )
    except HoldExpired:
        context["restart_fields"] = restart_fields(order)
        return TemplateResponse(request, "web/hold_expired.html", context, status=409)
    except OrderNotPayable:
        return redirect(order_link(order, key))
    except TicketsError:
        # Stripe unreachable or not configured: the order stays payable, try again.
        context["error"] = _("Payments are unavailable right now; please try again in a moment.")
        return TemplateResponse(request, "web/pay.html", context, status=503)
    if payment.flow == Payment.Flow.FREE:
        return redirect(order_link(order, key))
    if payment.flow == Payment.Flow.CHECKOUT:
        return redirect(payment.checkout_url)
    context |= {
        "client_secret": payment.client_secret,
        "publishable_key": stripe_gateway.publishable_key(),
        "stripe_js": stripe_js_url(),
        "return_url": order_link(order, key, processing=1),
        "confirm_url": order_link(order, key, "web:order-pay-confirm"),
        # A local Stripe (STRIPE_API_BASE, which also serves the Stripe.js loaded here): its
        # Stripe.js cannot make payment methods, so pay.js makes a card token there instead.
        "local_stripe": bool(settings.STRIPE_API_BASE),
    }
    response = TemplateResponse(request, "web/pay.html", context)
    # The Stripe origins are settings read per request, so the override is applied here.
    return csp_override(stripe_csp())(lambda _request: response)(request)
