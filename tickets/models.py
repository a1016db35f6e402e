"""Passes, prices, promo codes, orders, tickets, payments and refunds; Stripe's handled events.

Money is integer minor units in the event's currency. What is sold or held is kept twice: in
the orders themselves, and in one `InventoryCounter` row per pass type and per shared pool,
which the inventory engine (tickets/inventory.py) changes in the same transaction as the
orders, checks against them and repairs when they disagree.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from core.models import TimeStampedModel
from core.tombstones import register_kind
from events.models import Event
from tickets.money import format_money

# Order codes are read aloud at the door and typed from e-mails: no 0/O, 1/I/L.
ORDER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ORDER_CODE_LENGTH = 12  # 31**12 ≈ 7.9e17: not guessable, still short enough to read out


def new_order_code() -> str:
    return "".join(secrets.choice(ORDER_CODE_ALPHABET) for _ in range(ORDER_CODE_LENGTH))


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class InventoryPool(TimeStampedModel):
    """Capacity shared by several pass types, e.g. the venue's in-person seats."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="inventory_pools")
    name = models.CharField(max_length=100)
    capacity = models.PositiveIntegerField()

    class Meta:
        ordering = ["event", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="pool_name_unique_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.capacity})"


class PassVisibility(models.TextChoices):
    PUBLIC = "public", "Public"
    HIDDEN = "hidden", "Hidden until a promo code unlocks it"


class PassType(TimeStampedModel):
    """A tier of pass: General Admission, Expo, Student, Founder, Virtual…"""

    Visibility = PassVisibility

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="pass_types")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    description = models.TextField(blank=True)
    perks = models.JSONField(default=list, blank=True, help_text="A list of short perk lines.")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Passes of this type for sale; empty means no limit."
    )
    max_per_order = models.PositiveSmallIntegerField(default=10)
    sales_start = models.DateTimeField(null=True, blank=True)
    sales_end = models.DateTimeField(null=True, blank=True)
    visibility = models.CharField(
        max_length=16, choices=PassVisibility.choices, default=PassVisibility.PUBLIC
    )
    pools = models.ManyToManyField(InventoryPool, blank=True, related_name="pass_types")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slug"], name="pass_slug_unique_per_event"),
            models.CheckConstraint(
                condition=Q(max_per_order__gte=1), name="pass_max_per_order_positive"
            ),
            models.CheckConstraint(
                condition=Q(sales_end__isnull=True)
                | Q(sales_start__isnull=True)
                | Q(sales_end__gt=F("sales_start")),
                name="pass_sales_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.event.name}"


class InventoryCounter(models.Model):
    """Passes taken of one pass type, or seats taken of one shared pool: the row an order's
    conditional UPDATE changes (tickets/inventory.py), so the inventory lock lasts from that
    statement to the commit.

    `taken` counts the passes of orders that are pending (until their hold is released), paid,
    or refunded when refunds keep passes sold; capacities stay on the pass type and the pool.
    Narrow on purpose: a flash sale rewrites this row once per order.
    """

    pass_type = models.OneToOneField(
        PassType, on_delete=models.CASCADE, null=True, blank=True, related_name="counter"
    )
    pool = models.OneToOneField(
        InventoryPool, on_delete=models.CASCADE, null=True, blank=True, related_name="counter"
    )
    taken = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_type__isnull=True, pool__isnull=False)
                | Q(pass_type__isnull=False, pool__isnull=True),
                name="inventory_counter_counts_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pass_type or self.pool}: {self.taken} taken"


class PricePhase(TimeStampedModel):
    """A price valid in a time window and/or for the first N passes sold (early bird…)."""

    pass_type = models.ForeignKey(PassType, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(max_length=60)
    price = models.PositiveIntegerField(help_text="In minor units (cents).")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    max_sold = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The phase ends once this many passes of the type are sold or held.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["pass_type", "position", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="phase_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.price}"


class DiscountKind(models.TextChoices):
    PERCENT = "percent", "Percent off"
    FIXED = "fixed", "Fixed amount off each pass"


class PromoCode(TimeStampedModel):
    """A discount (and possibly access to hidden passes) for those who know the code."""

    Kind = DiscountKind

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="promo_codes")
    code = models.CharField(max_length=40, help_text="Matched without regard to case.")
    kind = models.CharField(max_length=16, choices=DiscountKind.choices)
    value = models.PositiveIntegerField(
        help_text="Percent (1–100) or an amount in minor units taken off each pass."
    )
    pass_types = models.ManyToManyField(
        PassType, blank=True, related_name="promo_codes", help_text="Empty means every pass."
    )
    max_uses = models.PositiveIntegerField(
        null=True, blank=True, help_text="Orders that may use it (pending holds count)."
    )
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    unlocks_hidden = models.BooleanField(
        default=False, help_text="Shows the hidden passes it applies to."
    )

    class Meta:
        ordering = ["event", "code"]
        constraints = [
            models.UniqueConstraint("event", Lower("code"), name="promo_code_unique_per_event_ci"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__gte=1, value__lte=100),
                name="promo_percent_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending payment"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"
    REFUNDED = "refunded", "Refunded"


class Order(TimeStampedModel):
    """A buyer's order: lines at frozen prices, a hold on inventory while payment is pending."""

    Status = OrderStatus

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="orders")
    code = models.CharField(max_length=16, unique=True, default=new_order_code, editable=False)
    secret = models.CharField(
        max_length=48, default=new_secret, editable=False, help_text="Key of the order's link."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
    email = models.EmailField()
    status = models.CharField(
        max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    currency = models.CharField(max_length=3)
    subtotal = models.PositiveIntegerField()
    discount = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField()
    refunded_amount = models.PositiveIntegerField(default=0)
    promo_code = models.ForeignKey(
        PromoCode, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    hold_expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    disputed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    personal_data_erased_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the buyer's and attendees' personal data were erased; amounts remain.",
    )
    idempotency_key = models.CharField(max_length=255, blank=True, editable=False)
    comp_reason = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="Why an organizer gave these tickets for free; empty for orders people bought.",
    )
    client_network = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="A keyed digest of the buyer's network (IPv4 address, IPv6 /64), to cap the "
        "passes guests of one network hold; no address is kept.",
    )
    request_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "hold_expires_at"]),
            models.Index(fields=["event", "status", "hold_expires_at"]),
            models.Index(fields=["email"]),
            models.Index(
                fields=["event", "client_network", "hold_expires_at"],
                condition=Q(status=OrderStatus.PENDING) & ~Q(client_network=""),
                name="order_held_by_network",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") - F("discount")), name="order_total_adds_up"
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("total")), name="order_refund_within_total"
            ),
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="order_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False),
                name="order_paid_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class OrderLine(TimeStampedModel):
    """Passes of one type in an order, at the price of the phase current when it was placed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    pass_type = models.ForeignKey(PassType, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveSmallIntegerField()
    unit_price = models.PositiveIntegerField()
    unit_discount = models.PositiveIntegerField(default=0)
    price_phase = models.ForeignKey(
        PricePhase, on_delete=models.SET_NULL, null=True, blank=True, related_name="order_lines"
    )
    phase_name = models.CharField(max_length=60, blank=True)
    attendees = models.JSONField(
        default=list, blank=True, help_text="Names and e-mails given for each pass, if any."
    )

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_discount__lte=F("unit_price")), name="line_discount_within_price"
            ),
        ]

    @property
    def subtotal(self) -> int:
        """Before any discount: the unit price times the quantity."""
        return self.unit_price * self.quantity

    @property
    def total(self) -> int:
        return (self.unit_price - self.unit_discount) * self.quantity

    def __str__(self) -> str:
        return f"{self.quantity} × {self.pass_type.name}"


class TicketStatus(models.TextChoices):
    VALID = "valid", "Valid"
    VOID = "void", "Void"


class Ticket(TimeStampedModel):
    """One admitted person; the QR code carries `code`."""

    Status = TicketStatus

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tickets")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="tickets")
    pass_type = models.ForeignKey(PassType, on_delete=models.PROTECT, related_name="tickets")
    code = models.CharField(max_length=48, unique=True, default=new_secret, editable=False)
    attendee_name = models.CharField(max_length=200, blank=True)
    attendee_email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=8, choices=TicketStatus.choices, default=TicketStatus.VALID
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values), name="ticket_status_valid"
            ),
        ]
        # Door staff scan tickets without being organizers: this is all they are granted.
        permissions = [("check_in_ticket", "Can check tickets in at the door")]

    def __str__(self) -> str:
        # Not the attendee's name: this string lands in admin history and log lines.
        return f"{self.pass_type.name} of order {self.order.code}"


class PaymentStatus(models.TextChoices):
    CREATED = "created", "Created"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


class Payment(TimeStampedModel):
    """An attempt to pay an order through Stripe (a Checkout Session or a PaymentIntent)."""

    Status = PaymentStatus

    class Flow(models.TextChoices):
        CHECKOUT = "checkout", "Stripe Checkout"
        PAYMENT_SHEET = "payment_sheet", "Mobile PaymentSheet"
        FREE = "free", "Nothing to pay"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    flow = models.CharField(max_length=16, choices=Flow.choices)
    attempt = models.PositiveSmallIntegerField(default=1)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    stripe_checkout_session_id = models.CharField(max_length=255, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True)
    client_secret = models.CharField(max_length=255, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    # Set when Stripe reported money that does not match the order (another amount or
    # currency): the order stays unpaid and an organizer decides (refund it, or settle it).
    problem = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["order", "attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_checkout_session_id"],
                condition=~Q(stripe_checkout_session_id=""),
                name="payment_checkout_session_unique",
            ),
            models.UniqueConstraint(
                fields=["stripe_payment_intent_id"],
                condition=~Q(stripe_payment_intent_id=""),
                name="payment_intent_unique",
            ),
            models.UniqueConstraint(fields=["order", "attempt"], name="payment_attempt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order.code} #{self.attempt} ({self.status})"


class Refund(TimeStampedModel):
    """Money returned for an order, keyed by Stripe's refund id so webhooks reconcile."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    stripe_refund_id = models.CharField(max_length=255, unique=True)
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    notice_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the buyer was e-mailed about this refund."
    )

    class Meta:
        ordering = ["order", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{format_money(self.amount, self.order.currency)} back on {self.order.code}"


class StripeEvent(models.Model):
    """A Stripe event already handled: a second delivery of the same id does nothing."""

    stripe_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_event_id}"


# Delta sync of the passes list reports deleted pass types (tickets.signals records them).
PASS_TYPE_DELETED = register_kind("pass_type", "Pass type")


class ScanOutcome(models.TextChoices):
    """What a door scan answered (the check-in service's outcomes)."""

    CHECKED_IN = "checked_in", "Checked in"
    ALREADY_CHECKED_IN = "already_checked_in", "Already checked in"
    VOID = "void", "Void"
    OTHER_EVENT = "other_event", "Another event"
    NOT_FOUND = "not_found", "Not found"


class CheckInScan(models.Model):
    """One scan at the door: which ticket, what it answered, who scanned it and when.

    Written by the check-in service in the transaction of the scan itself; an undo (within a
    minute, by the person who scanned) stamps `undone_at` on the scan that admitted.
    """

    Outcome = ScanOutcome

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="scans"
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="check_in_scans"
    )
    outcome = models.CharField(max_length=20, choices=ScanOutcome.choices)
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="check_in_scans",
    )
    scanned_at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-scanned_at", "-id"]
        indexes = [models.Index(fields=["ticket", "-scanned_at"], name="scan_ticket_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=ScanOutcome.values), name="check_in_scan_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(undone_at__isnull=True) | Q(outcome=ScanOutcome.CHECKED_IN),
                name="check_in_scan_only_admissions_undone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} at {self.scanned_at:%Y-%m-%d %H:%M:%S}"
