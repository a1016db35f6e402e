"""Conditional GET for API reads: ETag / Last-Modified from a cheap version, 304 before work.

A view says what its content depends on (`content_version`), usually one aggregate query;
when the client's ETag still matches, the answer is a 304 without serializing anything.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags
from rest_framework import status
from rest_framework.response import Response


@dataclass(frozen=True)
class ContentVersion:
    """What a response's content depends on: the latest change, and anything else that counts."""

    last_modified: dt.datetime | None
    token: str = ""


def make_etag(version: ContentVersion, request, *, private: bool) -> str:
    parts = [
        version.last_modified.isoformat() if version.last_modified else "-",
        version.token,
        request.get_full_path(),
        request.headers.get("Accept", ""),
        str(request.user.pk) if private else "",
    ]
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()
    return f'"{digest}"'


class CacheControlMixin:
    """Cache-Control for API reads: public data may be kept a short while by anyone; a
    person's own data (`private = True`) only by their client, and revalidated each time."""

    private = False

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and (
            response.status_code < 300 or response.status_code == 304
        ):
            for name, value in getattr(self, "conditional_headers", {}).items():
                response[name] = value
            if self.private:
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ["Authorization", "Cookie"])
            else:
                patch_cache_control(
                    response, public=True, max_age=settings.GREENROOM_PUBLIC_MAX_AGE
                )
            patch_vary_headers(response, ["Accept"])
        return response


class ConditionalGetMixin(CacheControlMixin):
    """Adds ETag and Last-Modified to GET answers from a cheap version, and short-cuts to 304
    before any serializing when the client's copy is current.

    Subclasses define `content_version() -> ContentVersion`; `private = True` marks per-user
    content (the ETag then depends on the user).
    """

    def get(self, request, *args, **kwargs):
        return self.check_not_modified(request) or super().get(request, *args, **kwargs)

    def check_not_modified(self, request) -> Response | None:
        """Set this answer's validators; a 304 if the client's copy is still current.

        Views that define their own `get` call this first.
        """
        version = self.current_version = self.content_version()
        self.conditional_headers = {"ETag": make_etag(version, request, private=self.private)}
        if version.last_modified:
            self.conditional_headers["Last-Modified"] = http_date(version.last_modified.timestamp())
        client_etags = parse_etags(request.headers.get("If-None-Match", ""))
        if self.conditional_headers["ETag"] in client_etags:
            return Response(status=status.HTTP_304_NOT_MODIFIED)
        return None
