"""Organizer screens for passes, their price phases, shared seat pools and promo codes."""

from django.contrib import admin
from django.db.models import Prefetch
from django.utils import timezone

from core.admin_zone import EventTimeZoneAdminMixin
from tickets import pricing
from tickets.admin.common import local_time, request_now
from tickets.inventory import Left, Stock
from tickets.models import (
    InventoryPool,
    PassType,
    PricePhase,
    PromoCode,
)
from tickets.money import format_money
from tickets.reports import (
    with_sales_counts,
    with_seats_taken,
    with_uses,
)
from tickets.services.admin_actions import recount_pools_of

# Passes ----------------------------------------------------------------------------------


class PricePhaseInline(admin.TabularInline):
    """The price steps of a pass: early bird, regular, late…"""

    model = PricePhase
    fields = ("name", "price", "price_shown", "starts_at", "ends_at", "max_sold", "position")
    readonly_fields = ("price_shown",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pass_type__event")

    @admin.display(description="as shown")
    def price_shown(self, phase: PricePhase) -> str:
        if phase.pk is None:
            return "—"
        return format_money(phase.price, phase.pass_type.event.currency)


def availability(pass_type: PassType) -> Left:
    """What is left of a pass annotated by `with_sales_counts`, its pools by `with_seats_taken`:
    the inventory engine's rule, on the counts the changelist already has."""
    counts = Stock(
        taken={pass_type.pk: pass_type.sold + pass_type.held},
        pool_taken={pool.pk: pool.taken for pool in pass_type.pools.all()},
    )
    return counts.left(pass_type)


@admin.register(PassType)
class PassTypeAdmin(EventTimeZoneAdminMixin, admin.ModelAdmin):
    """Passes with their price phases, shared seat pools and live sales figures."""

    event_reverse_name = "pass_types"
    list_display = ("name", "event", "visibility", "price_now", "sold", "held", "available",
                    "capacity", "sales_window")  # fmt: skip
    list_select_related = ("event",)
    list_filter = ("event", "visibility")
    search_fields = ("name", "slug", "event__name")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("pools",)
    inlines = [PricePhaseInline]
    readonly_fields = ("sales_now", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("event", "name", "slug", "description", "perks", "position")}),
        ("Sales", {"fields": ("visibility", "capacity", "max_per_order", "pools", "sales_start",
                              "sales_end", "sales_now")}),
        ("History", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )  # fmt: skip

    def get_queryset(self, request):
        now = request_now(request)
        pools = with_seats_taken(InventoryPool.objects.all(), now=now)
        return with_sales_counts(super().get_queryset(request), now=now).prefetch_related(
            "phases", Prefetch("pools", queryset=pools)
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "pools" in form.changed_data:
            recount_pools_of(pass_type=form.instance)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "pools":
            kwargs["queryset"] = self.narrow_to_event(request, InventoryPool.objects.all())
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="price now")
    def price_now(self, pass_type: PassType) -> str:
        phase = pricing.current_phase(
            pass_type.phases.all(),
            now=timezone.now(),
            sold=pass_type.sold + pass_type.held,
        )
        if phase is None:
            return "no price on sale"
        return f"{phase.name}: {format_money(phase.price, pass_type.event.currency)}"

    @admin.display(description="sold", ordering="sold")
    def sold(self, pass_type: PassType) -> int:
        return pass_type.sold

    @admin.display(description="held", ordering="held")
    def held(self, pass_type: PassType) -> int:
        return pass_type.held

    @admin.display(description="available")
    def available(self, pass_type: PassType) -> str:
        left = availability(pass_type)
        if left.count is None:
            return "unlimited"
        return f"{left.count} ({left.limited_by})" if left.limited_by else str(left.count)

    @admin.display(description="sales window (event time)", ordering="sales_end")
    def sales_window(self, pass_type: PassType) -> str:
        start, end = pass_type.sales_start, pass_type.sales_end
        if start is None and end is None:
            return "always"
        if start is None:
            return f"until {local_time(end, pass_type.event)}"
        if end is None:
            return f"from {local_time(start, pass_type.event)}"
        return f"{local_time(start, pass_type.event)} – {local_time(end, pass_type.event)}"

    @admin.display(description="sales so far")
    def sales_now(self, pass_type: PassType) -> str:
        if pass_type.pk is None:
            return "Figures appear once the pass is saved."
        return (
            f"{pass_type.sold} sold, {pass_type.held} held, {self.available(pass_type)} "
            f"available; price now: {self.price_now(pass_type)}"
        )


@admin.register(InventoryPool)
class InventoryPoolAdmin(admin.ModelAdmin):
    """Seats shared by several passes (the venue's in-person capacity), with seats taken."""

    list_display = ("name", "event", "capacity", "taken", "left", "members")
    list_select_related = ("event",)
    list_filter = ("event",)
    search_fields = ("name", "event__name")
    fields = ("event", "name", "capacity", "members", "taken", "left")
    readonly_fields = ("members", "taken", "left")

    def get_queryset(self, request):
        pools = with_seats_taken(super().get_queryset(request), now=request_now(request))
        return pools.prefetch_related(Prefetch("pass_types", PassType.objects.order_by("position")))

    @admin.display(description="seats sold or held", ordering="taken")
    def taken(self, pool: InventoryPool) -> int | str:
        return pool.taken if pool.pk else "—"

    @admin.display(description="seats left")
    def left(self, pool: InventoryPool) -> int | str:
        return max(pool.capacity - pool.taken, 0) if pool.pk else "—"

    @admin.display(description="passes drawing on it")
    def members(self, pool: InventoryPool) -> str:
        if pool.pk is None:
            return "Add passes to the pool from each pass's page."
        return ", ".join(pass_type.name for pass_type in pool.pass_types.all()) or "none yet"


# Promo codes -----------------------------------------------------------------------------


@admin.register(PromoCode)
class PromoCodeAdmin(EventTimeZoneAdminMixin, admin.ModelAdmin):
    """Discount codes, what they apply to, their validity and how often they are used."""

    event_reverse_name = "promo_codes"
    list_display = ("code", "event", "discount", "applies_to", "uses", "window",
                    "unlocks_hidden")  # fmt: skip
    list_select_related = ("event",)
    list_filter = ("event", "kind", "unlocks_hidden")
    search_fields = ("code", "event__name")
    filter_horizontal = ("pass_types",)
    readonly_fields = ("uses", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("event", "code", "kind", "value", "pass_types", "unlocks_hidden")}),
        ("Limits", {"fields": ("max_uses", "valid_from", "valid_until", "uses")}),
        ("History", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        codes = with_uses(super().get_queryset(request), now=request_now(request))
        return codes.prefetch_related(Prefetch("pass_types", PassType.objects.order_by("position")))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "pass_types":
            kwargs["queryset"] = self.narrow_to_event(
                request, PassType.objects.select_related("event")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="discount")
    def discount(self, promo: PromoCode) -> str:
        if promo.value == 0:
            return "none (unlocks passes only)" if promo.unlocks_hidden else "none"
        if promo.kind == PromoCode.Kind.PERCENT:
            return f"{promo.value} % off"
        return f"{format_money(promo.value, promo.event.currency)} off each pass"

    @admin.display(description="applies to")
    def applies_to(self, promo: PromoCode) -> str:
        return ", ".join(pass_type.name for pass_type in promo.pass_types.all()) or "every pass"

    @admin.display(description="uses (paid + held)", ordering="uses")
    def uses(self, promo: PromoCode) -> str:
        if promo.pk is None:
            return "—"
        return f"{promo.uses} / {promo.max_uses}" if promo.max_uses else str(promo.uses)

    @admin.display(description="valid (event time)", ordering="valid_until")
    def window(self, promo: PromoCode) -> str:
        start, end = promo.valid_from, promo.valid_until
        if start is None and end is None:
            return "always"
        parts = []
        if start is not None:
            parts.append(f"from {local_time(start, promo.event)}")
        if end is not None:
            parts.append(f"until {local_time(end, promo.event)}")
        return " ".join(parts)
