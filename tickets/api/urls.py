"""URLs of the tickets API, mounted under /api/v1/."""

from django.urls import path, re_path

from tickets.api import views

urlpatterns = [
    path("events/<slug:event_slug>/passes/", views.PassListView.as_view(), name="pass-list"),
    path("orders/", views.OrderListCreateView.as_view(), name="order-list"),
    path("orders/<slug:code>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<slug:code>/pay/", views.OrderPayView.as_view(), name="order-pay"),
    path("orders/<slug:code>/cancel/", views.OrderCancelView.as_view(), name="order-cancel"),
    path("tickets/", views.TicketListView.as_view(), name="ticket-list"),
    re_path(
        r"^tickets/(?P<code>[-\w]+)/qr\.(?P<image_format>png|svg)$",
        views.TicketQrView.as_view(),
        name="ticket-qr",
    ),
    path("checkins/", views.CheckInView.as_view(), name="checkin"),
    path("webhooks/stripe/", views.StripeWebhookView.as_view(), name="stripe-webhook"),
]
