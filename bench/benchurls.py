"""The product's URLs plus a minimal Django view: the reference every API figure is compared to."""

from django.http import JsonResponse
from django.urls import include, path


def minimal_view(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/minimal/", minimal_view),
    path("", include("config.urls")),
]
