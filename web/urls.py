"""URLs of the public site; each group of pages keeps its own list in its views module."""

from django.urls import path

from web.views import (
    account,
    agenda,
    door,
    events,
    notices,
    orders,
    passes,
    speaker_portal,
    speakers,
)

app_name = "web"

urlpatterns = [
    path("", events.home, name="home"),
    path("events/<slug:slug>/", events.event_home, name="event"),
    path("events/<slug:slug>/agenda/", agenda.agenda, name="agenda"),
    path("events/<slug:slug>/changelog/", agenda.changelog_page, name="changelog"),
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
    path("account/notices/", notices.programme_notices, name="programme-notices"),
    path("account/push/", notices.push_subscribe, name="push-subscribe"),
    path("account/push/remove/", notices.push_unsubscribe, name="push-unsubscribe"),
    path("notices/off/<str:token>/", notices.unsubscribe_link, name="notices-unsubscribe"),
    path("sw.js", notices.service_worker, name="service-worker"),
    path("manifest.webmanifest", notices.web_manifest, name="web-manifest"),
    *(
        path(f"{base}{suffix}", view, name=f"{name}{page}")
        for base, name in (
            ("speaker/<str:token>/", "speaker-portal"),
            ("account/speaker/<slug:slug>/", "my-speaker-portal"),
        )
        for suffix, view, page in (
            ("", speaker_portal.home, ""),
            ("answer/", speaker_portal.answer, "-answer"),
            ("profile/", speaker_portal.profile, "-profile"),
            ("materials/", speaker_portal.materials, "-materials"),
        )
    ),
    path("events/<slug:slug>/passes/", passes.passes, name="passes"),
    path("events/<slug:slug>/checkout/", passes.checkout, name="checkout"),
    path("orders/<slug:code>/", orders.order_page, name="order"),
    path("orders/<slug:code>/status/", orders.order_status, name="order-status"),
    path("orders/<slug:code>/pay/", orders.order_pay, name="order-pay"),
    path("orders/<slug:code>/pay/confirm/", orders.order_pay_confirm, name="order-pay-confirm"),
    path("orders/<slug:code>/cancel/", orders.order_cancel, name="order-cancel"),
    path("door/", door.door_home, name="door"),
    path("door/<slug:slug>/", door.door_event, name="door-event"),
    path("door/<slug:slug>/scan/", door.door_scan, name="door-scan"),
    path("door/<slug:slug>/undo/", door.door_undo, name="door-undo"),
    path("door/<slug:slug>/counts/", door.door_counts, name="door-counts"),
]
