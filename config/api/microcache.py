"""A micro-cache for public API reads, in front of DRF.

When a public read is answered, the view records which ETag is current for that exact URL
(scheme and Host included: absolute links inside an answer depend on them) and Accept header
for GREENROOM_VERSION_CACHE_SECONDS (see ConditionalGetMixin). Until then a GET for the same
URL is answered here: 304 if the client already has that ETag, otherwise the stored body, with
one or two cache reads and without running the view, authentication, throttles or any query.
It is what a reverse proxy's few-second micro-cache would do; the staleness it allows is the
same few seconds the agenda version cache already allows, well inside the public max-age.

Only answers that are the same for everybody are shared: anonymous requests (no session cookie,
no Authorization header) for public data in a machine format (PUBLIC_MEDIA_TYPES). A signed-in
request is neither recorded nor answered from here, and HTML (the browsable API, which shows
the user and a CSRF token) never is, whoever asks.

Each process also keeps what it read from the shared cache for one second, so a URL under
load costs one shared-cache read per process per second rather than one per request.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

# The formats public reads are shared in: JSON, the iCalendar feed, frab schedule.xml.
PUBLIC_MEDIA_TYPES = frozenset({"application/json", "text/calendar", "application/xml"})


def is_anonymous(request) -> bool:
    """No credentials of any kind: no Authorization header and no session cookie (even one
    that has expired: the answer to it may still be meant for one person)."""
    return (
        "Authorization" not in request.headers
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def is_public_media_type(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in PUBLIC_MEDIA_TYPES


def body_key(etag: str) -> str:
    """Where the rendered body of a version is kept (see ConditionalGetMixin)."""
    return f"greenroom:body:{etag}"


def gzip_etag(etag: str) -> str:
    """A gzipped body is a different representation, so it has its own (related) ETag."""
    return f'{etag[:-1]}-gzip"'


def client_has_current(request, etag: str) -> bool:
    """Whether the request's If-None-Match names this version, plain or gzipped, by the weak
    comparison RFC 9110 prescribes for it: `W/"x"` matches `"x"`. A proxy that compresses
    (nginx's gzip) turns our strong ETag into a weak one, and its clients send that back."""
    current = {_opaque(etag), _opaque(gzip_etag(etag))}
    return any(
        _opaque(tag) in current or tag == "*"
        for tag in parse_etags(request.headers.get("If-None-Match", ""))
    )


def _opaque(etag: str) -> str:
    return etag.removeprefix("W/")


def accepts_gzip(request) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def current_key(request) -> str:
    # Hashed: a URL or Accept header may be long or hold characters no cache key may have.
    url = f"{request.build_absolute_uri()}|{request.headers.get('Accept', '')}"
    return f"greenroom:current:{hashlib.blake2b(url.encode(), digest_size=16).hexdigest()}"


LOCAL_SECONDS = 1.0
LOCAL_MAX_ENTRIES = 256
_local: dict[str, tuple[float, object]] = {}


def forget_local() -> None:
    """Drop this process's one-second copies (tests start from nothing)."""
    _local.clear()


def _read_through(key: str):
    """The shared cache's value for `key`, kept in this process for LOCAL_SECONDS."""
    now = time.monotonic()
    hit = _local.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = cache.get(key)
    if value is not None:
        if len(_local) >= LOCAL_MAX_ENTRIES:
            _local.clear()
        _local[key] = (now + LOCAL_SECONDS, value)
    return value


def record_current(request, *, etag: str, headers: dict) -> None:
    """Remember the ETag (and validators) now current for this public URL."""
    seconds = settings.GREENROOM_VERSION_CACHE_SECONDS
    if seconds:
        cache.set(current_key(request), {"etag": etag, "headers": headers}, seconds)


class PublicApiMicroCache:
    """Answers repeated public API GETs from the cache (see the module docstring)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and request.path.startswith("/api/") and is_anonymous(request):
            current = _read_through(current_key(request))
            if current is not None:
                answer = self.answer_from_cache(request, current)
                if answer is not None:
                    return answer
        return self.get_response(request)

    def answer_from_cache(self, request, current: dict) -> HttpResponse | None:
        etag = current["etag"]
        if client_has_current(request, etag):
            response = HttpResponseNotModified()
        else:
            stored = _read_through(body_key(etag))
            if stored is None:
                return None
            if stored["gzip"] is not None and accepts_gzip(request):
                response = HttpResponse(stored["gzip"], content_type=stored["content_type"])
                response["Content-Encoding"] = "gzip"
                etag = gzip_etag(etag)
            else:
                response = HttpResponse(stored["content"], content_type=stored["content_type"])
        for name, value in current["headers"].items():
            response[name] = value
        response["ETag"] = etag
        # Says the answer came from the shared cache, not this process's view (for tracing
        # which process rendered what behind a load balancer).
        response["X-Greenroom-Cache"] = "hit"
        patch_cache_control(response, public=True, max_age=settings.GREENROOM_PUBLIC_MAX_AGE)
        patch_vary_headers(response, ["Accept", "Accept-Encoding"])
        return response
