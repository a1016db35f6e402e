"""Refuses requests with a NUL byte in the path, a query parameter or a header, before any view.

PostgreSQL text cannot hold NUL, so such a value reaching a lookup (a promo code, an order key,
an API token) would fail in the database with a 500. No field of ours accepts one, so the
request is refused whole: under /api/ with our JSON error (`code: invalid`, the culprits named
in `errors`), elsewhere with a plain 400. (gunicorn refuses NUL in headers itself; runserver
and some other servers pass it on.)
"""

from urllib.parse import parse_qsl

from django.http import HttpResponseBadRequest, JsonResponse

NUL = "\x00"
MESSAGE = "Holds a NUL byte (\\0), which no field accepts."


def _header_name(meta_key: str) -> str:
    """`HTTP_X_ORDER_KEY` → `X-Order-Key`."""
    return meta_key.removeprefix("HTTP_").replace("_", "-").title()


def nul_holders(request) -> list[str]:
    """The names of the query parameters and headers (or `path`) that hold a NUL byte."""
    holders = ["path"] if NUL in request.path else []
    query = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    holders += [name.replace(NUL, "\\0") for name, value in query if NUL in name + value]
    holders += [
        _header_name(key)
        for key, value in request.META.items()
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value
    ]
    return holders


class RefuseNulBytesMiddleware:
    """Answers 400 to a request with a NUL byte where values are read from (see module)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        holders = nul_holders(request)
        if not holders:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            body = {
                "code": "invalid",
                "detail": "Some input is invalid.",
                "errors": {name: [MESSAGE] for name in holders},
            }
            return JsonResponse(body, status=400)
        return HttpResponseBadRequest(f"{', '.join(holders)}: {MESSAGE}", content_type="text/plain")
