"""OpenAPI extensions: how our authentication, the statuses every view may answer, conditional
GETs and the bundle's added parts appear, and the fixes that keep the document valid OAS 3.0."""

import re

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated

from config.api.conditional import ConditionalGetMixin
from config.api.delta import DeltaPagination
from config.api.errors import ErrorSerializer
from core.extensions import BUNDLE_SECTIONS

BODY_METHODS = ("POST", "PUT", "PATCH")
CONDITIONAL_HEADERS = [
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description='The `ETag` of the copy the client holds (strong or weak, `W/"…"`, or '
        "several, comma-separated): when it is still current the answer is 304 without a body.",
    ),
    OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=True,
        response=[200, 304],
        description="The version of this answer; send it back as `If-None-Match`.",
    ),
    OpenApiParameter(
        "Last-Modified",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="When the content last changed (HTTP date), where the answer knows it.",
    ),
]


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


# OAS 3.0 has no null type: `nullable: true` only admits null beside a `type` in the same
# schema object, so a branch that admits only null needs both (and `enum` keeps it to null).
NULL_ONLY = {"type": "object", "nullable": True, "enum": [None]}
# Keywords that constrain a value; everything else on a schema object is an annotation.
COMPOSITIONS = ("$ref", "allOf", "oneOf", "anyOf")
# drf-spectacular's branch for the empty string that a blank-allowed formatted string accepts.
EMPTY_STRING = {"type": "string", "maxLength": 0}


def make_valid_for_openapi_30(result, generator, request, public):
    """Rewrite the two shapes drf-spectacular writes that OAS 3.0 validators misread.

    - A nullable object reference is written `allOf: [$ref]` + `nullable: true` without a
      `type`, which admits no null in OAS 3.0.3: it becomes `oneOf: [$ref, null only]`.
    - A blank-allowed URL or e-mail is written `oneOf: [formatted string, empty string]`, and
      `''` may match both (validators differ on whether `''` is a URI), which `oneOf` forbids:
      it becomes `anyOf`, which accepts the same values.
    """
    _rewrite(result.get("components", {}).get("schemas", {}))
    _rewrite(result.get("paths", {}))
    return result


def _rewrite(node) -> None:
    if isinstance(node, list):
        for item in node:
            _rewrite(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _rewrite(value)
    if node.get("nullable") is True and "type" not in node:
        _make_nullable_composition(node)
    if EMPTY_STRING in node.get("oneOf", ()) and "discriminator" not in node:
        node["anyOf"] = node.pop("oneOf")


def _make_nullable_composition(node: dict) -> None:
    del node["nullable"]
    branches = [{key: node.pop(key)} for key in COMPOSITIONS if key in node]
    if len(branches) == 1 and "allOf" in branches[0] and len(branches[0]["allOf"]) == 1:
        branches = branches[0]["allOf"]  # a lone `allOf: [$ref]` is the `$ref` itself
    elif len(branches) == 1 and "oneOf" in branches[0]:
        branches = branches[0]["oneOf"]
    node["oneOf"] = [*branches, NULL_ONLY]


class AutoSchema(openapi.AutoSchema):
    """Documents the answers that come from a view's kind rather than its code (see
    `kind_errors`), ETag / If-None-Match on conditional GETs, and `security: []` (no lock)
    on operations open to anybody with the same answer for all."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None and self.is_public():
            # Credentials are still read (a wrong token is a 401), but none is needed.
            operation["security"] = []
        return operation

    def is_public(self) -> bool:
        """Open to anonymous callers and the same for everybody (not `private`, per user)."""
        allows_anonymous = any(
            isinstance(permission, AllowAny) for permission in self.view.get_permissions()
        )
        return allows_anonymous and not getattr(self.view, "private", False)

    def is_conditional(self) -> bool:
        return self.method == "GET" and isinstance(self.view, ConditionalGetMixin)

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.is_conditional():
            return [*parameters, *CONDITIONAL_HEADERS]
        return parameters

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if self.is_conditional():
            bodies.setdefault(
                "304",
                self._get_response_for_code(
                    OpenApiResponse(
                        description="Not modified: the `If-None-Match` sent names the current "
                        "version; keep using that copy."
                    ),
                    "304",
                ),
            )
        for status_code, description in self.kind_errors().items():
            bodies.setdefault(
                str(status_code),
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), str(status_code)
                ),
            )
        return dict(sorted(bodies.items()))

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
        """The error answers any view of this kind gives, whatever its own code does: they
        follow from its method, body, path, authentication, permissions and throttles."""
        view = self.view
        has_body = self.method in BODY_METHODS and self.get_request_serializer() is not None
        # Any request: config.api.input_guard refuses a NUL byte in a parameter or header.
        errors = {400: "A query parameter or header holds a NUL byte (`code: invalid`)."}
        if has_body:
            errors[400] = "Some input is invalid (`code: invalid`, with `errors` by field)."
        if view.authentication_classes:
            errors[401] = (
                "Not signed in, or the token is wrong or revoked."
                if self.signed_in_only()
                else "The token sent is wrong or revoked."
            )
        if forbidden := self.forbidden_description():
            errors[403] = forbidden
        if self.method == "GET" and self._is_list_view() and self._get_paginator():
            errors[400] = "`page_size` is not a whole number of at least 1."
            errors[404] = "No such page."
        if re.search(r"{\w+}", self.path):
            errors[404] = "No such item (or not yours to see)."
        # DRF refuses an Accept header that none of the view's renderers can answer.
        errors[406] = "The `Accept` header names no format this URL answers in."
        if self.method in BODY_METHODS:
            errors[413] = "The body is larger than this URL accepts (`request_too_large`)."
        if has_body and view.parser_classes:
            errors[415] = "The body is not JSON (`Content-Type: application/json`)."
        if view.throttle_classes:
            errors[429] = "Too many requests; try again after `Retry-After` seconds."
        return errors

    def signed_in_only(self) -> bool:
        return any(
            isinstance(permission, IsAuthenticated) for permission in self.view.get_permissions()
        )

    def forbidden_description(self) -> str | None:
        """Why a 403 may come: a permission beyond signing in, or, for a change signed in with
        the session cookie, Django's CSRF check."""
        reasons = []
        if any(
            not isinstance(permission, (AllowAny, IsAuthenticated))
            for permission in self.view.get_permissions()
        ):
            reasons.append("this account may not do this")
        if self.method not in ("GET", "HEAD", "OPTIONS") and any(
            issubclass(authentication, SessionAuthentication)
            for authentication in self.view.authentication_classes
        ):
            reasons.append("signed in by the session cookie without the CSRF token")
        if not reasons:
            return None
        return f"Forbidden: {'; or '.join(reasons)} (`permission_denied`)."
