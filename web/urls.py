"""URLs of the public site; each group of pages keeps its own list in its views module."""

from django.urls import path

from web.views import events

app_name = "web"

urlpatterns = [
    path("", events.home, name="home"),
    path("events/<slug:slug>/", events.event_home, name="event"),
]
