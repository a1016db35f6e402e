"""URLs of the public site; each group of pages keeps its own list in its views module."""

from django.urls import path

from web.views import events, orders, passes

app_name = "web"

urlpatterns = [
    path("", events.home, name="home"),
    path("events/<slug:slug>/", events.event_home, name="event"),
    path("events/<slug:slug>/passes/", passes.passes, name="passes"),
    path("events/<slug:slug>/checkout/", passes.checkout, name="checkout"),
    path("orders/<slug:code>/", orders.order_page, name="order"),
    path("orders/<slug:code>/status/", orders.order_status, name="order-status"),
    path("orders/<slug:code>/pay/", orders.order_pay, name="order-pay"),
    path("orders/<slug:code>/cancel/", orders.order_cancel, name="order-cancel"),
]
