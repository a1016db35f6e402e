"""The published OpenAPI schema: valid OAS 3.0, strict validators accept real answers with null
objects and blank URLs, and public operations carry no lock."""

import pytest
from django.test import Client
from django.utils import timezone
from openapi_spec_validator import validate

from config.api.schema import NULL_ONLY, make_valid_for_openapi_30
from tests.api.openapi import assert_conforms, published_schema, strict_validator
from tests.factories import LineupEntryFactory, PassTypeFactory

SIGNED_IN_SCHEMES = [{"tokenAuth": []}, {"sessionToken": []}, {"cookieAuth": []}]


def schema_objects(node):
    """Every object in a JSON document, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from schema_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from schema_objects(value)


def operations(schema: dict) -> dict[str, dict]:
    return {
        operation["operationId"]: operation
        for methods in schema["paths"].values()
        for operation in methods.values()
    }


@pytest.fixture
def schema(db) -> dict:
    return published_schema()


def confirmed_speaker(**speaker):
    return LineupEntryFactory(status="confirmed", confirmed_at=timezone.now(), **speaker).speaker


def test_published_schema_is_valid_openapi_3_0(schema):
    validate(schema)

    assert schema["openapi"] == "3.0.3"


def test_schema_marks_nothing_nullable_without_a_type(schema):
    """OAS 3.0 ignores `nullable` without a `type` beside it: null would be refused."""
    untyped = [
        node for node in schema_objects(schema) if node.get("nullable") and "type" not in node
    ]

    assert untyped == []


def test_schema_has_no_one_of_an_empty_string_may_match_twice(schema):
    ambiguous = [
        node
        for node in schema_objects(schema)
        if {"type": "string", "maxLength": 0} in node.get("oneOf", [])
    ]

    assert ambiguous == []


def speaker_profile_conforming(schema: dict, speaker) -> dict:
    """The speaker's profile as the API answers it, after checking it against the schema."""
    response = Client().get(f"/api/v1/speakers/{speaker.pk}/")
    assert_conforms(
        strict_validator(schema),
        response,
        method="get",
        path_pattern="/api/v1/speakers/{speaker_id}/",
        path_values={"speaker_id": speaker.pk},
    )
    return response.json()


def test_speaker_without_organization_conforms_to_schema(schema):
    speaker = confirmed_speaker(speaker__organization=None)

    profile = speaker_profile_conforming(schema, speaker)

    assert profile["organization"] is None


def test_organization_without_website_conforms_to_schema(schema):
    speaker = confirmed_speaker(speaker__organization__website="")

    profile = speaker_profile_conforming(schema, speaker)

    assert profile["organization"]["website"] == ""


def test_pass_without_next_phase_conforms_to_schema(schema):
    pass_type = PassTypeFactory()

    response = Client().get(f"/api/v1/events/{pass_type.event.slug}/passes/")

    assert response.json()["results"][0]["next_phase"] is None
    assert_conforms(
        strict_validator(schema),
        response,
        method="get",
        path_pattern="/api/v1/events/{event_slug}/passes/",
        path_values={"event_slug": pass_type.event.slug},
    )


def test_public_operations_carry_no_lock(schema):
    public = {name for name, operation in operations(schema).items() if operation["security"] == []}

    assert {
        "events_list",
        "events_sessions_list",
        "auth_token_create",
        "webhooks_stripe_create",
    } <= public
    assert not {"orders_create", "me_agenda_list", "checkins_create"} & public


def test_signed_in_operations_name_every_way_to_sign_in(schema):
    me_agenda = operations(schema)["me_agenda_list"]

    assert me_agenda["security"] == SIGNED_IN_SCHEMES


def test_order_operations_allow_the_link_key_without_signing_in(schema):
    order = operations(schema)["orders_retrieve"]

    assert order["security"] == [*SIGNED_IN_SCHEMES, {}]


def test_conditional_reads_document_etag_and_304(schema):
    sessions = operations(schema)["events_sessions_list"]

    assert "If-None-Match" in {parameter["name"] for parameter in sessions["parameters"]}
    assert sessions["responses"]["200"]["headers"]["ETag"]["required"] is True
    assert "304" in sessions["responses"]


@pytest.mark.parametrize(
    ("written", "rewritten"),
    [
        (
            {"allOf": [{"$ref": "#/c/Phase"}], "nullable": True, "readOnly": True},
            {"oneOf": [{"$ref": "#/c/Phase"}, NULL_ONLY], "readOnly": True},
        ),
        (
            {"oneOf": [{"$ref": "#/c/A"}, {"$ref": "#/c/B"}], "nullable": True},
            {"oneOf": [{"$ref": "#/c/A"}, {"$ref": "#/c/B"}, NULL_ONLY]},
        ),
        (
            {"type": "string", "nullable": True},
            {"type": "string", "nullable": True},
        ),
        (
            {"oneOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}]},
            {"anyOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}]},
        ),
    ],
)
def test_schema_shapes_oas_3_0_misreads_are_rewritten(written, rewritten):
    result = {"components": {"schemas": {"Thing": {"properties": {"field": written}}}}}

    make_valid_for_openapi_30(result, generator=None, request=None, public=True)

    assert result["components"]["schemas"]["Thing"]["properties"]["field"] == rewritten
