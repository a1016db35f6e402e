"""Read endpoints for events."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics

from config.api.conditional import ConditionalGetMixin, ContentVersion
from config.api.errors import ErrorSerializer
from events.api.filters import EventFilter
from events.api.serializers import EventDetailSerializer, EventSerializer
from events.selectors import event_detail_version, events_version, public_events


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

    def content_version(self) -> ContentVersion:
        return event_detail_version(public_events().filter(slug=self.kwargs["event_slug"]))
