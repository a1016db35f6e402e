"""URLs of the public site; each group of pages keeps its own list in its views module."""

from django.urls import path

from web.views import account, agenda, events, speakers

app_name = "web"

urlpatterns = [
    path("", events.home, name="home"),
    path("events/<slug:slug>/", events.event_home, name="event"),
    path("events/<slug:slug>/agenda/", agenda.agenda, name="agenda"),
    path("events/<slug:slug>/sessions/<id:session_id>/", agenda.session_detail, name="session"),
    path(
        "events/<slug:slug>/sessions/<id:session_id>/bookmark/",
        agenda.bookmark,
        name="bookmark",
    ),
    path("events/<slug:slug>/speakers/", speakers.speaker_list, name="speakers"),
    path(
        "events/<slug:slug>/speakers/<slug:speaker_slug>/",
        speakers.speaker_detail,
        name="speaker",
    ),
    path("account/", account.account, name="account"),
    path("account/delete/", account.delete_account, name="delete-account"),
]
