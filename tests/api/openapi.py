"""The published OpenAPI schema, and openapi-core's strict validation of real answers against it."""

import json

from django.test import Client
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIResponse
from openapi_core.deserializing.media_types.util import plain_loads
from openapi_core.testing import MockRequest

SCHEMA_URL = "/api/v1/schema/"
OPENAPI_JSON = "application/vnd.oai.openapi+json"


def published_schema() -> dict:
    """What /api/v1/schema/ serves, as JSON."""
    response = Client().get(SCHEMA_URL, HTTP_ACCEPT=OPENAPI_JSON)
    assert response.status_code == 200
    return json.loads(response.content)


def strict_validator(schema: dict) -> OpenAPI:
    """openapi-core for `schema`, reading the documents it describes as strings (calendars,
    XML, SVG) as text, where it would parse XML into a tree or keep other types as bytes."""
    text_types = {
        media_type
        for methods in schema["paths"].values()
        for operation in methods.values()
        for response in operation["responses"].values()
        for media_type, content in response.get("content", {}).items()
        if content["schema"] == {"type": "string"}
    }
    config = Config(extra_media_type_deserializers=dict.fromkeys(text_types, plain_loads))
    return OpenAPI.from_dict(schema, config=config)


def assert_conforms(
    openapi: OpenAPI,
    response,
    *,
    method: str,
    path_pattern: str,
    path_values: dict,
    query: dict | None = None,
    headers: dict | None = None,
) -> None:
    """`response` (from Django's test client) is what the schema's operation may answer:
    a documented status, the declared headers, a body its schema admits."""
    url = path_pattern.format(**path_values)
    request = MockRequest(
        "http://testserver",
        method,
        url,
        path_pattern=path_pattern,
        args=query,
        view_args=path_values,
        headers=headers,
    )
    try:
        openapi.validate_response(request, DjangoOpenAPIResponse(response))
    except Exception as error:  # openapi-core's own errors; the cause says what failed
        detail = error.__cause__ or error
        raise AssertionError(
            f"{method.upper()} {url} answered {response.status_code}: {detail!s:.1500}"
        ) from error
