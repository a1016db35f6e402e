"""Request body limits: bodies larger than their path allows get 413 before they are parsed.

Django's own DATA_UPLOAD_MAX_MEMORY_SIZE serves the whole site, the admin's forms included,
and answers with a 400 page. API bodies are small JSON, so under /api/ a much smaller limit
applies, answered 413 with our JSON error. A declared Content-Length over the limit is
refused at once, unread; a body without one (chunked, as ASGI servers pass on) is read
through a counter that stops one byte past the limit.
"""

from django.conf import settings
from django.http import JsonResponse
from rest_framework import status
from rest_framework.exceptions import APIException


class RequestTooLarge(APIException):
    """The request body is larger than this endpoint accepts."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than the {limit} bytes this URL accepts.")


def body_limit(path: str) -> int | None:
    """The largest body accepted at `path` (the first matching prefix), or None for no limit."""
    for prefix, limit in settings.GREENROOM_MAX_BODY_BYTES.items():
        if path.startswith(prefix):
            return limit
    return None


def too_large_response(error: RequestTooLarge) -> JsonResponse:
    return JsonResponse(
        {"code": error.default_code, "detail": str(error.detail)}, status=error.status_code
    )


class CappedStream:
    """Reads through to `stream` and raises RequestTooLarge once more than `limit` bytes
    came through, reading at most one byte past the limit."""

    def __init__(self, stream, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.consumed = 0

    def _size(self, size: int | None) -> int:
        room = self.limit - self.consumed + 1
        return room if size is None or size < 0 else min(size, room)

    def _counted(self, chunk: bytes) -> bytes:
        self.consumed += len(chunk)
        if self.consumed > self.limit:
            raise RequestTooLarge(self.limit)
        return chunk

    def read(self, size: int | None = -1) -> bytes:
        return self._counted(self.stream.read(self._size(size)))

    def readline(self, size: int | None = -1) -> bytes:
        return self._counted(self.stream.readline(self._size(size)))

    def seekable(self) -> bool:
        # Seeking would measure or re-read the body around the count.
        return False

    def close(self) -> None:
        self.stream.close()


class RequestBodyLimitMiddleware:
    """Applies GREENROOM_MAX_BODY_BYTES; the answer is our JSON error, never a 500."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit(request.path)
        if limit is None:
            return self.get_response(request)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return too_large_response(RequestTooLarge(limit))
        request._stream = CappedStream(request._stream, limit)
        return self.get_response(request)

    def process_exception(self, request, exception):
        """The cap tripped while something other than a DRF view read the body."""
        if isinstance(exception, RequestTooLarge):
            return too_large_response(exception)
        return None
