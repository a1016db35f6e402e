"""URLs of the public site; each group of pages keeps its own list in its views module."""

from django.urls import path

from web.views import account, events

app_name = "web"

urlpatterns = [
    path("", events.home, name="home"),
    path("events/<slug:slug>/", events.event_home, name="event"),
    path("account/", account.account, name="account"),
    path("account/delete/", account.delete_account, name="delete-account"),
]
