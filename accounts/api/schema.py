"""OpenAPI: the X-Session-Token credential that apps get from allauth's headless API."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SessionTokenScheme(OpenApiAuthenticationExtension):
    target_class = (
        "allauth.headless.contrib.rest_framework.authentication.XSessionTokenAuthentication"
    )
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": "The session token an app gets from allauth's headless API "
            "(`/_allauth/app/v1/auth/login`, `…/signup`, `…/code/confirm`).",
        }
