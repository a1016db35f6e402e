"""Conditional GET for API reads: ETag / Last-Modified from a cheap version, 304 before work.

A view says what its content depends on (`content_version`), usually one aggregate query.
When the client's ETag still matches, the answer is a 304 without serializing anything; when
another client already fetched this version, the stored body (gzipped once, if the client
accepts gzip) is sent again without serializing either.
"""

import datetime as dt
import gzip
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django_filters.utils import translate_validation
from rest_framework import status
from rest_framework.response import Response

from config.api.microcache import (
    accepts_gzip,
    body_key,
    client_has_current,
    gzip_etag,
    is_anonymous,
    is_public_media_type,
    record_current,
)

# Rendered bodies are kept this long; their key holds the version, so they are never stale.
RENDERED_BODY_SECONDS = 600
GZIP_MIN_BYTES = 1024


@dataclass(frozen=True)
class ContentVersion:
    """What a response's content depends on: the latest change, and anything else that counts."""

    last_modified: dt.datetime | None
    token: str = ""


def make_etag(version: ContentVersion, request, *, private: bool) -> str:
    parts = [
        version.last_modified.isoformat() if version.last_modified else "-",
        version.token,
        # Scheme and Host too: answers hold absolute links, so each origin has its own version.
        request.build_absolute_uri(),
        request.headers.get("Accept", ""),
        str(request.user.pk) if private else "",
    ]
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()
    return f'"{digest}"'


class CacheControlMixin:
    """Cache-Control for API reads: an answer that is the same for everybody (public data,
    asked for anonymously, in a machine format) may be kept a short while by anyone; any other
    (a person's own data, `private = True`; anything asked for with credentials; the browsable
    API's HTML, which holds a CSRF token) only by the client, and revalidated each time."""

    private = False

    def is_shared_request(self, request) -> bool:
        """Whether this view answers `request` the same as it would anybody."""
        return not self.private and is_anonymous(request) and not request.user.is_authenticated

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        self.answered_publicly = False
        if request.method in ("GET", "HEAD") and (
            response.status_code < 300 or response.status_code == 304
        ):
            for name, value in getattr(self, "conditional_headers", {}).items():
                response.headers.setdefault(name, value)
            self.answered_publicly = self.is_shared_request(request) and is_public_media_type(
                media_type_of(response)
            )
            if self.answered_publicly:
                patch_cache_control(
                    response, public=True, max_age=settings.GREENROOM_PUBLIC_MAX_AGE
                )
            else:
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ["Authorization", "Cookie"])
            patch_vary_headers(response, ["Accept", "Accept-Encoding"])
        return response


def media_type_of(response) -> str:
    """The format of an answer (or, for a 304, of the answer the client already has)."""
    if isinstance(response, Response):
        # Rendered after the view returns; until then its Content-Type is Django's default.
        return response.accepted_renderer.media_type
    return response.get("Content-Type", "")


class ConditionalGetMixin(CacheControlMixin):
    """Adds ETag and Last-Modified to GET answers from a cheap version, answers 304 before
    any serializing when the client's copy is current, and reuses rendered public bodies.

    Subclasses define `content_version() -> ContentVersion`; `private = True` marks per-user
    content (the ETag then depends on the user, and bodies are not shared), as are signed-in
    requests and formats other than PUBLIC_MEDIA_TYPES (see CacheControlMixin).
    """

    def get(self, request, *args, **kwargs):
        self.refuse_invalid_query(request)
        return self.check_not_modified(request) or super().get(request, *args, **kwargs)

    def refuse_invalid_query(self, request) -> None:
        """A page size or filter the view would refuse is refused (400) before any 304: a
        precondition only applies to a request that would otherwise succeed (RFC 9110,
        13.2.1). Costs no query unless a filter that looks values up is given."""
        paginator = getattr(self, "paginator", None)
        if paginator is not None and self.is_list():
            paginator.get_page_size(request)
        for backend in getattr(self, "filter_backends", ()):
            get_filterset = getattr(backend(), "get_filterset", None)
            filterset = get_filterset and get_filterset(request, self.get_queryset(), self)
            if filterset is not None and not filterset.is_valid():
                raise translate_validation(filterset.errors)

    def is_list(self) -> bool:
        return hasattr(self, "list")

    def check_not_modified(self, request) -> HttpResponse | None:
        """Set this answer's validators; a 304 if the client's copy is current, or the stored
        body of this version if there is one. Views that define their own `get` call this."""
        version = self.current_version = self.content_version()
        shared = self.is_shared_request(request)
        self.etag = make_etag(version, request, private=not shared)
        self.conditional_headers = {"ETag": self.etag}
        if version.last_modified:
            self.conditional_headers["Last-Modified"] = http_date(version.last_modified.timestamp())
        if client_has_current(request, self.etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED)
        if not shared:
            return None
        stored = cache.get(self.body_key())
        return self.replay(request, stored) if stored else None

    def body_key(self) -> str:
        return body_key(self.etag)

    def replay(self, request, stored: dict) -> HttpResponse:
        self.replayed = True
        if stored["gzip"] is not None and accepts_gzip(request):
            response = HttpResponse(stored["gzip"], content_type=stored["content_type"])
            response["Content-Encoding"] = "gzip"
            self.conditional_headers["ETag"] = gzip_etag(self.etag)
            return response
        return HttpResponse(stored["content"], content_type=stored["content_type"])

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Only answers the same for everybody are remembered (see CacheControlMixin).
        shared = request.method == "GET" and self.answered_publicly and hasattr(self, "etag")
        if shared:
            validators = {
                name: value for name, value in self.conditional_headers.items() if name != "ETag"
            }
            record_current(request, etag=self.etag, headers=validators)
        storable = shared and response.status_code == 200 and not getattr(self, "replayed", False)
        if storable:
            if hasattr(response, "render"):
                response.render()
            content = response.content
            compressed = gzip.compress(content, 6) if len(content) >= GZIP_MIN_BYTES else None
            cache.set(
                self.body_key(),
                {"content": content, "gzip": compressed, "content_type": response["Content-Type"]},
                RENDERED_BODY_SECONDS,
            )
        return response
