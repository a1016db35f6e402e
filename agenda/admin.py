"""Organizer screens for the agenda's sessions and the schedule's releases.

Sessions are edited here rather than in events/admin.py because their form carries the
speakers inline, and the events app must not import speakers.
"""

import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from agenda.exceptions import AgendaError
from agenda.grid import day_grid
from agenda.models import ReleaseChange, ScheduleRelease
from agenda.releases import ChangeKind
from agenda.services import (
    SpeakerSlot,
    cancel_session,
    check_release_version,
    reinstate_session,
    release_schedule,
    schedule_session,
    set_sessions_published,
)
from core.admin_zone import EventTimeZoneAdminMixin, id_from_query
from events.exceptions import EventsError
from events.models import Event, Session, Stage
from events.selectors import sessions_on_local_day
from events.services import check_session_slot
from speakers.admin import EventChoiceFilter
from speakers.exceptions import SpeakersError
from speakers.models import SessionSpeaker
from speakers.services import check_speakers_available


class StageFilter(admin.SimpleListFilter):
    """Filter by stage, labelled with its event, in one query."""

    title = "stage"
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        stages = Stage.objects.select_related("event").order_by("event__start_date", "position")
        return [(stage.pk, f"{stage.name} ({stage.event.name})") for stage in stages]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(stage_id=int(value)) if value and value.isdigit() else queryset


class SessionEventFilter(EventChoiceFilter):
    """Sessions of one event."""


class LocalDayFilter(admin.SimpleListFilter):
    """Sessions on one day of the event, as the calendar reads in the event's own zone."""

    title = "day"
    parameter_name = "day"

    def lookups(self, request, model_admin):
        events = Event.objects.order_by("start_date")
        event_id = request.GET.get(SessionEventFilter.parameter_name, "")
        if event_id.isdigit():
            events = events.filter(pk=int(event_id))
        days = sorted({day for event in events for day in event.days})
        return [(day.isoformat(), f"{day:%a %d %b %Y}") for day in days]

    def queryset(self, request, queryset):
        try:
            day = dt.date.fromisoformat(self.value() or "")
        except ValueError:
            return queryset
        return sessions_on_local_day(queryset, day=day)


class SessionAdminForm(forms.ModelForm):
    """Session form that checks the agenda rules for time and stage before saving."""

    class Meta:
        model = Session
        fields = ("event", "title", "format", "abstract", "tags", "is_published", "stage",
                  "starts_at", "ends_at", "livestream_url", "recording_url")  # fmt: skip
        help_texts = {
            "starts_at": "Local time in the event's time zone (named at the top of the page).",
            "ends_at": "Local time in the event's time zone.",
        }

    def clean(self):
        cleaned = super().clean()
        slot = {name: cleaned.get(name) for name in ("event", "stage", "starts_at", "ends_at")}
        # An end before the start is reported by the model's own clean(); check the rest here.
        if all(slot.values()) and slot["ends_at"] > slot["starts_at"]:
            candidate = Session(pk=self.instance.pk, title=cleaned.get("title") or "", **slot)
            try:
                check_session_slot(session=candidate)
            except EventsError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


class SessionSpeakerForm(forms.ModelForm):
    """One speaker row of a session.

    Uniqueness against the database is not checked row by row: the session's speakers are
    rewritten together by `schedule_session`, so swapping two positions must be allowed.
    Duplicates within the submitted rows are still refused by the formset.
    """

    # Blank in a new row rather than the model's 1 (which every new row would share): the
    # formset numbers blank rows after the highest position given, in the order shown.
    position = forms.IntegerField(
        min_value=1,
        required=False,
        help_text=_("Order on stage; left blank, the next number."),
    )

    class Meta:
        model = SessionSpeaker
        fields = ("speaker", "role", "position")

    def validate_unique(self) -> None:
        pass

    def validate_constraints(self) -> None:
        pass


class SessionSpeakerFormSet(BaseInlineFormSet):
    """The session's speakers; refuses a speaker who is on another stage at that time."""

    def kept_forms(self) -> list[forms.Form]:
        return [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def speaker_slots(self) -> list[SpeakerSlot]:
        return [
            SpeakerSlot(
                speaker=form.cleaned_data["speaker"],
                role=form.cleaned_data["role"],
                position=form.cleaned_data["position"],
            )
            for form in self.kept_forms()
        ]

    def number_blank_positions(self) -> None:
        """Rows left without a position come after the highest one given, in form order."""
        kept = self.kept_forms()
        next_position = max((form.cleaned_data.get("position") or 0 for form in kept), default=0)
        for form in kept:
            if not form.cleaned_data.get("position"):
                next_position += 1
                form.cleaned_data["position"] = form.instance.position = next_position

    def clean(self) -> None:
        self.number_blank_positions()
        super().clean()
        session = self.instance
        if any(self.errors) or not (session.starts_at and session.ends_at):
            return
        speakers = [form.cleaned_data["speaker"] for form in self.kept_forms()]
        try:
            check_speakers_available(session=session, speakers=speakers)
        except SpeakersError as error:
            raise ValidationError(error.message, code=error.code) from error


class SessionSpeakerInline(admin.TabularInline):
    """Speakers of a session with their role and order on stage."""

    model = SessionSpeaker
    form = SessionSpeakerForm
    formset = SessionSpeakerFormSet
    fields = ("speaker", "role", "position")
    autocomplete_fields = ("speaker",)
    extra = 1


# How long a session added from a free slot of the grid lasts until the organizer changes it.
NEW_SESSION_LENGTH = dt.timedelta(minutes=30)


@admin.register(Session)
class SessionAdmin(EventTimeZoneAdminMixin, admin.ModelAdmin):
    """The agenda: sessions with their speakers, entered in the event's own time zone."""

    event_reverse_name = "sessions"
    form = SessionAdminForm
    inlines = [SessionSpeakerInline]
    list_display = ("title", "event", "stage_name", "local_time", "format", "speaker_names",
                    "is_published", "status")  # fmt: skip
    list_select_related = ("event", "stage")
    list_filter = (SessionEventFilter, StageFilter, LocalDayFilter, "format", "tags",
                   "is_published", "status")  # fmt: skip
    search_fields = ("title", "abstract", "speakers__name")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("tags",)
    readonly_fields = ("status", "created_at", "updated_at")
    actions = ["publish", "unpublish", "cancel", "reinstate"]
    fieldsets = (
        (
            None,
            {"fields": ("event", "title", "format", "abstract", "tags", "is_published", "status")},
        ),
        ("When and where", {"fields": ("stage", "starts_at", "ends_at")}),
        ("Watching", {"fields": ("livestream_url", "recording_url")}),
        ("History", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_urls(self) -> list[URLPattern]:
        grid = self.admin_site.admin_view(self.grid_view)
        return [path("grid/", grid, name="events_session_grid"), *super().get_urls()]

    def grid_view(self, request: HttpRequest) -> HttpResponse:
        """One day of an event as a time grid: stages as columns, sessions as blocks with their
        format and speakers, and every free quarter hour a link to add a session there."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        event = get_object_or_404(Event, pk=id_from_query(request.GET.get("event")))
        days = list(event.days)
        day = parse_date(request.GET.get("day") or "") or days[0]
        if day not in days:
            day = days[0]
        stages = list(event.stages.order_by("position", "name"))
        sessions = list(
            sessions_on_local_day(self.get_queryset(request).filter(event=event), day=day)
            .select_related("stage")
            .order_by("starts_at")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Agenda of {event.name}",
            "opts": self.opts,
            "event": event,
            "days": days,
            "day": day,
            "grid": day_grid(event, day, stages=stages, sessions=sessions),
            "can_add": self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/events/session/grid.html", context)

    def get_changeform_initial_data(self, request):
        """`?stage=` and `?starts_at=` (local, from a free slot of the grid) fill in the form;
        the session lasts 30 minutes until the organizer says otherwise."""
        initial = super().get_changeform_initial_data(request)
        event = self.event_for_form(request, None)
        starts = parse_datetime(request.GET.get("starts_at") or "")
        if event is not None and starts is not None and timezone.is_naive(starts):
            starts = starts.replace(tzinfo=event.tzinfo)
            initial["starts_at"] = starts
            initial["ends_at"] = starts + NEW_SESSION_LENGTH
        return initial

    def get_queryset(self, request):
        speakers = SessionSpeaker.objects.select_related("speaker").order_by("position")
        return (
            super().get_queryset(request).prefetch_related(Prefetch("session_speakers", speakers))
        )

    @admin.display(description="stage", ordering="stage__position")
    def stage_name(self, session: Session) -> str:
        return session.stage.name

    @admin.display(description="when (event's time)", ordering="starts_at")
    def local_time(self, session: Session) -> str:
        return session.local_slot_label()

    @admin.display(description="speakers")
    def speaker_names(self, session: Session) -> str:
        return ", ".join(
            f"{row.speaker.name} ({row.get_role_display()})"
            for row in session.session_speakers.all()
        )

    @admin.action(description="Publish selected sessions", permissions=["change"])
    def publish(self, request, queryset):
        count = set_sessions_published(queryset, published=True)
        self.message_user(request, f"{count} session(s) published.")

    @admin.action(description="Withdraw selected sessions from the agenda", permissions=["change"])
    def unpublish(self, request, queryset):
        count = set_sessions_published(queryset, published=False)
        self.message_user(request, f"{count} session(s) withdrawn.")

    @admin.action(description="Cancel selected sessions (they stay on the agenda, marked)",
                  permissions=["change"])  # fmt: skip
    def cancel(self, request, queryset):
        count = sum(cancel_session(session=session) for session in queryset)
        self.message_user(request, f"{count} session(s) cancelled.")

    @admin.action(description="Reinstate selected cancelled sessions", permissions=["change"])
    def reinstate(self, request, queryset):
        count = sum(reinstate_session(session=session) for session in queryset)
        self.message_user(request, f"{count} session(s) reinstated.")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "stage":
            kwargs["queryset"] = self.narrow_to_event(
                request, Stage.objects.select_related("event")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Saved together with its speakers in save_related, under the agenda's locks."""

    def save_related(self, request, form, formsets, change):
        speakers_formset = next(fs for fs in formsets if isinstance(fs, SessionSpeakerFormSet))
        schedule_session(session=form.instance, speakers=speakers_formset.speaker_slots())
        form.save_m2m()

    def construct_change_message(self, request, form, formsets, add=False):
        # The speaker rows are written by schedule_session, not by the formset, so the history
        # entry records the session's own fields and names the speakers in a line of its own.
        message = super().construct_change_message(request, form, [], add)
        speakers_formset = next(fs for fs in formsets if isinstance(fs, SessionSpeakerFormSet))
        if speakers_formset.has_changed():
            names = ", ".join(slot.speaker.name for slot in speakers_formset.speaker_slots())
            message.append({"changed": {"fields": [f"speakers: {names or 'none'}"]}})
        return message


class ReleaseEventFilter(EventChoiceFilter):
    """Releases of one event."""


class ScheduleReleaseForm(forms.ModelForm):
    """Release the schedule: a version name unique to the event, and a note for the public."""

    class Meta:
        model = ScheduleRelease
        fields = ("event", "version", "note")

    def clean(self):
        cleaned = super().clean()
        event, version = cleaned.get("event"), cleaned.get("version")
        if event and version is not None:
            try:
                cleaned["version"] = check_release_version(event=event, version=version)
            except AgendaError as error:
                self.add_error("version", error.message)
        return cleaned

    def validate_constraints(self) -> None:
        # check_release_version says it in words naming the event; the constraint stays below.
        pass


def released_state_label(state: dict | None, event: Event) -> str:
    """A session as a release showed it, in a line: when (the event's time), where, who."""
    if state is None:
        return "—"
    zone = event.tzinfo
    starts = dt.datetime.fromisoformat(state["starts_at"]).astimezone(zone)
    ends = dt.datetime.fromisoformat(state["ends_at"]).astimezone(zone)
    speakers = ", ".join(speaker["name"] for speaker in state["speakers"]) or "no speakers"
    parts = [f"{starts:%a %d %b %H:%M}–{ends:%H:%M}", state["stage"]["name"], state["title"],
             speakers]  # fmt: skip
    if state["status"] == Session.Status.CANCELLED:
        parts.append("cancelled")
    return " · ".join(parts)


class ReleaseChangeInline(admin.TabularInline):
    """What changed in a release, session by session."""

    model = ReleaseChange
    fields = ("session_link", "kinds_label", "before_label", "after_label")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="session")
    def session_link(self, change: ReleaseChange) -> str:
        return f"{change.title} (#{change.session_key})"

    @admin.display(description="changes")
    def kinds_label(self, change: ReleaseChange) -> str:
        return ", ".join(ChangeKind(kind).label for kind in change.kinds)

    @admin.display(description="before")
    def before_label(self, change: ReleaseChange) -> str:
        return released_state_label(change.before, change.release.event)

    @admin.display(description="after")
    def after_label(self, change: ReleaseChange) -> str:
        return released_state_label(change.after, change.release.event)


@admin.register(ScheduleRelease)
class ScheduleReleaseAdmin(admin.ModelAdmin):
    """Releases of each event's schedule: release one (version name, note), and see what
    changed in each. A release is a public record: it is never edited or deleted."""

    form = ScheduleReleaseForm
    inlines = [ReleaseChangeInline]
    list_display = ("__str__", "released_at", "session_count", "change_count", "released_by")
    list_select_related = ("event", "released_by")
    list_filter = (ReleaseEventFilter,)
    search_fields = ("version", "note")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).defer("snapshot").annotate(change_count=Count("changes"))
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("event", "version", "note")
        return ("event", "version", "note", "released_at", "released_by", "session_count")

    @admin.display(description="changes", ordering="change_count")
    def change_count(self, release: ScheduleRelease) -> int:
        return release.change_count

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        release = release_schedule(
            event=form.cleaned_data["event"],
            version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
        obj.pk, obj.released_at = release.pk, release.released_at
        self.message_user(
            request, f"Released {release.version} of {release.event.name}'s schedule."
        )

    def save_related(self, request, form, formsets, change):
        """The changes are written by release_schedule, not by the inline."""
