"""Organizer screens for orders: the read-only record, refunds, resends, exports, sales."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core import personal_data
from core.admin_zone import id_from_query
from core.audit import PersonalDataAuditMixin, ids_label
from core.csv_export import csv_response
from core.models import AuditAction
from events.models import Event
from tickets.admin.common import local_time
from tickets.charts import sales_charts
from tickets.exceptions import TicketsError
from tickets.models import (
    Order,
    OrderLine,
    OrderStatus,
    PassType,
    Payment,
    Refund,
    Ticket,
    TicketStatus,
)
from tickets.money import decimals, format_money, to_major, to_minor
from tickets.reports import (
    attendee_rows,
    sales_summary,
)
from tickets.services.admin_actions import allow_confirmation_resend
from tickets.services.attendees import correct_attendee
from tickets.services.comps import MAX_COMPS, issue_comps
from tickets.services.queueing import after_commit, queue_confirmation
from tickets.services.refunds import refund_order

# Order actions offered both on the changelist and on an order's own page.
BOTH_PAGES = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]
TICKET_CODE_SHOWN = 6  # the rest of a ticket's code is its secret: the QR is the ticket

# Orders ----------------------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    """Rows of an order shown as a record: nothing is added, changed or removed here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    """Passes of the order at the price frozen when it was placed."""

    model = OrderLine
    fields = ("pass_type", "phase_name", "quantity", "unit_price_shown", "unit_discount_shown",
              "line_total")  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pass_type__event", "order")

    @admin.display(description="unit price")
    def unit_price_shown(self, line: OrderLine) -> str:
        return format_money(line.unit_price, line.order.currency)

    @admin.display(description="discount each")
    def unit_discount_shown(self, line: OrderLine) -> str:
        return format_money(line.unit_discount, line.order.currency)

    @admin.display(description="line total")
    def line_total(self, line: OrderLine) -> str:
        return format_money(line.total, line.order.currency)


class TicketInline(ReadOnlyInline):
    """Admitted people; the ticket code is a secret, so only its end is shown to tell apart."""

    model = Ticket
    fields = ("code_end", "pass_type", "attendee_name", "attendee_email", "status",
              "checked_in", "voided", "correct")  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pass_type__event", "order__event")

    @admin.display(description="code")
    def code_end(self, ticket: Ticket) -> str:
        return f"…{ticket.code[-TICKET_CODE_SHOWN:]}"

    @admin.display(description="checked in (event time)")
    def checked_in(self, ticket: Ticket) -> str:
        return local_time(ticket.checked_in_at, ticket.order.event)

    @admin.display(description="voided (event time)")
    def voided(self, ticket: Ticket) -> str:
        return local_time(ticket.voided_at, ticket.order.event)

    @admin.display(description="attendee")
    def correct(self, ticket: Ticket) -> str:
        if ticket.status != TicketStatus.VALID:
            return "—"
        url = reverse("admin:tickets_order_attendee", args=[ticket.order_id, ticket.pk])
        return format_html('<a href="{}">Correct name or e-mail</a>', url)


class PaymentInline(ReadOnlyInline):
    """Attempts to pay through Stripe."""

    model = Payment
    fields = ("attempt", "flow", "amount_shown", "status", "problem",
              "stripe_checkout_session_id", "stripe_payment_intent_id", "succeeded")  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order__event")

    @admin.display(description="amount")
    def amount_shown(self, payment: Payment) -> str:
        return format_money(payment.amount, payment.currency)

    @admin.display(description="succeeded (event time)")
    def succeeded(self, payment: Payment) -> str:
        return local_time(payment.succeeded_at, payment.order.event)


class RefundInline(ReadOnlyInline):
    """Money returned, by whom and why."""

    model = Refund
    fields = ("amount_shown", "reason", "stripe_refund_id", "created_by", "created")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order__event", "created_by")

    @admin.display(description="amount")
    def amount_shown(self, refund: Refund) -> str:
        return format_money(refund.amount, refund.order.currency)

    @admin.display(description="when (event time)")
    def created(self, refund: Refund) -> str:
        return local_time(refund.created_at, refund.order.event)


class PassTypeFilter(admin.SimpleListFilter):
    """Orders with a line of one pass type; lists passes with their event in one query."""

    title = "pass type"
    parameter_name = "pass_type"

    def lookups(self, request, model_admin):
        passes = PassType.objects.select_related("event").order_by("event__start_date", "position")
        return [(pass_type.pk, str(pass_type)) for pass_type in passes]

    def queryset(self, request, queryset):
        pass_type_id = id_from_query(self.value())
        if pass_type_id is None:
            return queryset
        with_pass = OrderLine.objects.filter(pass_type_id=pass_type_id).values("order_id")
        return queryset.filter(pk__in=with_pass)


class CompForm(forms.Form):
    """Free passes an organizer gives: which, how many, to whom, and why."""

    pass_type = forms.ModelChoiceField(
        queryset=PassType.objects.select_related("event").order_by(
            "-event__start_date", "position"
        ),
        label="Pass",
    )
    quantity = forms.IntegerField(min_value=1, max_value=MAX_COMPS, initial=1)
    email = forms.EmailField(label="E-mail", help_text="Receives the tickets.")
    attendee_names = forms.CharField(
        label="Names",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, printed on the tickets in order (optional).",
    )
    reason = forms.CharField(
        max_length=200, help_text="Why they are free: speaker guest, press, sponsor…"
    )


class AttendeeForm(forms.Form):
    """Who a ticket admits: the name printed on the badge, the e-mail tickets go to."""

    attendee_name = forms.CharField(label="Name", max_length=200, required=False)
    attendee_email = forms.EmailField(label="E-mail", required=False)


class RefundForm(forms.Form):
    """How much to give back (in the order's currency), why, and which tickets it voids."""

    amount = forms.DecimalField(min_value=Decimal(0))
    reason = forms.CharField(max_length=200, required=False)
    void_tickets = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Tickets it voids",
        help_text="People who no longer come; the others stay valid. Refunding everything "
        "that is left voids every ticket anyway.",
    )

    def __init__(self, *args, currency: str, remaining: int, tickets=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["void_tickets"].choices = [
            (ticket.pk, f"{ticket.pass_type.name}: {ticket.attendee_name or '(no name)'} "
                        f"(…{ticket.code[-TICKET_CODE_SHOWN:]})")
            for ticket in tickets
        ]  # fmt: skip
        self.currency = currency
        self.remaining = remaining
        amount = self.fields["amount"]
        amount.decimal_places = decimals(currency)
        amount.initial = to_major(remaining, currency)
        amount.help_text = (
            f"In {currency.upper()}; at most {format_money(remaining, currency)}, "
            "what is left after earlier refunds."
        )

    def clean_amount(self) -> int:
        minor = to_minor(self.cleaned_data["amount"], self.currency)
        if minor < 1:
            raise forms.ValidationError("Refund something more than nothing.")
        if minor > self.remaining:
            raise forms.ValidationError(
                f"At most {format_money(self.remaining, self.currency)} is left to refund."
            )
        return minor


def refund_problem(order: Order) -> str:
    """Why the refund page cannot be offered for this order, or an empty string."""
    if order.paid_at is None:
        return f"Order {order.code} has not been paid, so there is nothing to refund."
    if order.total - order.refunded_amount <= 0:
        return f"Everything paid on order {order.code} has already been refunded."
    return ""


@admin.register(Order)
class OrderAdmin(PersonalDataAuditMixin, admin.ModelAdmin):
    """Orders as records: searched, filtered, refunded, exported; never edited by hand."""

    list_display = ("code", "event", "email", "status", "total_shown", "created", "paid")
    list_select_related = ("event",)
    list_filter = ("status", "event", PassTypeFilter)
    search_fields = ("code", "email")
    inlines = [OrderLineInline, TicketInline, PaymentInline, RefundInline]
    actions = ["resend_confirmation", "export_attendees", "erase_buyers"]
    fieldsets = (
        (None, {"fields": ("code", "event", "email", "user", "status", "promo_code")}),
        ("Money", {"fields": ("subtotal_shown", "discount_shown", "total_shown",
                              "refunded_shown", "payment_problems")}),
        ("Times (event time)", {"fields": ("created", "hold_expires", "paid", "cancelled",
                                           "expired", "refunded", "disputed",
                                           "confirmation_sent")}),
    )  # fmt: skip
    readonly_fields = ("code", "event", "email", "user", "status", "promo_code",
                       "subtotal_shown", "discount_shown", "total_shown", "refunded_shown",
                       "payment_problems", "created", "hold_expires", "paid", "cancelled",
                       "expired", "refunded", "disputed", "confirmation_sent")  # fmt: skip
    change_list_template = "admin/tickets/order/change_list.html"
    change_form_template = "admin/tickets/order/change_form.html"

    # The order is a record: changes go through services (refund, resend), never the form.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_manage_permission(self, request) -> bool:
        """Refunds and resends: for those allowed to change orders in the permission system."""
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def audit_subject_id(self, order: Order) -> str:
        return order.code

    def get_urls(self) -> list[URLPattern]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("sales-summary/", view(self.sales_summary_view), name=f"{prefix}_sales_summary"),
            path("comps/", view(self.comps_view), name=f"{prefix}_comps"),
            path("<path:object_id>/refund/", view(self.refund_view), name=f"{prefix}_refund"),
            path(
                "<path:object_id>/tickets/<int:ticket_id>/attendee/",
                view(self.attendee_view),
                name=f"{prefix}_attendee",
            ),
            *super().get_urls(),
        ]

    # Columns and read-only fields

    def _money(self, order: Order, amount: int) -> str:
        return format_money(amount, order.currency)

    @admin.display(description="subtotal")
    def subtotal_shown(self, order: Order) -> str:
        return self._money(order, order.subtotal)

    @admin.display(description="discount")
    def discount_shown(self, order: Order) -> str:
        return self._money(order, order.discount)

    @admin.display(description="total", ordering="total")
    def total_shown(self, order: Order) -> str:
        return self._money(order, order.total)

    @admin.display(description="refunded so far")
    def refunded_shown(self, order: Order) -> str:
        return self._money(order, order.refunded_amount)

    @admin.display(description="payment problems")
    def payment_problems(self, order: Order) -> str:
        """Money Stripe reported that does not match the order (see fulfil_order)."""
        problems = order.payments.exclude(problem="").values_list("attempt", "problem")
        shown = [f"Attempt {attempt}: {problem}" for attempt, problem in problems]
        return "; ".join(shown) or "—"

    @admin.display(description="created (event time)", ordering="created_at")
    def created(self, order: Order) -> str:
        return local_time(order.created_at, order.event)

    @admin.display(description="paid (event time)", ordering="paid_at")
    def paid(self, order: Order) -> str:
        return local_time(order.paid_at, order.event)

    @admin.display(description="hold ends")
    def hold_expires(self, order: Order) -> str:
        return local_time(order.hold_expires_at, order.event)

    @admin.display(description="cancelled")
    def cancelled(self, order: Order) -> str:
        return local_time(order.cancelled_at, order.event)

    @admin.display(description="expired")
    def expired(self, order: Order) -> str:
        return local_time(order.expired_at, order.event)

    @admin.display(description="last refund")
    def refunded(self, order: Order) -> str:
        return local_time(order.refunded_at, order.event)

    @admin.display(description="disputed")
    def disputed(self, order: Order) -> str:
        return local_time(order.disputed_at, order.event)

    @admin.display(description="confirmation e-mail sent")
    def confirmation_sent(self, order: Order) -> str:
        return local_time(order.confirmation_sent_at, order.event)

    # Pages

    def changelist_view(self, request, extra_context=None):
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_sales_summary")
        # The event filter, when set, carries over to the summary.
        event_id = id_from_query(request.GET.get("event__id__exact"))
        context = {
            **(extra_context or {}),
            "sales_summary_url": f"{url}?event={event_id}" if event_id else url,
        }
        if self.has_manage_permission(request):
            context["comps_url"] = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_comps"
            )
        return super().changelist_view(request, context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, unquote(object_id))
        context = {**(extra_context or {})}
        if order is not None and self.has_manage_permission(request) and not refund_problem(order):
            context["refund_url"] = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_refund", args=[order.pk]
            )
        return super().change_view(request, object_id, form_url, context)

    def add_view(self, request, form_url="", extra_context=None):
        """Orders are placed by buyers through the API, where inventory is checked under lock;
        this page says so instead of offering a form that would bypass those checks."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Orders are placed by buyers",
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/tickets/order/add_explained.html", context)

    def refund_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Refund all or part of an order: a form with amount and reason, then Confirm."""
        order = self.get_object(request, unquote(object_id))
        if order is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_manage_permission(request):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[order.pk]
        )
        problem = refund_problem(order)
        if problem:
            self.message_user(request, problem, messages.ERROR)
            return HttpResponseRedirect(change_url)
        remaining = order.total - order.refunded_amount
        confirmed = request.method == "POST"
        valid_tickets = order.tickets.filter(status=TicketStatus.VALID).select_related("pass_type")
        form = RefundForm(
            request.POST if confirmed else None,
            currency=order.currency,
            remaining=remaining,
            tickets=valid_tickets.order_by("pk"),
        )
        if confirmed and form.is_valid():
            amount, reason = form.cleaned_data["amount"], form.cleaned_data["reason"]
            voids = form.cleaned_data["void_tickets"]
            if self._refund(request, order, amount=amount, reason=reason, voids=voids):
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund order {order.code}",
            "opts": self.opts,
            "order": order,
            "form": form,
            "paid": format_money(order.total, order.currency),
            "already_refunded": format_money(order.refunded_amount, order.currency),
            "remaining": format_money(remaining, order.currency),
            "change_url": change_url,
        }
        if not confirmed:
            # The page names the buyer's e-mail.
            self.audit(request, AuditAction.VIEWED, subject_id=order.code, detail="refund page")
        return TemplateResponse(request, "admin/tickets/order/refund.html", context)

    def comps_view(self, request: HttpRequest) -> HttpResponse:
        """Issue complimentary tickets (tickets/services/comps.py): paid at zero, e-mailed as
        usual, counted apart in the sales figures."""
        if not self.has_manage_permission(request):
            raise PermissionDenied
        form = CompForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                order = issue_comps(
                    event=data["pass_type"].event,
                    pass_type=data["pass_type"],
                    quantity=data["quantity"],
                    email=data["email"],
                    reason=data["reason"],
                    attendee_names=data["attendee_names"].splitlines(),
                    actor=request.user,
                )
            except TicketsError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                self.log_addition(request, order, f"Complimentary: {data['reason']}")
                self.message_user(
                    request,
                    f"Issued {data['quantity']} complimentary ticket(s) in order {order.code}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                            args=[order.pk])
                )  # fmt: skip
        context = {
            **self.admin_site.each_context(request),
            "title": "Issue complimentary tickets",
            "opts": self.opts,
            "form": form,
            "change_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
        }
        return TemplateResponse(request, "admin/tickets/order/comps.html", context)

    def attendee_view(self, request: HttpRequest, object_id: str, ticket_id: int) -> HttpResponse:
        """Correct the name and e-mail on one of the order's valid tickets (audited)."""
        order = self.get_object(request, unquote(object_id))
        if order is None or not self.has_manage_permission(request):
            raise PermissionDenied
        ticket = order.tickets.select_related("pass_type").filter(pk=ticket_id).first()
        if ticket is None:
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[order.pk]
        )
        initial = {"attendee_name": ticket.attendee_name, "attendee_email": ticket.attendee_email}
        form = AttendeeForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                correct_attendee(
                    ticket=ticket,
                    name=form.cleaned_data["attendee_name"],
                    email=form.cleaned_data["attendee_email"],
                    actor=request.user,
                )
            except TicketsError as error:
                form.add_error(None, error.message)
            else:
                self.log_change(request, order, f"Corrected the attendee of ticket {ticket.pk}.")
                self.message_user(request, "Attendee corrected.", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Attendee of a {ticket.pass_type.name} ticket, order {order.code}",
            "opts": self.opts,
            "order": order,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/tickets/order/attendee.html", context)

    def _refund(self, request, order: Order, *, amount: int, reason: str, voids) -> bool:
        try:
            refund_order(
                order=order, amount=amount, reason=reason, user=request.user, void_ticket_ids=voids
            )
        except TicketsError as error:
            self.message_user(request, error.message, messages.ERROR)
            return False
        shown = format_money(amount, order.currency)
        self.log_change(request, order, f"Refunded {shown}" + (f": {reason}" if reason else "."))
        self.message_user(request, f"Refunded {shown} on order {order.code}.", messages.SUCCESS)
        return True

    def sales_summary_view(self, request: HttpRequest) -> HttpResponse:
        """Revenue, passes by type and phase, promo code use and holds for one event."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        events = list(Event.objects.order_by("-start_date", "name"))
        event_id = id_from_query(request.GET.get("event"))
        event = next((event for event in events if event.pk == event_id), None)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Sales summary: {event.name}" if event else "Sales summary",
            "opts": self.opts,
            "events": events,
            "event": event,
        }
        if event is not None:
            context.update(_summary_context(sales_summary(event=event, now=timezone.now())))
            context["charts"] = sales_charts(event)
        return TemplateResponse(request, "admin/tickets/order/sales_summary.html", context)

    # Actions

    # Deleting is not offered (has_delete_permission), so neither is "delete selected".
    @admin.action(
        description="Resend confirmation e-mail",
        permissions=["manage"],
        location=BOTH_PAGES,
    )
    def resend_confirmation(self, request, queryset):
        paid_ids = list(queryset.filter(status=OrderStatus.PAID).values_list("pk", flat=True))
        skipped = len(queryset) - len(paid_ids)
        cleared = allow_confirmation_resend(orders=Order.objects.filter(pk__in=paid_ids))
        for pk in paid_ids:
            # After commit: the task must see the cleared stamp, or it would skip the order.
            after_commit(queue_confirmation, pk)
        self.message_user(request, f"Confirmation e-mail queued for {cleared} order(s).")
        if skipped:
            self.message_user(
                request,
                f"{skipped} order(s) skipped: only paid orders have tickets to confirm.",
                messages.WARNING,
            )

    @admin.action(
        description="Export attendees (CSV)",
        description_plural="Export attendees of selected orders (CSV)",
        permissions=["view"],
        location=BOTH_PAGES,
    )
    def export_attendees(self, request, queryset):
        rows = list(attendee_rows(queryset))
        response = csv_response(rows, filename="attendees.csv")
        self.audit(
            request,
            AuditAction.EXPORTED,
            subject_id=ids_label(order.code for order in queryset),
            object_count=len(rows) - 1,  # tickets: the first row is the header
            detail="attendee CSV export",
        )
        # Attendees' names and e-mails left the system: record who took them, and from where.
        LogEntry.objects.log_actions(
            request.user.pk, queryset, CHANGE, "Exported the attendee list (CSV)."
        )
        return response

    @admin.action(
        description="Erase the buyer's personal data (on request)…",
        description_plural="Erase the buyers' personal data of selected orders (on request)…",
        permissions=["manage"],
    )
    def erase_buyers(self, request, queryset):
        # Addresses are matched without regard to case: one erasure per person.
        codes_by_email: dict[str, list[str]] = {}
        for order in queryset.order_by("email", "code"):
            codes_by_email.setdefault(order.email.lower(), []).append(order.code)

        def erase() -> None:
            for email, codes in codes_by_email.items():
                # Every app erases what it holds under the address, accounts included.
                result = personal_data.erase_email(email)
                summary = result.summary()
                self.audit(
                    request,
                    AuditAction.ERASED,
                    subject_id=ids_label(codes),
                    object_count=result.orders_anonymised,
                    detail=f"buyer erased on request: {summary}",
                )
                self.message_user(request, f"Buyer of {', '.join(codes)}: {summary}.")

        return self.confirm_erasure(
            request,
            queryset,
            title="Erase buyers on request",
            people=list(codes_by_email),
            consequence="Everything held under these addresses is erased, beyond the orders "
            "selected: accounts deleted; orders kept for accounting without name or e-mail, "
            "their valid tickets for events not yet ended voided without refund; tickets on "
            "other people's orders lose the address and stay valid.",
            erase=erase,
        )


def _summary_context(summary) -> dict:
    """The summary with its amounts formatted in the event's currency, for the template."""
    currency = summary.currency

    def money(amount: int) -> str:
        return format_money(amount, currency)

    return {
        "summary": summary,
        "gross": money(summary.gross),
        "refunded": money(summary.refunded),
        "revenue": money(summary.revenue),
        "by_pass": [
            {
                "name": row.name,
                "sold": row.sold,
                "comped": row.comped,
                "held": row.held,
                "capacity": "unlimited" if row.capacity is None else row.capacity,
                "amount": money(row.amount),
            }
            for row in summary.by_pass
        ],
        "by_phase": [
            {
                "pass": row.pass_name,
                "phase": row.phase_name or "—",
                "sold": row.sold,
                "amount": money(row.amount),
            }
            for row in summary.by_phase
        ],
        "promo_use": [
            {
                "code": row.code,
                "paid_orders": row.paid_orders,
                "discount": money(row.discount),
                "held_orders": row.held_orders,
                "max_uses": "no limit" if row.max_uses is None else row.max_uses,
            }
            for row in summary.promo_use
        ],
        "holds": {
            "orders": summary.holds.orders,
            "passes": summary.holds.passes,
            "amount": money(summary.holds.amount),
        },
    }
