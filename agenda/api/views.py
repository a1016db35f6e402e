"""Read endpoints of the agenda and lineup, the personal agenda, and agenda exports."""

from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agenda import calendars, schedule_formats
from agenda.api.filters import LineupFilter, SessionFilter
from agenda.api.serializers import (
    BookmarkSerializer,
    BundleSerializer,
    LineupSpeakerSerializer,
    ScheduleReleaseSerializer,
    SessionSerializer,
    SpeakerProfileSerializer,
    headshot_urls,
)
from agenda.changes import (
    session_ids_removed_since,
    sessions_changed_since,
    speaker_ids_removed_since,
    speakers_changed_since,
    stage_ids_removed_since,
    tag_slugs_removed_since,
)
from agenda.models import ScheduleRelease
from agenda.rows import (
    SESSION_COLUMNS,
    rows_of_values,
    session_documents,
    session_rows,
    speaker_documents,
)
from agenda.selectors import (
    agenda_version,
    bookmarked_sessions,
    event_releases,
    latest_release_version,
    lineup_with_sessions,
    public_lineup,
    public_speaker_profiles,
    published_sessions,
)
from agenda.services import add_bookmark, remove_bookmark
from config.api.conditional import CacheControlMixin, ConditionalGetMixin, ContentVersion
from config.api.delta import (
    UPDATED_SINCE_PARAMETER,
    DeltaListMixin,
    next_sync_point,
    parse_updated_since,
)
from config.api.errors import ErrorSerializer
from config.api.timestamps import ApiJSONRenderer, api_timestamp
from core.extensions import BUNDLE_SECTIONS
from events.api.serializers import EventDetailSerializer
from events.models import Event, Session
from events.selectors import event_sales_status, get_public_event, public_events
from speakers.models import Speaker

NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="No such public event or item.")}
BAD_SINCE = {
    400: OpenApiResponse(ErrorSerializer, description="`updated_since` is not a date-time."),
    410: OpenApiResponse(ErrorSerializer, description="`updated_since` is too old to delta."),
}


class EventAgendaMixin:
    """Views under /events/{slug}/: the public event, and its agenda's version for ETags."""

    @cached_property
    def event(self) -> Event:
        return get_public_event(self.kwargs["event_slug"])

    def content_version(self) -> ContentVersion:
        seconds = settings.GREENROOM_VERSION_CACHE_SECONDS
        if not seconds:
            return agenda_version(self.event)
        return cache.get_or_set(
            f"greenroom:agenda-version:{self.event.pk}",
            lambda: agenda_version(self.event),
            seconds,
        )

    def absolute_url(self, name: str, **kwargs) -> str:
        return self.request.build_absolute_uri(reverse(name, kwargs=kwargs))

    def speaker_headshots(self, speaker: Speaker) -> dict[str, str] | None:
        """A speaker's `headshots` for agenda.rows, absolute as the serializers give them."""
        return headshot_urls(speaker, self.request)


@extend_schema_view(
    get=extend_schema(
        tags=["agenda"],
        summary="The agenda of an event",
        parameters=[UPDATED_SINCE_PARAMETER],
        responses={200: SessionSerializer(many=True), **BAD_SINCE, **NOT_FOUND},
    )
)
class SessionListView(EventAgendaMixin, ConditionalGetMixin, DeltaListMixin, generics.ListAPIView):
    """Published sessions with stage, times, format, tags and speakers."""

    queryset = Session.objects.none()  # tells the schema generator the model
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    ordering_fields = ("starts_at", "title")
    ordering = ("starts_at", "stage__position", "pk")

    def get_queryset(self):
        return published_sessions(self.event)

    def changed_since(self, queryset, since):
        return sessions_changed_since(queryset, since)

    def removed_ids_since(self, since) -> list[int]:
        return session_ids_removed_since(self.event, since)

    def list(self, request, *args, **kwargs):
        # Plain rows rather than serializer instances (agenda.rows): the same answer, cheaper.
        sessions = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(sessions.prefetch_related(None).values(*SESSION_COLUMNS))
        return self.get_paginated_response(
            session_documents(
                rows_of_values(page, event=self.event), headshot_urls=self.speaker_headshots
            )
        )


@extend_schema_view(
    get=extend_schema(
        tags=["agenda"], summary="One session", responses={200: SessionSerializer, **NOT_FOUND}
    )
)
class SessionDetailView(EventAgendaMixin, ConditionalGetMixin, generics.RetrieveAPIView):
    """A published session of the event."""

    serializer_class = SessionSerializer
    lookup_url_kwarg = "session_id"
    filter_backends = ()

    def get_queryset(self):
        return published_sessions(self.event)


@extend_schema_view(
    get=extend_schema(
        tags=["speakers"],
        summary="The lineup of an event",
        parameters=[UPDATED_SINCE_PARAMETER],
        responses={200: LineupSpeakerSerializer(many=True), **BAD_SINCE, **NOT_FOUND},
    )
)
class LineupView(EventAgendaMixin, ConditionalGetMixin, DeltaListMixin, generics.ListAPIView):
    """Speakers announced for the event, each with their sessions there."""

    queryset = Speaker.objects.none()  # tells the schema generator the model
    serializer_class = LineupSpeakerSerializer
    filterset_class = LineupFilter
    ordering_fields = ("name",)
    ordering = ("name", "pk")

    def get_queryset(self):
        return lineup_with_sessions(self.event, public_lineup(self.event))

    def changed_since(self, queryset, since):
        return speakers_changed_since(self.event, queryset, since)

    def removed_ids_since(self, since) -> list[int]:
        return speaker_ids_removed_since(self.event, since, still_public=public_lineup(self.event))


@extend_schema_view(
    get=extend_schema(
        tags=["speakers"],
        summary="A speaker's profile across events",
        responses={200: SpeakerProfileSerializer, **NOT_FOUND},
    )
)
class SpeakerProfileView(CacheControlMixin, generics.RetrieveAPIView):
    """A speaker announced for some public event, with their published sessions."""

    serializer_class = SpeakerProfileSerializer
    lookup_url_kwarg = "speaker_id"
    filter_backends = ()

    def get_queryset(self):
        return public_speaker_profiles()


CALENDAR_RESPONSE = {
    (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="iCalendar (RFC 5545).")
}


@extend_schema_view(
    get=extend_schema(
        tags=["agenda"],
        summary="The agenda as an iCalendar feed",
        responses={**CALENDAR_RESPONSE, **NOT_FOUND},
    )
)
class AgendaCalendarView(EventAgendaMixin, ConditionalGetMixin, APIView):
    """Every published session as a calendar event, in the event's zone."""

    def get(self, request, *args, **kwargs):
        return self.check_not_modified(request) or self.render_calendar()

    def render_calendar(self) -> HttpResponse:
        body = calendars.agenda_calendar(
            name=self.event.name,
            sessions=session_rows(published_sessions(self.event), event=self.event),
            url_for_session=self.session_url,
        )
        return HttpResponse(body, content_type="text/calendar; charset=utf-8")

    def session_url(self, session) -> str:
        return f"{self.sessions_url}{session.pk}/"

    @cached_property
    def sessions_url(self) -> str:
        # Resolved once: reverse() for each of hundreds of sessions cost more than the rest.
        return self.absolute_url("session-list", event_slug=self.event.slug)


SCHEDULE_RESPONSES = {
    "xml": {(200, "application/xml"): OpenApiResponse(OpenApiTypes.STR, description="frab XML")},
    "json": {(200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="frab")},
}


class ScheduleExportView(EventAgendaMixin, ConditionalGetMixin, APIView):
    """The agenda in the frab / C3VOC schedule format read by Giggity and EventFahrplan."""

    export_format: str

    def get(self, request, *args, **kwargs):
        return self.check_not_modified(request) or self.render_schedule()

    def render_schedule(self) -> HttpResponse:
        arguments = {
            "event": self.event,
            "sessions": session_rows(published_sessions(self.event), event=self.event),
            "base_url": self.absolute_url("event-detail", event_slug=self.event.slug),
            "version": latest_release_version(self.event),
        }
        if self.export_format == "xml":
            body = schedule_formats.schedule_xml(**arguments)
            return HttpResponse(body, content_type="application/xml; charset=utf-8")
        body = ApiJSONRenderer().render(schedule_formats.schedule_json(**arguments))
        return HttpResponse(body, content_type="application/json")


@extend_schema_view(
    get=extend_schema(
        tags=["agenda"],
        summary="The agenda as frab schedule.xml",
        responses={**SCHEDULE_RESPONSES["xml"], **NOT_FOUND},
    )
)
class ScheduleXmlView(ScheduleExportView):
    """schedule.xml (validates against the published schedule.xml.xsd)."""

    export_format = "xml"


@extend_schema_view(
    get=extend_schema(
        tags=["agenda"],
        summary="The agenda as frab schedule.json",
        responses={**SCHEDULE_RESPONSES["json"], **NOT_FOUND},
    )
)
class ScheduleJsonView(ScheduleExportView):
    """schedule.json (version 1 of the published JSON schema)."""

    export_format = "json"


@extend_schema_view(
    get=extend_schema(
        tags=["agenda"],
        summary="The schedule's releases with their changes",
        responses={200: ScheduleReleaseSerializer(many=True), **NOT_FOUND},
    )
)
class ReleaseListView(EventAgendaMixin, ConditionalGetMixin, generics.ListAPIView):
    """The organizer's releases of the schedule, newest first, each with the sessions that
    changed since the previous one: new, moved, stage changed, retitled, speakers changed,
    cancelled, reinstated, removed. The frab exports carry the latest one's `version`."""

    queryset = ScheduleRelease.objects.none()  # tells the schema generator the model
    serializer_class = ScheduleReleaseSerializer
    filter_backends = ()

    def get_queryset(self):
        return event_releases(self.event)


@extend_schema_view(
    get=extend_schema(
        tags=["agenda"],
        summary="Everything an offline app needs about an event",
        parameters=[UPDATED_SINCE_PARAMETER],
        responses={200: BundleSerializer, **BAD_SINCE, **NOT_FOUND},
    )
)
class BundleView(EventAgendaMixin, ConditionalGetMixin, APIView):
    """Event, stages, tags, sessions with speaker links, and the lineup, unpaginated.

    Rendered once per agenda version and served from the cache after that (see
    ConditionalGetMixin); with `updated_since` it holds only what changed, plus `deleted` ids.
    """

    @cached_property
    def sections(self) -> list:
        """What other apps add to the bundle (core.extensions.BUNDLE_SECTIONS)."""
        now = timezone.now()
        return [section(self.event, now=now) for section in BUNDLE_SECTIONS]

    def content_version(self) -> ContentVersion:
        agenda = super().content_version()
        extra = "".join(f":{section.version_token()}" for section in self.sections)
        return ContentVersion(agenda.last_modified, token=f"{agenda.token}{extra}")

    def get(self, request, *args, **kwargs):
        since = parse_updated_since(request)
        not_modified_or_stored = self.check_not_modified(request)
        if not_modified_or_stored:
            return not_modified_or_stored
        return HttpResponse(self.render_bundle(since), content_type="application/json")

    def render_bundle(self, since) -> bytes:
        """The bundle as BundleSerializer declares it, built from plain rows (agenda.rows)."""
        event = self.event
        synced_at = next_sync_point()
        sessions = published_sessions(event)
        speakers = public_lineup(event)
        if since is not None:
            sessions = sessions_changed_since(sessions, since)
            speakers = speakers_changed_since(event, speakers, since)
        sessions = session_rows(sessions, event=event)
        tags = {tag.slug: tag for session in sessions for tag in session.tags}
        context = {"request": self.request, "sales_status": event_sales_status(event)}
        data = {
            "event": EventDetailSerializer(
                Event.objects.prefetch_related("stages").get(pk=event.pk), context=context
            ).data,
            "tags": [{"slug": tag.slug, "name": tag.name} for _, tag in sorted(tags.items())],
            "sessions": session_documents(sessions, headshot_urls=self.speaker_headshots),
            "speakers": speaker_documents(
                speakers.order_by("name", "pk"), event=event, headshot_urls=self.speaker_headshots
            ),
        }
        if since is not None:
            data["deleted"] = {
                "sessions": session_ids_removed_since(event, since),
                "speakers": speaker_ids_removed_since(
                    event, since, still_public=public_lineup(event)
                ),
                "stages": stage_ids_removed_since(event, since),
                "tags": tag_slugs_removed_since(event, since, still_used=published_sessions(event)),
            }
        data["synced_at"] = api_timestamp(synced_at)
        for section in self.sections:
            data[section.key] = section.data(since)
            if since is not None:
                data["deleted"][section.key] = section.deleted(since)
        return ApiJSONRenderer().render(data)


class MyAgendaMixin(CacheControlMixin):
    """Per-person views: signed in only, private caching (ETag from the body, by middleware)."""

    permission_classes = (IsAuthenticated,)
    private = True


@extend_schema_view(get=extend_schema(tags=["personal agenda"], summary="My bookmarked sessions"))
class MyAgendaView(MyAgendaMixin, generics.ListAPIView):
    """Sessions on my personal agenda, across events, in time order."""

    serializer_class = SessionSerializer
    filter_backends = ()

    def get_queryset(self):
        return bookmarked_sessions(self.request.user)


BOOKMARK_NOT_FOUND = {
    404: OpenApiResponse(ErrorSerializer, description="Not on my agenda, or no such session.")
}


@extend_schema_view(
    get=extend_schema(
        tags=["personal agenda"],
        summary="Is this session on my agenda?",
        responses={200: BookmarkSerializer, **BOOKMARK_NOT_FOUND},
    ),
    put=extend_schema(
        tags=["personal agenda"],
        summary="Add a session to my agenda (idempotent)",
        request=None,
        responses={200: BookmarkSerializer, 201: BookmarkSerializer, **BOOKMARK_NOT_FOUND},
    ),
    delete=extend_schema(
        tags=["personal agenda"],
        summary="Remove a session from my agenda",
        responses={204: None, **BOOKMARK_NOT_FOUND},
    ),
)
class MyAgendaItemView(MyAgendaMixin, APIView):
    """One session on my agenda, by session id."""

    serializer_class = BookmarkSerializer

    def get(self, request, session_id: int):
        bookmark = get_object_or_404(
            request.user.bookmarks.select_related("session__event"), session_id=session_id
        )
        return Response(BookmarkSerializer(bookmark).data)

    def put(self, request, session_id: int):
        session = get_object_or_404(
            Session.objects.filter(is_published=True, event__in=public_events()), pk=session_id
        )
        bookmark, created = add_bookmark(user=request.user, session=session)
        return Response(
            BookmarkSerializer(bookmark).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def delete(self, request, session_id: int):
        if not remove_bookmark(user=request.user, session_id=session_id):
            return Response(
                {"code": "not_found", "detail": "That session is not on your agenda."},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        tags=["personal agenda"],
        summary="My agenda as an iCalendar feed",
        responses=CALENDAR_RESPONSE,
    )
)
class MyAgendaCalendarView(MyAgendaMixin, APIView):
    """My bookmarked sessions as calendar events, each in its event's zone."""

    def get(self, request):
        body = calendars.agenda_calendar(
            name="My agenda", sessions=bookmarked_sessions(request.user)
        )
        return HttpResponse(body, content_type="text/calendar; charset=utf-8")
