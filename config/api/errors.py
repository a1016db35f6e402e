"""One JSON shape for every API error: `{"code", "detail", "errors"?}` with a stable `code`."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from events.exceptions import DomainError

# Domain errors answer 400 unless they describe a conflict with the current state.
DOMAIN_ERROR_STATUS: dict[str, int] = {}


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer."""

    code = serializers.CharField(help_text="Stable machine-readable error code.")
    detail = serializers.CharField(help_text="What went wrong, in words for people.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per-field messages, for `code: invalid`.",
    )


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        status_code = DOMAIN_ERROR_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST)
        body = {"code": exc.code, "detail": exc.message}
        if exc.field:
            body["errors"] = {exc.field: [exc.message]}
        return Response(body, status=status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors}
        response.data = {"code": "invalid", "detail": "Some input is invalid.", "errors": errors}
    else:
        code = exc.get_codes()
        response.data = {
            "code": code if isinstance(code, str) else "error",
            "detail": str(exc.detail),
        }
    return response
