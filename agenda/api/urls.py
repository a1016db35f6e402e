"""URLs of the agenda API, mounted under /api/v1/."""

from django.urls import path

from agenda.api import views

urlpatterns = [
    path(
        "events/<slug:event_slug>/sessions/",
        views.SessionListView.as_view(),
        name="session-list",
    ),
    path(
        "events/<slug:event_slug>/sessions/<id:session_id>/",
        views.SessionDetailView.as_view(),
        name="session-detail",
    ),
    path("events/<slug:event_slug>/speakers/", views.LineupView.as_view(), name="lineup"),
    path(
        "events/<slug:event_slug>/agenda.ics",
        views.AgendaCalendarView.as_view(),
        name="agenda-ics",
    ),
    path(
        "events/<slug:event_slug>/schedule.xml",
        views.ScheduleXmlView.as_view(),
        name="schedule-xml",
    ),
    path(
        "events/<slug:event_slug>/schedule.json",
        views.ScheduleJsonView.as_view(),
        name="schedule-json",
    ),
    path(
        "events/<slug:event_slug>/releases/",
        views.ReleaseListView.as_view(),
        name="release-list",
    ),
    path("events/<slug:event_slug>/bundle/", views.BundleView.as_view(), name="bundle"),
    path("speakers/<id:speaker_id>/", views.SpeakerProfileView.as_view(), name="speaker-detail"),
    path("me/agenda/", views.MyAgendaView.as_view(), name="my-agenda"),
    path("me/agenda.ics", views.MyAgendaCalendarView.as_view(), name="my-agenda-ics"),
    path(
        "me/agenda/<id:session_id>/",
        views.MyAgendaItemView.as_view(),
        name="my-agenda-item",
    ),
]
