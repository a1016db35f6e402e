"""What the schema fuzzing found, pinned one behaviour at a time (it may not draw them again)."""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import EventFactory, PassTypeFactory, UserFactory
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def signed_in_client(api_client) -> APIClient:
    token = Token.objects.create(user=UserFactory())
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_a_long_url_with_odd_characters_is_micro_cached_safely(settings, api_client):
    settings.GREENROOM_VERSION_CACHE_SECONDS = 5
    EventFactory()
    query = {"q": "é ∑ \x7f " * 80}

    answers = [api_client.get("/api/v1/events/", query) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0]["ETag"] == answers[1]["ETag"]


def test_an_order_key_with_non_ascii_characters_is_a_404(api_client):
    pass_type = PassTypeFactory()
    order, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email="a@example.com"
    )

    response = api_client.get(f"/api/v1/orders/{order.code}/", {"key": "ключ"})

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("page_size", ["0", "-3", "0.5", "lots"])
def test_a_page_size_that_is_not_a_whole_number_of_at_least_one_is_refused(api_client, page_size):
    response = api_client.get("/api/v1/events/", {"page_size": page_size})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page_size"]


@pytest.mark.parametrize("granted", [0, 1, "yes", None])
def test_a_consent_answer_must_be_true_or_false(signed_in_client, granted):
    response = signed_in_client.put(
        "/api/v1/me/consents/event_news/", {"granted": granted}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["granted"]


@pytest.mark.parametrize("format_", ["multipart", None])
def test_a_body_that_is_not_json_is_refused(signed_in_client, format_):
    body = {"granted": "true"} if format_ else "granted=true"
    content_type = None if format_ else "application/x-www-form-urlencoded"

    response = signed_in_client.put(
        "/api/v1/me/consents/event_news/", body, format=format_, content_type=content_type
    )

    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


def test_a_webhook_body_that_is_not_utf8_is_refused(settings, api_client):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"

    response = api_client.generic(
        "POST",
        "/api/v1/webhooks/stripe/",
        b"\x12^\xff\nS",
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=00",
    )

    assert response.status_code == 400


def test_a_missing_headshot_is_documented_as_null(schema):
    for component in ("LineupSpeaker", "SpeakerProfile"):
        headshot = schema["components"]["schemas"][component]["properties"]["headshot_url"]
        assert headshot["nullable"] is True


def test_headshot_renditions_are_documented_by_side(schema):
    for component in ("LineupSpeaker", "SpeakerProfile"):
        headshots = schema["components"]["schemas"][component]["properties"]["headshots"]
        assert (headshots["nullable"], headshots["required"]) == (True, ["96", "256", "512"])


def test_my_agenda_pages_are_not_documented_as_delta_pages(schema):
    my_agenda = schema["paths"]["/api/v1/me/agenda/"]["get"]["responses"]["200"]
    reference = my_agenda["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]

    assert "synced_at" not in page["properties"]


def test_nested_input_errors_fit_the_documented_error_body(api_client, schema):
    response = api_client.post(
        "/api/v1/orders/",
        {"event": "summit", "lines": [{"quantity": "many"}], "email": "a@example.com"},
        format="json",
    )

    assert response.status_code == 400
    assert isinstance(response.json()["errors"]["lines"], dict)
    jsonschema.validate(response.json(), schema["components"]["schemas"]["Error"])


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/orders/", "401"),
        ("get", "/api/v1/me/agenda/", "401"),
        ("get", "/api/v1/events/", "401"),
        ("get", "/api/v1/events/", "404"),
        ("get", "/api/v1/events/", "400"),
        ("post", "/api/v1/orders/{code}/pay/", "400"),
        ("post", "/api/v1/orders/", "404"),
        ("post", "/api/v1/checkins/", "429"),
    ],
)
def test_error_answers_of_a_views_kind_are_documented(schema, method, path, status):
    responses = schema["paths"][path][method]["responses"]

    assert responses[status]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_a_nul_byte_in_a_promo_code_is_refused(api_client):
    event = PassTypeFactory().event

    response = api_client.get(f"/api/v1/events/{event.slug}/passes/", {"promo_code": "EARLY\x00"})

    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert list(response.json()["errors"]) == ["promo_code"]


def test_a_token_request_nested_too_deeply_is_refused(api_client):
    response = api_client.generic(
        "POST", "/api/v1/auth/token/", "[" * 40_000, content_type="application/json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "parse_error")
