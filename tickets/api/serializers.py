"""Input and output serializers of the tickets API. Money is `{"amount", "currency"}`."""

from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.delta import SYNCED_AT_HELP
from config.api.fields import MoneySerializer, money
from tickets.models import Order, OrderLine, PassType, Payment, Refund, Ticket
from tickets.qr import ticket_qr_payload
from tickets.selectors import PassOffer


def order_key(request) -> str:
    """The order link key a request carries (`?key=` or the X-Order-Key header), or ""."""
    return request.query_params.get("key") or request.headers.get("X-Order-Key", "")


class PhaseSerializer(serializers.Serializer):
    """A price step."""

    name = serializers.CharField()
    price = MoneySerializer()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(
        allow_null=True, help_text="When this price ends (it may also end once sold out)."
    )


class PassOfferSerializer(serializers.Serializer):
    """A pass type on sale: current price and phase, the next step, availability."""

    id = serializers.IntegerField(source="pass_type.pk")
    name = serializers.CharField(source="pass_type.name")
    slug = serializers.CharField(source="pass_type.slug")
    description = serializers.CharField(source="pass_type.description")
    perks = serializers.ListField(child=serializers.CharField(), source="pass_type.perks")
    hidden = serializers.SerializerMethodField(help_text="Shown because a promo code unlocked it.")
    max_per_order = serializers.IntegerField(source="pass_type.max_per_order")
    sales_start = serializers.DateTimeField(source="pass_type.sales_start", allow_null=True)
    sales_end = serializers.DateTimeField(source="pass_type.sales_end", allow_null=True)
    on_sale = serializers.BooleanField()
    availability = serializers.ChoiceField(choices=["available", "few_left", "sold_out"])
    current_phase = serializers.SerializerMethodField()
    next_phase = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(source="pass_type.updated_at")

    def get_hidden(self, offer: PassOffer) -> bool:
        return offer.pass_type.visibility == PassType.Visibility.HIDDEN

    def _phase(self, offer: PassOffer, phase) -> dict | None:
        if phase is None:
            return None
        return PhaseSerializer(
            {
                "name": phase.name,
                "price": money(phase.price, offer.pass_type.event.currency),
                "starts_at": phase.starts_at,
                "ends_at": phase.ends_at,
            }
        ).data

    @extend_schema_field(PhaseSerializer(allow_null=True))
    def get_current_phase(self, offer: PassOffer) -> dict | None:
        return self._phase(offer, offer.phase)

    @extend_schema_field(PhaseSerializer(allow_null=True))
    def get_next_phase(self, offer: PassOffer) -> dict | None:
        return self._phase(offer, offer.next_phase)


class PassListSerializer(serializers.Serializer):
    """The passes of an event (not paginated: an event has few)."""

    results = PassOfferSerializer(many=True)
    deleted = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="With `updated_since`: ids of passes deleted since; drop them.",
    )
    synced_at = serializers.DateTimeField(help_text=SYNCED_AT_HELP)


class AttendeeSerializer(serializers.Serializer):
    """Who will use one of the passes (optional)."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class OrderLineInputSerializer(serializers.Serializer):
    """Passes of one type to buy."""

    pass_type = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    quantity = serializers.IntegerField(min_value=1, max_value=100)
    attendees = AttendeeSerializer(many=True, required=False, default=list, max_length=100)


class OrderInputSerializer(serializers.Serializer):
    """A request to buy passes. Prices, totals and status are decided by the server."""

    event = serializers.SlugField(help_text="The event's slug.")
    lines = OrderLineInputSerializer(many=True, allow_empty=False, max_length=20)
    email = serializers.EmailField(required=False, help_text="Defaults to the signed-in account's.")
    promo_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    human_check_token = serializers.CharField(
        max_length=4096,
        required=False,
        allow_blank=True,
        default="",
        help_text="The token of the human-check widget (Turnstile, hCaptcha), when the server "
        "asks guests for one (`human_check_failed` otherwise); signed-in buyers skip it.",
    )


class OrderLineSerializer(serializers.ModelSerializer):
    """A line of an order at its frozen price."""

    pass_type = serializers.IntegerField(source="pass_type_id")
    pass_name = serializers.CharField(source="pass_type.name")
    unit_price = serializers.SerializerMethodField()
    unit_discount = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = OrderLine
        fields = ("pass_type", "pass_name", "phase_name", "quantity", "unit_price",
                  "unit_discount", "total")  # fmt: skip

    @extend_schema_field(MoneySerializer)
    def get_unit_price(self, line: OrderLine) -> dict:
        return money(line.unit_price, line.order.currency)

    @extend_schema_field(MoneySerializer)
    def get_unit_discount(self, line: OrderLine) -> dict:
        return money(line.unit_discount, line.order.currency)

    @extend_schema_field(MoneySerializer)
    def get_total(self, line: OrderLine) -> dict:
        return money(line.total, line.order.currency)


class TicketSerializer(serializers.ModelSerializer):
    """One admitted person's ticket with its event's dates; `qr_payload` is what the QR code
    encodes, `qr_url` its image."""

    pass_name = serializers.CharField(source="pass_type.name")
    event = serializers.CharField(source="order.event.slug")
    event_name = serializers.CharField(source="order.event.name")
    event_starts_at = serializers.DateTimeField(
        source="order.event.starts_at",
        help_text="Midnight at the start of the event's first day, in its `event_time_zone`.",
    )
    event_ends_at = serializers.DateTimeField(
        source="order.event.ends_at",
        help_text="Midnight after the event's last day, in its `event_time_zone`.",
    )
    event_time_zone = serializers.CharField(
        source="order.event.time_zone", help_text="The IANA zone to show the event's times in."
    )
    order = serializers.CharField(source="order.code")
    qr_payload = serializers.SerializerMethodField()
    qr_url = serializers.SerializerMethodField(
        help_text="The QR code as a PNG (`.svg` instead of `.png` for SVG). Read with the same "
        "credentials as the order; for a ticket read with an order's link key, the URL "
        "carries that key."
    )

    class Meta:
        model = Ticket
        fields = ("code", "event", "event_name", "event_starts_at", "event_ends_at",
                  "event_time_zone", "order", "pass_name", "attendee_name", "attendee_email",
                  "status", "checked_in_at", "qr_payload", "qr_url")  # fmt: skip

    def get_qr_payload(self, ticket: Ticket) -> str:
        return ticket_qr_payload(ticket)

    @extend_schema_field(serializers.URLField())
    def get_qr_url(self, ticket: Ticket) -> str:
        request = self.context["request"]
        url = reverse("ticket-qr", kwargs={"code": ticket.code, "image_format": "png"})
        if order_key(request):
            # A guest reads with the link key; an <img> cannot send it as a header.
            url = f"{url}?{urlencode({'key': ticket.order.secret})}"
        return request.build_absolute_uri(url)


class OrderSerializer(serializers.ModelSerializer):
    """An order with its lines, totals and (once paid) tickets."""

    event = serializers.CharField(source="event.slug")
    lines = OrderLineSerializer(many=True)
    subtotal = serializers.SerializerMethodField()
    discount = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    refunded = serializers.SerializerMethodField()
    promo_code = serializers.CharField(source="promo_code.code", allow_null=True, default=None)
    tickets = TicketSerializer(many=True)

    class Meta:
        model = Order
        fields = ("code", "event", "email", "status", "lines", "subtotal", "discount", "total",
                  "refunded", "promo_code", "hold_expires_at", "paid_at", "created_at",
                  "tickets")  # fmt: skip

    @extend_schema_field(MoneySerializer)
    def get_subtotal(self, order: Order) -> dict:
        return money(order.subtotal, order.currency)

    @extend_schema_field(MoneySerializer)
    def get_discount(self, order: Order) -> dict:
        return money(order.discount, order.currency)

    @extend_schema_field(MoneySerializer)
    def get_total(self, order: Order) -> dict:
        return money(order.total, order.currency)

    @extend_schema_field(MoneySerializer)
    def get_refunded(self, order: Order) -> dict:
        return money(order.refunded_amount, order.currency)


class PlacedOrderSerializer(OrderSerializer):
    """The answer to placing an order: the order, plus the key of its private link."""

    key = serializers.CharField(
        source="secret",
        help_text="Send as `?key=` (or X-Order-Key) to read, pay or cancel without signing in.",
    )

    class Meta(OrderSerializer.Meta):
        fields = (*OrderSerializer.Meta.fields, "key")


class PayInputSerializer(serializers.Serializer):
    """How to pay: Stripe Checkout (web) or the PaymentSheet (mobile)."""

    flow = serializers.ChoiceField(choices=["checkout", "payment_sheet"])
    success_url = serializers.URLField(required=False)
    cancel_url = serializers.URLField(required=False)


class PaymentSerializer(serializers.Serializer):
    """What the client needs to take the payment."""

    flow = serializers.CharField()
    status = serializers.CharField(help_text="`paid` when nothing was owed.")
    checkout_url = serializers.URLField(required=False, help_text="flow=checkout")
    client_secret = serializers.CharField(required=False, help_text="flow=payment_sheet")
    publishable_key = serializers.CharField(required=False, help_text="flow=payment_sheet")


class CheckInInputSerializer(serializers.Serializer):
    """A scanned QR code (the payload or the bare ticket code)."""

    code = serializers.CharField(max_length=200)
    event = serializers.SlugField(required=False, help_text="Only accept tickets of this event.")


class CheckInSerializer(serializers.Serializer):
    """The door's answer."""

    outcome = serializers.ChoiceField(
        choices=["checked_in", "already_checked_in", "void", "not_found"]
    )
    checked_in_at = serializers.DateTimeField(allow_null=True)
    attendee_name = serializers.CharField(allow_blank=True, allow_null=True)
    pass_name = serializers.CharField(allow_null=True)


class OrderLineRecordSerializer(OrderLineSerializer):
    """A line of an order, with the attendees' names and e-mails given for its passes."""

    attendees = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))

    class Meta(OrderLineSerializer.Meta):
        fields = (*OrderLineSerializer.Meta.fields, "attendees")


class PaymentRecordSerializer(serializers.ModelSerializer):
    """A payment attempt: how, how much, and how it went (never Stripe's secrets)."""

    flow = serializers.CharField()
    status = serializers.CharField()
    amount = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ("attempt", "flow", "amount", "status", "created_at", "succeeded_at")

    @extend_schema_field(MoneySerializer)
    def get_amount(self, payment: Payment) -> dict:
        return money(payment.amount, payment.currency)


class RefundRecordSerializer(serializers.ModelSerializer):
    """Money returned."""

    amount = serializers.SerializerMethodField()

    class Meta:
        model = Refund
        fields = ("amount", "created_at")

    @extend_schema_field(MoneySerializer)
    def get_amount(self, refund: Refund) -> dict:
        return money(refund.amount, refund.order.currency)


class OrderRecordSerializer(OrderSerializer):
    """An order of the account with its lines, amounts, payments and refunds."""

    lines = OrderLineRecordSerializer(many=True)
    payments = PaymentRecordSerializer(many=True)
    refunds = RefundRecordSerializer(many=True)
    tickets = None  # listed once, in the export's own `tickets`
    hold_expires_at = None

    class Meta(OrderSerializer.Meta):
        fields = ("code", "event", "email", "status", "lines", "subtotal", "discount", "total",
                  "refunded", "promo_code", "created_at", "paid_at", "cancelled_at", "expired_at",
                  "refunded_at", "payments", "refunds")  # fmt: skip


class TicketRecordSerializer(serializers.ModelSerializer):
    """A ticket of one of the account's orders."""

    event = serializers.CharField(source="order.event.slug")
    order = serializers.CharField(source="order.code")
    pass_name = serializers.CharField(source="pass_type.name")

    class Meta:
        model = Ticket
        fields = ("code", "event", "order", "pass_name", "attendee_name", "attendee_email",
                  "status", "checked_in_at", "voided_at")  # fmt: skip
