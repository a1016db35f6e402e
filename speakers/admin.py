"""Organizer screens for speakers, organizations and event lineups."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Prefetch
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_zone import id_from_query
from core.audit import PersonalDataAuditMixin, ids_label
from core.csv_export import csv_response
from core.models import AuditAction
from events.models import Event
from speakers.admin_import import SpeakerImportAdminMixin
from speakers.forms import HeadshotField
from speakers.models import InvitationStatus, LineupEntry, Organization, Speaker
from speakers.models import SpeakerLink as Link
from speakers.privacy import erase_speaker_contacts
from speakers.selectors import speaker_export_rows
from speakers.services import (
    STATUS_TIME_FIELD,
    invite_speakers,
    resend_portal_links,
    revoke_portal_links,
    set_lineup_status,
    stamp_status_time,
    store_headshot_renditions,
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Companies and institutions speakers come from."""

    list_display = ("name", "website", "speaker_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(speaker_count=Count("speakers"))

    @admin.display(description="speakers", ordering="speaker_count")
    def speaker_count(self, organization: Organization) -> int:
        return organization.speaker_count


class EventChoiceFilter(admin.SimpleListFilter):
    """Filter by event; lists events by name in one query."""

    title = "event"
    parameter_name = "event"
    lookup = "event"

    def lookups(self, request, model_admin):
        return list(Event.objects.values_list("pk", "name"))

    def selectedid_from_query(self) -> int | None:
        value = self.value()
        return int(value) if value and value.isdigit() else None

    def queryset(self, request, queryset):
        event_id = self.selectedid_from_query()
        if event_id is None:
            return queryset
        return queryset.filter(**{self.lookup: event_id}).distinct()


class LineupEventFilter(EventChoiceFilter):
    """Speakers in the lineup of one event."""

    lookup = "lineup_entries__event"


class InvitationStatusFilter(admin.SimpleListFilter):
    """Speakers by invitation status, for the event chosen in the event filter if any."""

    title = "invitation status"
    parameter_name = "invitation"

    def lookups(self, request, model_admin):
        return InvitationStatus.choices

    def queryset(self, request, queryset):
        if self.value() not in InvitationStatus.values:
            return queryset
        entries = LineupEntry.objects.filter(status=self.value())
        event_id = request.GET.get(LineupEventFilter.parameter_name, "")
        if event_id.isdigit():
            entries = entries.filter(event_id=int(event_id))
        return queryset.filter(pk__in=entries.values("speaker_id"))


class LineupEventForm(forms.Form):
    """The event a lineup action applies to."""

    event = forms.ModelChoiceField(queryset=Event.objects.order_by("-start_date"))


class SpeakerLinkInline(admin.TabularInline):
    """Public links on the speaker's profile."""

    model = Link
    fields = ("url", "label")
    extra = 0


class LineupEntryForm(forms.ModelForm):
    """A lineup row whose status change stamps the matching time."""

    class Meta:
        model = LineupEntry
        fields = ("event", "status")

    def save(self, commit: bool = True) -> LineupEntry:
        if "status" in self.changed_data:
            stamp_status_time(self.instance, now=timezone.now())
        return super().save(commit)


class LineupEntryInline(admin.TabularInline):
    """The events this speaker is in the lineup of, with invitation progress."""

    model = LineupEntry
    form = LineupEntryForm
    fields = ("event", "status", "invited_at", "invitation_sent_at", "confirmed_at", "declined_at")
    readonly_fields = ("invited_at", "invitation_sent_at", "confirmed_at", "declined_at")
    extra = 0


class SpeakerForm(forms.ModelForm):
    """The speaker page's form; the headshot goes through HeadshotField."""

    class Meta:
        model = Speaker
        fields = ("headshot",)  # the admin adds the fields of its fieldsets
        field_classes = {"headshot": HeadshotField}


@admin.register(Speaker)
class SpeakerAdmin(PersonalDataAuditMixin, SpeakerImportAdminMixin, admin.ModelAdmin):
    """Speakers across events, with lineup actions and CSV import and export."""

    form = SpeakerForm
    list_display = ("headshot_thumbnail", "name", "job_title", "organization", "lineup", "email")
    list_display_links = ("name",)
    list_select_related = ("organization",)
    list_filter = (LineupEventFilter, "organization", InvitationStatusFilter)
    search_fields = ("name", "job_title", "organization__name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("organization",)
    inlines = [SpeakerLinkInline, LineupEntryInline]
    readonly_fields = ("created_at", "updated_at")
    actions = ["mark_confirmed", "mark_declined", "send_invitation", "export_csv", "erase_contacts"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "pronouns", "job_title", "organization", "bio",
                           "headshot")}),
        ("Private contact (never shown publicly)", {"fields": ("email", "phone")}),
        ("History", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )  # fmt: skip

    def get_queryset(self, request):
        lineup = LineupEntry.objects.select_related("event").order_by("event__start_date")
        return super().get_queryset(request).prefetch_related(Prefetch("lineup_entries", lineup))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "headshot" in form.changed_data:
            previous = form.initial.get("headshot")
            store_headshot_renditions(speaker=obj, replaced=previous.name if previous else "")

    @admin.display(description="")
    def headshot_thumbnail(self, speaker: Speaker) -> str:
        if not speaker.headshot:
            return "—"
        small = speaker.headshot_renditions.get("96")
        return format_html(
            '<img src="{}" alt="{}" width="40" height="40" '
            'style="object-fit: cover; border-radius: 50%;">',
            speaker.headshot.storage.url(small) if small else speaker.headshot.url,
            speaker.name,
        )

    @admin.display(description="lineup")
    def lineup(self, speaker: Speaker) -> str:
        entries = speaker.lineup_entries.all()
        return ", ".join(f"{entry.event.name} ({entry.get_status_display()})" for entry in entries)

    def _for_chosen_event(
        self, request, queryset, *, verb: str, perform
    ) -> TemplateResponse | None:
        """Ask which event a lineup action is for, then `perform(event)` once it is chosen.

        The event filter, when set, preselects the event; it cannot be the only way to name
        it, since filtering by an event hides the speakers not yet in its lineup.
        """
        chosen = "apply" in request.POST
        form = LineupEventForm(
            request.POST if chosen else None,
            initial={"event": id_from_query(request.GET.get(LineupEventFilter.parameter_name))},
        )
        if chosen and form.is_valid():
            perform(form.cleaned_data["event"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{verb.capitalize()}: choose the event",
            "verb": verb,
            "opts": self.model._meta,
            "form": form,
            "speakers": queryset,
            "action": request.POST["action"],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/speakers/speaker/choose_event.html", context)

    def _set_status(self, request, queryset, status: InvitationStatus):
        def perform(event: Event) -> None:
            changed = set_lineup_status(event=event, speakers=queryset, status=status)
            label = status.label.lower()
            self.message_user(request, f"{changed} speaker(s) marked {label} for {event.name}.")

        return self._for_chosen_event(
            request, queryset, verb=f"mark {status.label.lower()}", perform=perform
        )

    @admin.action(description="Mark confirmed for an event…", permissions=["change"])
    def mark_confirmed(self, request, queryset):
        return self._set_status(request, queryset, InvitationStatus.CONFIRMED)

    @admin.action(description="Mark declined for an event…", permissions=["change"])
    def mark_declined(self, request, queryset):
        return self._set_status(request, queryset, InvitationStatus.DECLINED)

    @admin.action(description="Send invitation e-mail for an event…", permissions=["change"])
    def send_invitation(self, request, queryset):
        def perform(event: Event) -> None:
            result = invite_speakers(event=event, speakers=queryset)
            self.message_user(
                request, f"Invitation to {event.name} queued for {len(result.queued)} speaker(s)."
            )
            for speakers, reason in (
                (result.without_email, "have no e-mail address"),
                (result.already_confirmed, "have already confirmed"),
            ):
                if speakers:
                    names = ", ".join(speaker.name for speaker in speakers)
                    message = f"Not invited, as they {reason}: {names}."
                    self.message_user(request, message, messages.WARNING)

        return self._for_chosen_event(request, queryset, verb="invite", perform=perform)

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = csv_response(speaker_export_rows(queryset), filename="speakers.csv")
        self.audit(
            request,
            AuditAction.EXPORTED,
            subject_id=ids_label(speaker.pk for speaker in queryset),
            object_count=len(queryset),
            detail="speaker CSV export",
        )
        return response

    @admin.action(description="Erase private contacts (on request)…", permissions=["change"])
    def erase_contacts(self, request, queryset):
        def erase() -> None:
            erased = [speaker for speaker in queryset if erase_speaker_contacts(speaker=speaker)]
            for speaker in erased:
                self.audit(
                    request,
                    AuditAction.ERASED,
                    subject_id=self.audit_subject_id(speaker),
                    detail="private contacts erased on request",
                )
            self.message_user(request, f"Private contacts erased for {len(erased)} speaker(s).")

        return self.confirm_erasure(
            request,
            queryset,
            title="Erase speakers' private contacts on request",
            people=[speaker.name for speaker in queryset],
            consequence="Their private e-mail address and phone number are blanked; their "
            "public profile stays.",
            erase=erase,
        )


class AnsweredFilter(admin.SimpleListFilter):
    """Lineup entries whose speaker has answered (confirmed or declined), or not yet."""

    title = gettext_lazy("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return (("yes", _("Answered")), ("no", _("Not answered yet")))

    def queryset(self, request, queryset):
        answers = InvitationStatus.answers()
        if self.value() == "yes":
            return queryset.filter(status__in=answers)
        if self.value() == "no":
            return queryset.exclude(status__in=answers)
        return queryset


@admin.register(LineupEntry)
class LineupEntryAdmin(admin.ModelAdmin):
    """Every event's lineup: who answered and who has not, and their portal links."""

    form = LineupEntryForm
    list_display = (
        "__str__",
        "answered",
        "invitation_sent_at",
        "answered_at",
        "link_state",
    )
    list_select_related = ("speaker", "event")
    list_filter = ("event", AnsweredFilter, "status")
    search_fields = ("speaker__name", "speaker__email", "event__name")
    autocomplete_fields = ("speaker",)
    fields = ("speaker", "event", "status")
    actions = ["resend_links", "revoke_links"]

    @admin.display(description=gettext_lazy("answered"), boolean=True)
    def answered(self, entry: LineupEntry) -> bool:
        return entry.status in InvitationStatus.answers()

    @admin.display(description=gettext_lazy("answered at"))
    def answered_at(self, entry: LineupEntry):
        if entry.status not in InvitationStatus.answers():
            return None
        return getattr(entry, STATUS_TIME_FIELD[InvitationStatus(entry.status)])

    @admin.display(description=gettext_lazy("portal link"))
    def link_state(self, entry: LineupEntry) -> str:
        if entry.link_revoked_at is not None:
            return _("revoked %(when)s") % {
                "when": f"{timezone.localtime(entry.link_revoked_at):%Y-%m-%d %H:%M}"
            }
        return _("sent") if entry.invitation_sent_at else _("not sent")

    @admin.action(description=gettext_lazy("Re-send the invitation link"), permissions=["change"])
    def resend_links(self, request, queryset):
        queued = resend_portal_links(entries=queryset)
        self.message_user(
            request, _("Invitation link queued for %(count)s speaker(s).") % {"count": len(queued)}
        )
        skipped = queryset.count() - len(queued)
        if skipped:
            self.message_user(
                request,
                _("%(count)s not sent: they declined or have no e-mail address.")
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Revoke the portal link"), permissions=["change"])
    def revoke_links(self, request, queryset):
        revoked = revoke_portal_links(entries=queryset)
        self.message_user(
            request,
            _("Portal link revoked for %(count)s speaker(s); re-send to give them a new one.")
            % {"count": revoked},
        )
