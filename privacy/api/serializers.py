"""Serializers of the data-rights API: the export's sections, consents, the erasure request."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.authtoken.models import Token

from config.api.fields import MoneySerializer, StrictBooleanField, money
from events.models import Bookmark
from privacy.models import Consent, ConsentPurpose
from tickets.api.serializers import OrderLineSerializer, OrderSerializer
from tickets.models import Payment, Refund, Ticket


class AccountRecordSerializer(serializers.ModelSerializer):
    """The account as stored."""

    class Meta:
        model = get_user_model()
        fields = ("username", "first_name", "last_name", "email", "date_joined", "last_login")


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


class BookmarkRecordSerializer(serializers.ModelSerializer):
    """A session on the personal agenda."""

    session = serializers.IntegerField(source="session_id")
    session_title = serializers.CharField(source="session.title")
    event = serializers.CharField(source="session.event.slug")

    class Meta:
        model = Bookmark
        fields = ("session", "session_title", "event", "created_at")


class ConsentRecordSerializer(serializers.ModelSerializer):
    """One recorded answer about a purpose."""

    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)

    class Meta:
        model = Consent
        fields = ("purpose", "granted", "recorded_at")


class ApiTokenRecordSerializer(serializers.ModelSerializer):
    """That an API token exists, and since when; never the token itself."""

    class Meta:
        model = Token
        fields = ("created",)


class PersonalDataSerializer(serializers.Serializer):
    """Everything held about the signed-in person."""

    exported_at = serializers.DateTimeField()
    account = AccountRecordSerializer()
    orders = OrderRecordSerializer(many=True, help_text="Orders placed while signed in.")
    tickets = TicketRecordSerializer(many=True, help_text="Tickets of those orders.")
    bookmarks = BookmarkRecordSerializer(many=True)
    consents = ConsentRecordSerializer(many=True, help_text="Every answer, oldest first.")
    api_tokens = ApiTokenRecordSerializer(many=True)


class ConsentStateSerializer(serializers.Serializer):
    """A purpose and the person's current answer (null when they never answered)."""

    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    description = serializers.CharField()
    granted = serializers.BooleanField(allow_null=True)
    recorded_at = serializers.DateTimeField(allow_null=True)


class ConsentInputSerializer(serializers.Serializer):
    """The person's answer."""

    granted = StrictBooleanField()


class ErasureRequestSerializer(serializers.Serializer):
    """Confirmation that the person means it, and accepts losing tickets still to be used."""

    confirm = StrictBooleanField(default=False, help_text="Must be true: erasure cannot be undone.")
    void_future_tickets = StrictBooleanField(
        default=False,
        help_text="Must be true if the account holds valid tickets for events that have not "
        "ended: they are voided, without refund.",
    )
