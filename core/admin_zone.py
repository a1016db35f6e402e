"""Admin change forms whose times are typed and shown in the event's own time zone.

Organizers of a Beijing event must not type UTC: while a session, pass or promo code form is
built, validated and rendered, Django's current zone is the event's.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.utils import timezone

from core.exceptions import DomainError


def id_from_query(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class EventTimeZoneAdminMixin:
    """For a ModelAdmin of a model whose `event` field points to the event it belongs to.

    The event is the edited object's, or the one posted (or named in `?event=`) on the add
    page. `event_reverse_name` is the lookup from the event to the model, e.g. "sessions".
    """

    event_reverse_name: str
    change_form_template = "admin/event_zone_change_form.html"

    def event_for_form(self, request: HttpRequest, object_id: str | None):
        if not hasattr(request, "greenroom_event"):
            if object_id is not None and object_id.isdigit():
                lookup = {f"{self.event_reverse_name}__pk": int(object_id)}
            else:
                posted = request.POST.get("event") or request.GET.get("event")
                lookup = {"pk": id_from_query(posted)}
            event_model = self.model._meta.get_field("event").related_model
            request.greenroom_event = event_model._default_manager.filter(**lookup).first()
        return request.greenroom_event

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        event = self.event_for_form(request, object_id)
        context = {**(extra_context or {}), "event_for_times": event}
        try:
            with timezone.override(event.tzinfo if event else None):
                response = super().changeform_view(request, object_id, form_url, context)
                # Render while the event's zone is active: form widgets format times then.
                return response.render() if hasattr(response, "render") else response
        except DomainError as error:
            # A rule checked again under lock at save time (another organizer got there first).
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        event = self.event_for_form(request, None)
        if event is not None:
            initial["event"] = event.pk
        return initial

    def narrow_to_event(self, request, queryset):
        """Choices of this event only, once the form knows its event."""
        event = getattr(request, "greenroom_event", None)
        return queryset.filter(event=event) if event else queryset
