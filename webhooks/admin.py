"""Organizer screens for outbound webhooks: endpoints, their deliveries and every attempt.

An endpoint's page shows its signing secret (staff only) and its latest deliveries with the
status code and time of each attempt. Changes go through webhooks.services.
"""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.domain_events import EVENT_TYPES
from webhooks import services
from webhooks.exceptions import WebhooksError
from webhooks.models import Attempt, Delivery, Endpoint
from webhooks.selectors import recent_deliveries

BOTH_PAGES = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


class EndpointForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=[(name, f"{name}: {meaning}") for name, meaning in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text="Which happenings this endpoint is sent.",
    )

    class Meta:
        model = Endpoint
        fields = ("url", "description", "event", "event_types", "enabled")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        candidate = Endpoint(url=cleaned["url"], event_types=cleaned["event_types"])
        try:
            services.check_endpoint(endpoint=candidate)
        except WebhooksError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("__str__", "url", "event", "types_shown", "enabled", "disabled_reason")
    list_filter = ("enabled", "event")
    list_select_related = ("event",)
    search_fields = ("url", "description")
    readonly_fields = ("secret", "disabled_at", "disabled_reason", "failing_since", "deliveries")
    actions = ["send_test_event"]

    def get_fields(self, request, obj=None):
        fields = ["url", "description", "event", "event_types", "enabled"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        services.save_endpoint(endpoint=obj)

    @admin.display(description="event types")
    def types_shown(self, endpoint: Endpoint) -> str:
        return ", ".join(endpoint.event_type_labels())

    @admin.display(description="recent deliveries")
    def deliveries(self, endpoint: Endpoint) -> str:
        rows = [
            (
                reverse("admin:webhooks_delivery_change", args=[delivery.pk]),
                delivery.event_type,
                delivery.message_id,
                delivery.get_status_display(),
                "; ".join(_attempt_summary(attempt) for attempt in delivery.attempt_log.all())
                or "not tried yet",
            )
            for delivery in recent_deliveries(endpoint)
        ]
        if not rows:
            return "None yet."
        body = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            rows,
        )
        return format_html(
            "<table><thead><tr><th>event type</th><th>webhook-id</th><th>status</th>"
            "<th>attempts (newest first)</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )

    @admin.action(description="Send a test event", permissions=["change"], location=BOTH_PAGES)
    def send_test_event(self, request, queryset):
        enabled = [endpoint for endpoint in queryset if endpoint.enabled]
        for endpoint in enabled:
            services.send_test_event(endpoint=endpoint)
        self.message_user(request, f"Test event queued for {len(enabled)} endpoint(s).")
        if len(enabled) < len(queryset):
            self.message_user(
                request, "Disabled endpoints were skipped: enable them first.", messages.WARNING
            )


def _attempt_summary(attempt: Attempt) -> str:
    answer = attempt.status_code or attempt.error or "no answer"
    return f"{attempt.attempted_at:%d %b %H:%M:%S} {answer} ({attempt.duration_ms} ms)"


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ("attempted_at", "status_code", "error", "duration_ms", "response_excerpt")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("message_id", "event_type", "endpoint", "status", "attempts",
                    "next_attempt_at", "created_at")  # fmt: skip
    list_filter = ("status", "event_type", "endpoint")
    search_fields = ("message_id",)
    list_select_related = ("endpoint",)
    fields = ("endpoint", "message_id", "event_type", "status", "attempts", "next_attempt_at",
              "delivered_at", "created_at", "payload")  # fmt: skip
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request):
        return False

    @admin.action(
        description="Redeliver (same webhook-id)",
        permissions=["change"],
        location=BOTH_PAGES,
    )
    def redeliver(self, request, queryset):
        queued = services.redeliver(deliveries=queryset)
        self.message_user(request, f"{queued} delivery(ies) queued again.")
        if queued < len(queryset):
            self.message_user(
                request, "Deliveries of disabled endpoints were skipped.", messages.WARNING
            )
