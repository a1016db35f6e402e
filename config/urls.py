"""Root URLs: the public site, accounts (web and headless), the organizer admin, the REST API."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, register_converter

from config.admin_login import LockoutAdminAuthenticationForm
from config.api.converters import IdConverter
from config.health import healthz

register_converter(IdConverter, "id")

admin.site.site_header = "Greenroom organizer"
admin.site.site_title = "Greenroom"
admin.site.index_title = "Events, speakers and passes"
# Password guessing locks an account or address out for a while (config/api/login_lockout.py).
admin.site.login_form = LockoutAdminAuthenticationForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("web.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api.urls")),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]

handler404 = "config.api.errors.not_found"
handler500 = "config.api.errors.server_error"
