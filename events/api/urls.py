"""URLs of the events API, mounted under /api/v1/."""

from django.urls import path

from events.api import views

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/<slug:event_slug>/", views.EventDetailView.as_view(), name="event-detail"),
]
