"""Superusers' read-only audit log, and the user admin with its audit trail and erasure action."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from core.audit import PersonalDataAuditMixin
from core.models import AuditAction, AuditEntry
from privacy.services import erase_person


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Who saw, exported, changed or erased personal data: for superusers, and never edited.

    Organizers hold every permission of the apps they run, so the log asks for superuser
    status rather than a permission an organizer group could be handed by mistake.
    """

    list_display = ("at", "actor_username", "action", "subject_type", "subject_id",
                    "object_count", "detail")  # fmt: skip
    list_filter = ("action", "subject_type", "at")
    search_fields = ("actor_username", "subject_id")
    ordering = ("-at", "-id")
    fields = list_display

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(PersonalDataAuditMixin, UserAdmin):
    """Django's user admin, with its personal data audited and an erasure on request."""

    actions = ["erase_people"]

    @admin.action(description="Erase the selected people (on request)…", permissions=["change"])
    def erase_people(self, request, queryset):
        # Staff accounts carry the admin's history: their staff status is removed first, on
        # purpose, as the API's self-service erasure also asks (and nobody erases themselves).
        people = [user for user in queryset if not (user.is_staff or user.is_superuser)]

        def erase() -> None:
            if len(people) < len(queryset):
                self.message_user(
                    request,
                    "Staff accounts were skipped: remove their staff status first.",
                    messages.WARNING,
                )
            for user in people:
                subject_id = self.audit_subject_id(user)
                # The same erasure as deleting one's own account through the API.
                result = erase_person(user=user, void_future_tickets=True)
                summary = result.summary()
                self.audit(
                    request,
                    AuditAction.ERASED,
                    subject_id=subject_id,
                    object_count=result.orders_anonymised,
                    detail=f"person erased on request: {summary}",
                )
                self.message_user(request, f"User {subject_id}: {summary}.")

        return self.confirm_erasure(
            request,
            queryset,
            title="Erase people on request",
            people=[user.get_username() for user in people],
            consequence="Their accounts are deleted, their orders kept for accounting without "
            "their name or e-mail, and their valid tickets for events not yet ended voided, "
            "without refund: refund first what is owed.",
            erase=erase,
        )
