"""OpenAPI extensions: how our authentication appears in the schema."""

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
