"""One JSON shape for every API error: `{"code", "detail", "errors"?}` with a stable `code`."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found
from django.views.defaults import server_error as server_error_page
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import DomainError


@extend_schema_field(
    {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "array", "items": {"type": "object", "additionalProperties": True}},
            {"type": "object", "additionalProperties": True},
        ]
    }
)
class FieldErrorsField(serializers.JSONField):
    """The messages about one input field: a list of strings, or nested like the input."""


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Not found",
            value={"code": "not_found", "detail": "Not found."},
            response_only=True,
        ),
        OpenApiExample(
            "Invalid input",
            value={
                "code": "invalid",
                "detail": "Some input is invalid.",
                "errors": {"updated_since": ["Give an ISO 8601 date and time with its offset."]},
            },
            response_only=True,
        ),
        OpenApiExample(
            "Sold out",
            value={
                "code": "sold_out",
                "detail": "Not enough passes left (General Admission: 1 left).",
                "available": {"12": 1},
            },
            response_only=True,
        ),
        OpenApiExample(
            "Throttled",
            value={"code": "throttled", "detail": "Request was throttled. Expected in 42 seconds."},
            response_only=True,
        ),
    ]
)
class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer."""

    code = serializers.CharField(help_text="Stable machine-readable error code.")
    detail = serializers.CharField(help_text="What went wrong, in words for people.")
    errors = serializers.DictField(
        child=FieldErrorsField(),
        required=False,
        help_text="Per-field messages, for `code: invalid`. Nested input has nested errors: "
        "an object by field name, or a list with one entry per item.",
    )


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.message, **exc.extra}
        if exc.field:
            body["errors"] = {exc.field: [exc.message]}
        response = Response(body, status=exc.status_code)
        if "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        return response
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


def not_found(request, exception=None):
    """404 for URLs that match no route: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "not_found", "detail": "No such endpoint or item."}, status=404
        )
    return page_not_found(request, exception)


def server_error(request):
    """500: JSON under /api/ (same shape as every other error), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "server_error", "detail": "Something went wrong on our side."}, status=500
        )
    return server_error_page(request)
