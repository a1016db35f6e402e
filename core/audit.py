"""The audit trail of personal data in the admin: `record`, and the mixin admin screens use.

Entries name what was handled by type, id and count, never by content: no names, e-mails or
search terms, so the log does not become a second copy of the data it guards.
"""

from collections.abc import Callable, Iterable

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.db import transaction
from django.db.models import Model, QuerySet
from django.template.response import TemplateResponse

from core.models import AuditAction, AuditEntry

SUBJECT_ID_LENGTH = AuditEntry._meta.get_field("subject_id").max_length
DETAIL_LENGTH = AuditEntry._meta.get_field("detail").max_length
# Query parameters that change how a list looks, not which people it shows.
NOT_A_FILTER = {PAGE_VAR, ORDER_VAR, IS_POPUP_VAR, TO_FIELD_VAR, "all", "_changelist_filters"}


def record(
    *,
    actor,
    action: AuditAction,
    subject_type: str,
    subject_id: str = "",
    object_count: int = 1,
    detail: str = "",
) -> AuditEntry:
    """Write one entry; `subject_id` and `detail` must be ids, codes, counts or field names."""
    return AuditEntry.objects.create(
        actor=actor if actor.pk else None,
        actor_username=actor.get_username(),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id[:SUBJECT_ID_LENGTH],
        object_count=object_count,
        detail=detail[:DETAIL_LENGTH],
    )


def subject_type_of(model: type[Model]) -> str:
    """E.g. "tickets.order"."""
    return f"{model._meta.app_label}.{model._meta.model_name}"


def ids_label(ids: Iterable[object]) -> str:
    """Ids or codes joined by commas; when they do not fit, as many as fit and how many more."""
    ids = [str(value) for value in ids]
    for shown in range(len(ids), 0, -1):
        label = ",".join(ids[:shown]) + (f",+{len(ids) - shown} more" if shown < len(ids) else "")
        if len(label) <= SUBJECT_ID_LENGTH:
            return label
    return f"{len(ids)} items"


def list_detail(request) -> str:
    """How a list page was narrowed, by parameter names only (a search term may be an e-mail)."""
    filters = sorted({name for name in request.GET if name not in NOT_A_FILTER | {SEARCH_VAR}})
    parts = ["list"]
    if filters:
        parts.append("filtered by " + ", ".join(filters))
    if request.GET.get(SEARCH_VAR):
        parts.append("searched")
    return "; ".join(parts)


class PersonalDataAuditMixin:
    """For ModelAdmins showing personal data: records lists and records seen, saves, deletes.

    Actions that export or erase call `audit()` themselves. `audit_subject_id()` names a
    record in the log; override it where a code reads better than the primary key.
    """

    erasure_template = "admin/core/confirm_erasure.html"

    def audit_subject_id(self, obj: Model) -> str:
        return str(obj.pk)

    def audit(
        self, request, action: AuditAction, *, subject_id="", object_count=1, detail=""
    ) -> AuditEntry:
        return record(
            actor=request.user,
            action=action,
            subject_type=subject_type_of(self.model),
            subject_id=subject_id,
            object_count=object_count,
            detail=detail,
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # len() fills the page's queryset cache, which the template then iterates.
            rows = len(changelist.result_list)
            self.audit(request, AuditAction.VIEWED, object_count=rows, detail=list_detail(request))
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and request.method == "GET":
            self.audit(request, AuditAction.VIEWED, subject_id=self.audit_subject_id(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed = [*form.changed_data]
        changed += [formset.model._meta.model_name for formset in formsets if formset.has_changed()]
        if changed:
            verb = "changed" if change else "added"
            self.audit(
                request,
                AuditAction.CHANGED,
                subject_id=self.audit_subject_id(form.instance),
                detail=f"{verb}: {', '.join(changed)}",
            )

    def delete_model(self, request, obj):
        subject_id = self.audit_subject_id(obj)
        super().delete_model(request, obj)
        self.audit(request, AuditAction.CHANGED, subject_id=subject_id, detail="deleted")

    def delete_queryset(self, request, queryset):
        subject_id = ids_label(self.audit_subject_id(obj) for obj in queryset)
        count = len(queryset)
        super().delete_queryset(request, queryset)
        self.audit(
            request,
            AuditAction.CHANGED,
            subject_id=subject_id,
            object_count=count,
            detail="deleted",
        )

    def confirm_erasure(
        self,
        request,
        queryset: QuerySet,
        *,
        title: str,
        people: list[str],
        consequence: str,
        erase: Callable[[], None],
    ) -> TemplateResponse | None:
        """Show an erasure action's confirmation page, then `erase()` once it is confirmed.

        The first POST (from the changelist) shows the page; its button posts again, with
        the CSRF token, to confirm. The erasures and their audit entries commit together.
        """
        if request.method == "POST" and "confirm_erasure" in request.POST:
            with transaction.atomic():
                erase()
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "people": people,
            "consequence": consequence,
            "selected": [obj.pk for obj in queryset],
            "action": request.POST.get("action", ""),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.erasure_template, context)
