"""OpenAPI extensions: how our authentication and the bundle's added parts appear."""

import re

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import IsAuthenticated

from config.api.delta import DeltaPagination
from config.api.errors import ErrorSerializer
from core.extensions import BUNDLE_SECTIONS


class TokenOrBearerScheme(OpenApiAuthenticationExtension):
    """Documents that the API token goes in `Authorization` as `Token <key>` or `Bearer <key>`."""

    target_class = "config.api.authentication.TokenOrBearerAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "An API token from POST /api/v1/auth/token/, sent as `Token <key>` or "
                "`Bearer <key>`."
            ),
        }


def add_bundle_sections(result, generator, request, public):
    """Describe the bundle parts other apps add (core.extensions.BUNDLE_SECTIONS) in the schema.

    The bundle's serializer cannot name them without importing those apps, so they are
    added here, once the whole schema (with their components) exists.
    """
    schemas = result.get("components", {}).get("schemas", {})
    if "Bundle" not in schemas:
        return result
    for section in BUNDLE_SECTIONS:
        schemas["Bundle"]["properties"][section.key] = {
            "type": "array",
            "items": {"$ref": f"#/components/schemas/{section.schema_component}"},
        }
        schemas["Bundle"].setdefault("required", []).append(section.key)
        schemas["Deleted"]["properties"][section.key] = {
            "type": "array",
            "items": {"type": "integer"},
        }
    return result


class AutoSchema(openapi.AutoSchema):
    """Also documents the error answers that come from a view's kind rather than its code:
    400 for an invalid body (or a NUL byte in a parameter or header), 401 for a missing or bad
    token, 404 for a page past the end, 429 when throttled."""

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        for status_code, description in self.kind_errors().items():
            bodies.setdefault(
                str(status_code),
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), str(status_code)
                ),
            )
        return bodies

    def get_operation_id(self) -> str:
        """Letters, digits and underscores only, which every code generator accepts: a path's
        `agenda.ics` or `qr.png` would otherwise put a dot in the name."""
        return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", super().get_operation_id()))

    def get_paginated_name(self, serializer_name: str) -> str:
        # Delta pages carry `synced_at` and `deleted`: a component of their own, so that a
        # plain page of the same items (my agenda's sessions) is not described as one.
        if isinstance(self._get_paginator(), DeltaPagination):
            return f"Paginated{serializer_name}DeltaList"
        return super().get_paginated_name(serializer_name)

    def kind_errors(self) -> dict[int, str]:
        view = self.view
        # Any request: config.api.input_guard refuses a NUL byte in a parameter or header.
        errors = {400: "A query parameter or header holds a NUL byte (`code: invalid`)."}
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            errors[400] = "Some input is invalid (`code: invalid`, with `errors` by field)."
        if view.authentication_classes:
            signed_in_only = any(
                isinstance(permission, IsAuthenticated) for permission in view.get_permissions()
            )
            errors[401] = (
                "Not signed in, or the token is wrong or revoked."
                if signed_in_only
                else "The token sent is wrong or revoked."
            )
        if self.method == "GET" and self._is_list_view() and self._get_paginator():
            errors[400] = "`page_size` is not a whole number of at least 1."
            errors[404] = "No such page."
        if view.throttle_classes:
            errors[429] = "Too many requests; try again after `Retry-After` seconds."
        return errors
