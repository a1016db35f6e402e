"""The speaker admin's CSV import: upload a file, preview every row, then confirm to import."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from core.audit import record, subject_type_of
from core.models import AuditAction
from events.models import Event
from speakers.exceptions import SpeakersError
from speakers.importing import (
    ImportPlan,
    ImportRow,
    apply_speaker_import,
    decode_speaker_csv,
    parse_speaker_csv,
    plan_speaker_import,
)

# The confirm step posts the file's text back as a form field, which Django caps at
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default); 1 MB is thousands of speakers.
MAX_UPLOAD_BYTES = 1024 * 1024


def _events() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Event.objects.order_by("-start_date", "name"),
        required=False,
        help_text="Optional: speakers not yet in this event's lineup join it as invited.",
    )


def _parse_into(form: forms.Form, text: str, field: str | None) -> None:
    try:
        form.cleaned_data["rows"] = parse_speaker_csv(text)
    except SpeakersError as error:
        form.add_error(field, forms.ValidationError(error.message, code=error.code))


class SpeakerImportForm(forms.Form):
    """The upload step: a CSV file and, optionally, the event whose lineup speakers join."""

    csv_file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, at most 1 MB, with a header row: name, job title, company, bio, "
        "e-mail, links.",
    )
    event = _events()

    def clean_csv_file(self) -> str:
        upload = self.cleaned_data["csv_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB; split it in parts.")
        try:
            return decode_speaker_csv(upload.read())
        except SpeakersError as error:
            raise forms.ValidationError(error.message, code=error.code) from error

    def clean(self) -> dict:
        cleaned = super().clean()
        if "csv_file" in cleaned:
            _parse_into(self, cleaned["csv_file"], "csv_file")
        return cleaned


class SpeakerImportConfirmForm(forms.Form):
    """The confirm step: the previewed file's text and event, posted back unchanged."""

    csv_text = forms.CharField(widget=forms.HiddenInput, strip=False)
    event = _events()
    fingerprint = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].widget = forms.HiddenInput()

    def clean(self) -> dict:
        cleaned = super().clean()
        if "csv_text" in cleaned:
            _parse_into(self, cleaned["csv_text"], None)
        return cleaned


class SpeakerImportAdminMixin:
    """Adds an “Import CSV” page to a Speaker ModelAdmin: upload, preview, then confirm."""

    import_form_template = "admin/speakers/speaker/import_form.html"
    import_preview_template = "admin/speakers/speaker/import_preview.html"

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        import_url = path("import/", self.admin_site.admin_view(self.import_view), name=name)
        # First, so that the change view's catch-all `<path:object_id>/` does not take it.
        return [import_url, *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        # An import both creates and updates speakers.
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_import(request)
        if request.method != "POST":
            return self._render(request, self.import_form_template, {"form": SpeakerImportForm()})
        form = SpeakerImportForm(request.POST, request.FILES)
        if form.is_valid():
            plan = plan_speaker_import(
                rows=form.cleaned_data["rows"], event=form.cleaned_data["event"]
            )
            return self._render_preview(request, plan, text=form.cleaned_data["csv_file"])
        return self._render(request, self.import_form_template, {"form": form})

    def _confirm_import(self, request: HttpRequest) -> HttpResponse:
        form = SpeakerImportConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The import could not be confirmed; upload the file again.")
            return HttpResponseRedirect(request.path)
        text, event = form.cleaned_data["csv_text"], form.cleaned_data["event"]
        rows: list[ImportRow] = form.cleaned_data["rows"]
        plan = plan_speaker_import(rows=rows, event=event)
        if plan.fingerprint != form.cleaned_data["fingerprint"]:
            # Someone changed speakers since the preview was made: what was confirmed is not
            # what would be written, so show the new preview instead of importing.
            messages.warning(
                request, "Speakers changed since this preview was made. Check it again."
            )
            return self._render_preview(request, plan, text=text)
        try:
            result = apply_speaker_import(plan=plan)
        except SpeakersError as error:
            messages.error(request, error.message)
            fresh = plan_speaker_import(rows=rows, event=event)
            return self._render_preview(request, fresh, text=text)
        self._audit(request, AuditAction.CHANGED, result.created + result.updated, "CSV import")
        messages.success(request, f"Speakers imported: {result.summary()}.")
        changelist = f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"
        return HttpResponseRedirect(reverse(changelist, current_app=self.admin_site.name))

    def _render_preview(
        self, request: HttpRequest, plan: ImportPlan, *, text: str
    ) -> TemplateResponse:
        confirm_form = SpeakerImportConfirmForm(
            initial={
                "csv_text": text,
                "event": plan.event.pk if plan.event else None,
                "fingerprint": plan.fingerprint,
            }
        )
        context = {"plan": plan, "confirm_form": confirm_form}
        # The preview lists names and e-mails, from the file and from matching speakers.
        self._audit(request, AuditAction.VIEWED, len(plan.rows), "CSV import preview")
        return self._render(request, self.import_preview_template, context)

    def _audit(self, request: HttpRequest, action: AuditAction, count: int, detail: str) -> None:
        record(
            actor=request.user,
            action=action,
            subject_type=subject_type_of(self.model),
            object_count=count,
            detail=detail,
        )

    def _render(self, request: HttpRequest, template: str, context: dict) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import speakers from CSV",
            **context,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, template, context)
