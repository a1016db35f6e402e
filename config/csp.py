"""Content-Security-Policy: Django's SECURE_CSP for HTML pages, a closed policy for the rest."""

from django.conf import settings
from django.middleware import csp


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's CSP middleware, sending GREENROOM_CSP_NOT_HTML with any answer that is not an
    HTML page (API JSON, QR images, calendars): a browser that opens one directly, or a page
    that frames it, may load and run nothing. A view can still choose its own with
    django.views.decorators.csp.csp_override."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if (
            content_type
            and not content_type.startswith("text/html")
            and not hasattr(response, "_csp_config")
        ):
            response._csp_config = settings.GREENROOM_CSP_NOT_HTML
        return super().process_response(request, response)
