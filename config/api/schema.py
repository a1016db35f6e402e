"""OpenAPI extensions: how our authentication and the bundle's added parts appear."""

from django.conf import settings
from django.utils.module_loading import import_string
from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
    """Describe the bundle parts other apps add (GREENROOM_BUNDLE_SECTIONS) in the schema.

    The bundle's serializer cannot name them without importing those apps, so they are
    added here, once the whole schema (with their components) exists.
    """
    schemas = result.get("components", {}).get("schemas", {})
    if "Bundle" not in schemas:
        return result
    for path in settings.GREENROOM_BUNDLE_SECTIONS:
        section = import_string(path)
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
