"""The /api/v1/ URL space: each app's endpoints, token auth, the OpenAPI schema and docs."""

from django.conf import settings
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.api import schema  # noqa: F401  (registers the auth scheme for the schema)
from config.api.auth import AuthTokenView

# Redoc's bundle inserts its stylesheets before it can be given a nonce, and runs its search in a
# worker made from a blob: URL; its scripts are held to the same policy as every other page.
REDOC_CSP = {
    **settings.SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "worker-src": [CSP.SELF, "blob:"],
}

urlpatterns = [
    path("", include("events.api.urls")),
    path("", include("agenda.api.urls")),
    path("", include("tickets.api.urls")),
    path("", include("privacy.api.urls")),
    path("auth/token/", AuthTokenView.as_view(), name="auth-token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path(
        "redoc/",
        csp_override(REDOC_CSP)(SpectacularRedocView.as_view(url_name="schema")),
        name="api-redoc",
    ),
]
