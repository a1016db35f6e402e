"""Programme-change notices on the site: the switch on the account page, the one-click
unsubscribe link of every digest, the devices that take push notifications, and what makes the
site an installable app with a service worker (the manifest and /sw.js)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import json_input
from core.exceptions import DomainError
from notices.links import user_for_unsubscribe_token
from notices.services import (
    remove_push_subscription,
    save_push_subscription,
    set_programme_notices,
    unsubscribe,
)

THEME_COLOUR = "#0b6e4f"
# The service worker's own policy: it loads nothing but the notification icon from us.
SERVICE_WORKER_CSP = {"default-src": [CSP.NONE], "img-src": [CSP.SELF]}


@login_required
@require_POST
def programme_notices(request):
    """The account page's switch: programme-change notices (e-mail and push) on or off."""
    on = request.POST.get("on") == "1"
    set_programme_notices(user=request.user, on=on)
    messages.success(
        request,
        _("Programme-change notices are on.") if on else _("Programme-change notices are off."),
    )
    return redirect(reverse("web:account") + "#notices")


# Mail clients post RFC 8058's one-click unsubscribe without any CSRF token; the signed token
# in the URL is the authority, and all it can do is switch notices off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_link(request, token: str):
    """GET asks to confirm (link checkers in mail systems open links, and must not switch
    anything off); POST, from that page or a mail client's one-click button, switches off."""
    try:
        if request.method == "POST":
            unsubscribe(token=token)
        else:
            user_for_unsubscribe_token(token)
    except DomainError as refusal:
        return TemplateResponse(
            request, "web/notices_unsubscribe.html", {"error": refusal.message}, status=404
        )
    return TemplateResponse(
        request, "web/notices_unsubscribe.html", {"done": request.method == "POST"}
    )


def _json_body(request) -> dict:
    try:
        body = json_input.loads(request.body)
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {}


def _signed_in_json(view):
    """Push subscription endpoints answer JSON to fetch(): 403 rather than a login redirect."""

    def guarded(request):
        if not request.user.is_authenticated:
            return JsonResponse({"code": "not_authenticated"}, status=403)
        try:
            return view(request, _json_body(request))
        except DomainError as refusal:
            return JsonResponse({"code": refusal.code, "detail": refusal.message}, status=400)

    guarded.__doc__ = view.__doc__
    return require_POST(guarded)


@_signed_in_json
def push_subscribe(request, body: dict):
    """Keep this browser's PushSubscription.toJSON() for the signed-in person."""
    keys = body.get("keys") if isinstance(body.get("keys"), dict) else {}
    save_push_subscription(
        user=request.user,
        endpoint=str(body.get("endpoint", "")),
        p256dh=str(keys.get("p256dh", "")),
        auth=str(keys.get("auth", "")),
    )
    return JsonResponse({"subscribed": True}, status=201)


@_signed_in_json
def push_unsubscribe(request, body: dict):
    """Stop pushing to this browser."""
    removed = remove_push_subscription(user=request.user, endpoint=str(body.get("endpoint", "")))
    return JsonResponse({"subscribed": False, "removed": removed})


@require_GET
@cache_control(no_cache=True)
@csp_override(SERVICE_WORKER_CSP)
def service_worker(request):
    """The service worker, served from the site's root so its scope is the whole site."""
    script = render_to_string("web/sw.js", {"icon": static("web/icons/icon-192.png")})
    return HttpResponse(script, content_type="text/javascript; charset=utf-8")


@require_GET
@cache_control(max_age=3600)
def web_manifest(request):
    """The web app manifest: what makes the site installable as an app."""
    manifest = {
        "name": "Greenroom",
        "short_name": "Greenroom",
        "description": _("Conference agendas, your bookmarked sessions and tickets."),
        "start_url": reverse("web:home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {
                "src": static(f"web/icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")
