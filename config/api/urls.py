"""The /api/v1/ URL space: each app's endpoints, token auth, the OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.api import schema  # noqa: F401  (registers the auth scheme for the schema)
from config.api.auth import AuthTokenView

urlpatterns = [
    path("", include("events.api.urls")),
    path("", include("speakers.api.urls")),
    path("", include("tickets.api.urls")),
    path("auth/token/", AuthTokenView.as_view(), name="auth-token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
