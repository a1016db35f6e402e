"""Read endpoints for events."""

from functools import cached_property

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics

from config.api.conditional import ConditionalGetMixin, ContentVersion
from config.api.errors import ErrorSerializer
from events.api.filters import EventFilter
from events.api.serializers import EventDetailSerializer, EventSerializer
from events.selectors import (
    event_detail_version,
    event_sales_status,
    events_version,
    get_public_event,
    public_events,
)


@extend_schema_view(get=extend_schema(tags=["events"], summary="List published events"))
class EventListView(ConditionalGetMixin, generics.ListAPIView):
    """Published (and cancelled) events, soonest first."""

    serializer_class = EventSerializer
    filterset_class = EventFilter
    ordering_fields = ("start_date", "name")
    ordering = ("start_date", "name")

    def get_queryset(self):
        return public_events()

    def content_version(self) -> ContentVersion:
        return events_version(public_events())


@extend_schema_view(
    get=extend_schema(
        tags=["events"],
        summary="One event with its stages",
        responses={200: EventDetailSerializer, 404: ErrorSerializer},
    )
)
class EventDetailView(ConditionalGetMixin, generics.RetrieveAPIView):
    """An event by slug."""

    serializer_class = EventDetailSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "event_slug"
    filter_backends = ()

    def get_queryset(self):
        return public_events().prefetch_related("stages")

    @cached_property
    def sales_status(self) -> str | None:
        event = get_public_event(self.kwargs["event_slug"])
        return event_sales_status(event)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "sales_status": self.sales_status}

    def content_version(self) -> ContentVersion:
        version = event_detail_version(public_events().filter(slug=self.kwargs["event_slug"]))
        return ContentVersion(version.last_modified, f"{version.token}:{self.sales_status}")
