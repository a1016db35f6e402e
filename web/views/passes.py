"""Buying passes: the passes page (hidden ones unlocked by code) and the checkout form.

Every rule is the tickets services' (pass_offers, place_order): these views only read the
form, call them, and put each refusal next to the field it concerns.
"""

from django.http import QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.api.throttling import OrderRateThrottle, PromoCodeRateThrottle, client_address
from events.selectors import get_public_event
from tickets.exceptions import SoldOut, TicketsError
from tickets.selectors import checked_promo_code, pass_offers
from tickets.services.ordering import place_order
from web.forms import CheckoutForm, PromoCodeForm, quantity_name

# Refusals whose words the site says itself (translatable); others keep the service's message.
MESSAGES = {
    "invalid_promo_code": lambda: _("That code is not valid for these passes."),
    "promo_code_exhausted": lambda: _("That code has been used up."),
    "promo_code_expired": lambda: _("That code has expired."),
    "hold_limit_reached": lambda: _(
        "You are already holding as many unpaid passes as one buyer may. Pay or cancel "
        "your other orders, or wait until their hold ends."
    ),
    "too_many_pending_orders": lambda: _(
        "You have too many unpaid orders. Pay or cancel one of them first."
    ),
    "busy": lambda: _("Many people are buying right now; please try again in a moment."),
    "human_check_failed": lambda: _("We could not tell you from a robot; please sign in first."),
    "throttled": lambda: _("Too many attempts; please wait a few minutes and try again."),
}
PROMO_FIELD_CODES = {"invalid_promo_code", "promo_code_exhausted", "promo_code_expired"}


class SitePromoThrottle(PromoCodeRateThrottle):
    """The API's allowance of promo code attempts, for codes typed into the site's forms."""

    def __init__(self, code: str):
        super().__init__()
        self.code = code.strip()

    def client_key(self, request) -> str | None:
        if not self.code:
            return None
        user = request.user
        return f"user-{user.pk}" if user.is_authenticated else self.get_ident(request)


def passes(request, slug: str):
    """Each pass: what it gives, its price now and next, whether any are left."""
    event = get_public_event(slug)
    form = PromoCodeForm(request.GET or None)
    code = form.cleaned_data["code"].strip() if form.is_valid() else ""
    now = timezone.now()
    code_state = ""
    if code:
        attempts = SitePromoThrottle(code)
        if not attempts.allow_request(request, None):
            form.add_error("code", MESSAGES["throttled"]())
            code = ""
        else:
            try:
                checked_promo_code(event, code, now=now)
            except TicketsError as error:
                if error.code != "invalid_promo_code":
                    attempts.forgive()
                form.add_error("code", _promo_refusal(error, code))
                code = ""
            else:
                attempts.forgive()
                code_state = "applied"
    offers = pass_offers(event, promo_code=code, now=now)
    form.describe_errors()
    rows = [(offer, quantity_name(offer.pass_type.pk), _choices(offer)) for offer in offers]
    return TemplateResponse(
        request,
        "web/passes.html",
        {
            "event": event,
            "rows": rows,
            "code_form": form,
            "code": code,
            "code_state": code_state,
            "any_on_sale": any(offer.on_sale for offer in offers),
        },
    )


def _promo_refusal(error: TicketsError, code: str) -> str:
    if error.code == "invalid_promo_code":
        return _("“%(code)s” is not a valid code for this event.") % {"code": code}
    return MESSAGES[error.code]()


def _choices(offer) -> range:
    return range(min(offer.pass_type.max_per_order, 10) + 1)


@require_http_methods(["GET", "POST"])
def checkout(request, slug: str):
    """GET or a POST from the passes page: the form. A POST of the form: place the order."""
    event = get_public_event(slug)
    data = request.POST if request.method == "POST" else request.GET
    placing = request.method == "POST" and data.get("step") == "place"
    promo_code = data.get("promo_code", data.get("code", "")).strip()[:40]
    offers = pass_offers(event, promo_code=promo_code, now=timezone.now())
    user = request.user

    if not placing or "update" in data:
        # Arriving with a selection (or changing quantities): show the form, nothing checked.
        initial = _selection(data, offers)
        initial["promo_code"] = promo_code
        if data.get("email"):
            initial["email"] = data["email"][:254]
        form = CheckoutForm(initial=initial, offers=offers, user=user)
        form.fresh_key()
        return _render_checkout(request, event, form)

    form = CheckoutForm(data, offers=offers, user=user)
    if form.is_valid():
        order = _place(request, event, form)
        if order is not None:
            return redirect(_pay_url(order), permanent=False)
    form.fresh_key()
    form.describe_errors()
    return _render_checkout(request, event, form)


def _selection(data: QueryDict, offers) -> dict:
    """Quantities and names carried over from the passes page (or a restarted checkout)."""
    initial = {}
    picked = data.get("pick", "")
    for offer in offers:
        name = quantity_name(offer.pass_type.pk)
        value = data.get(name, "")
        if value.isdigit():
            initial[name] = int(value)
        elif picked == str(offer.pass_type.pk):
            initial[name] = 1
        for key in data:
            if key.startswith(f"attendee-{offer.pass_type.pk}-"):
                initial[key] = data.get(key, "")[:200]
    if picked.isdigit() and not initial.get(quantity_name(int(picked))):
        initial[quantity_name(int(picked))] = 1
    return initial


def _place(request, event, form: CheckoutForm):
    """The order, or None with the refusal added to the form where it belongs."""
    user = request.user if request.user.is_authenticated else None
    promo_code = form.cleaned_data["promo_code"].strip()
    if not OrderRateThrottle().allow_request(request, None):
        form.add_error(None, MESSAGES["throttled"]())
        return None
    promo_attempts = SitePromoThrottle(promo_code)
    if not promo_attempts.allow_request(request, None):
        form.add_error("promo_code", MESSAGES["throttled"]())
        return None
    lines = form.lines()
    if not lines:
        form.add_error(None, _("Choose at least one pass."))
        return None
    try:
        order, _created = place_order(
            event=event,
            lines=lines,
            email=user.email if user else form.cleaned_data["email"],
            promo_code=promo_code,
            user=user,
            idempotency_key=form.cleaned_data["idempotency_key"],
            client_address=client_address(request),
        )
    except TicketsError as error:
        if error.code != "invalid_promo_code":
            promo_attempts.forgive()
        _add_refusal(form, error)
        return None
    promo_attempts.forgive()
    return order


def _add_refusal(form: CheckoutForm, error: TicketsError) -> None:
    """Put the service's refusal next to the field it concerns."""
    extra = error.extra or {}
    message = MESSAGES[error.code]() if error.code in MESSAGES else error.message
    if isinstance(error, SoldOut):
        for offer in form.offers:
            left = extra.get("available", {}).get(str(offer.pass_type.pk))
            if left is not None and left < form.quantity(offer):
                text = (
                    _("Sold out: none left.")
                    if left <= 0
                    else _("Only %(count)s left: choose %(count)s or fewer.") % {"count": left}
                )
                form.add_error(quantity_name(offer.pass_type.pk), text)
        if not form.errors:
            form.add_error(None, _("Not enough passes are left for this order."))
        return
    if error.code in PROMO_FIELD_CODES:
        form.add_error("promo_code", message)
    elif error.field == "email" and not form.fields["email"].disabled:
        form.add_error("email", message)
    elif extra.get("pass_type") and quantity_name(extra["pass_type"]) in form.fields:
        if error.code == "sales_closed":
            message = _("This pass is not on sale now.")
        form.add_error(quantity_name(extra["pass_type"]), message)
    elif error.code == "sales_closed":
        form.add_error(None, _("Passes for this event are not on sale now."))
    else:
        form.add_error(None, message)


def _render_checkout(request, event, form: CheckoutForm):
    return TemplateResponse(
        request,
        "web/checkout.html",
        {"event": event, "form": form, "rows": form.rows()},
        status=200 if not form.errors else 400,
    )


def _pay_url(order) -> str:
    return f"{reverse('web:order-pay', args=[order.code])}?{urlencode({'key': order.secret})}"


def restart_fields(order) -> list[tuple[str, str]]:
    """Hidden fields that open the checkout again with an order's selection."""
    fields = [("promo_code", order.promo_code.code if order.promo_code else "")]
    for line in order.lines.all():
        fields.append((quantity_name(line.pass_type_id), str(line.quantity)))
        for index, attendee in enumerate(line.attendees or []):
            if attendee.get("name"):
                fields.append((f"attendee-{line.pass_type_id}-{index}", attendee["name"]))
    return fields
