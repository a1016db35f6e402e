"""Organizer screens for events, their stages and topic tags.

The session screen lives in speakers/admin.py: it edits a session's speakers, and events must
not import speakers.
"""

import zoneinfo
from functools import cache

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.template.loader import render_to_string

from events.models import Event, Stage, Tag
from events.selectors import agenda_by_day_and_stage


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class EventAdminForm(forms.ModelForm):
    """Event form with the time zone picked from the IANA list rather than typed."""

    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        help_text="Session times of this event are entered and shown in this zone.",
    )

    class Meta:
        model = Event
        fields = (
            "name", "slug", "tagline", "description", "status", "start_date", "end_date",
            "time_zone", "attendance_mode", "venue_name", "venue_address", "currency",
            "speaker_logistics",
        )  # fmt: skip


class StageInline(admin.TabularInline):
    """Stages edited on their event's page."""

    model = Stage
    fields = ("name", "slug", "position", "capacity")
    prepopulated_fields = {"slug": ("name",)}
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Events with their stages and a read-only view of the agenda by day and stage."""

    form = EventAdminForm
    list_display = (
        "name",
        "start_date",
        "end_date",
        "time_zone",
        "attendance_mode",
        "status",
        "stage_count",
        "session_count",
    )
    list_filter = ("status", "attendance_mode")
    search_fields = ("name", "slug", "venue_name")
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ("name",)}
    inlines = [StageInline]
    readonly_fields = ("agenda_overview", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "slug", "tagline", "description", "status")}),
        ("When and where", {"fields": ("start_date", "end_date", "time_zone", "attendance_mode",
                                        "venue_name", "venue_address", "currency")}),
        ("Speakers", {"fields": ("speaker_logistics",)}),
        ("Agenda", {"fields": ("agenda_overview",)}),
        ("History", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )  # fmt: skip

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                stage_count=Count("stages", distinct=True),
                session_count=Count("sessions", distinct=True),
            )
        )

    @admin.display(description="stages", ordering="stage_count")
    def stage_count(self, event: Event) -> int:
        return event.stage_count

    @admin.display(description="sessions", ordering="session_count")
    def session_count(self, event: Event) -> int:
        return event.session_count

    @admin.display(description="agenda by day and stage")
    def agenda_overview(self, event: Event) -> str:
        if event.pk is None:
            return "The agenda appears here once the event is saved."
        return render_to_string(
            "admin/events/event/agenda_overview.html",
            {"event": event, "days": agenda_by_day_and_stage(event=event)},
        )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Topic tags shared by sessions across events."""

    list_display = ("name", "slug", "session_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_count=Count("sessions"))

    @admin.display(description="sessions", ordering="session_count")
    def session_count(self, tag: Tag) -> int:
        return tag.session_count
