"""API errors are JSON with a stable code, never a 500; page sizes are capped; CORS; OpenAPI."""

import datetime as dt
import io
import re

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from events.models import Event, Session
from tests.factories import EventFactory, SessionFactory, SpeakerFactory, StageFactory, local_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_with_session(db):
    event = EventFactory(slug="summit")
    session = SessionFactory(event=event)
    gone = SessionFactory(event=event, starts_at=local_time(event, 1, 9))
    gone_id = gone.pk
    gone.delete()
    elsewhere = SessionFactory(event=EventFactory(slug="elsewhere"))
    EventFactory(slug="draft-event", status=Event.Status.DRAFT)
    speaker = SpeakerFactory()
    gone_speaker_id = speaker.pk
    speaker.delete()
    return {
        "session": session.pk,
        "gone": gone_id,
        "elsewhere": elsewhere.pk,
        "gone_speaker": gone_speaker_id,
    }


def assert_error(response, status: int, code: str) -> dict:
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (response.status_code, body["code"]) == (status, code)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("get", "/api/v1/events/no-such-event/", 404, "not_found"),
        ("get", "/api/v1/events/draft-event/", 404, "not_found"),
        ("get", "/api/v1/events/no-such-event/sessions/", 404, "not_found"),
        ("get", "/api/v1/events/draft-event/speakers/", 404, "not_found"),
        ("get", "/api/v1/events/no-such-event/bundle/", 404, "not_found"),
        ("get", "/api/v1/events/no-such-event/agenda.ics", 404, "not_found"),
        ("get", "/api/v1/events/no-such-event/schedule.xml", 404, "not_found"),
        ("get", "/api/v1/events/summit/sessions/{gone}/", 404, "not_found"),
        ("get", "/api/v1/events/summit/sessions/{elsewhere}/", 404, "not_found"),
        ("get", "/api/v1/speakers/{gone_speaker}/", 404, "not_found"),
        ("get", "/api/v1/events/summit/sessions/?page=99", 404, "not_found"),
        ("post", "/api/v1/events/", 405, "method_not_allowed"),
        ("put", "/api/v1/events/summit/", 405, "method_not_allowed"),
        ("post", "/api/v1/events/summit/sessions/", 405, "method_not_allowed"),
        ("delete", "/api/v1/events/summit/sessions/{session}/", 405, "method_not_allowed"),
        ("post", "/api/v1/events/summit/agenda.ics", 405, "method_not_allowed"),
        ("post", "/api/v1/events/summit/bundle/", 405, "method_not_allowed"),
        ("get", "/api/v1/auth/token/", 405, "method_not_allowed"),
    ],
)
def test_error_is_json_with_code_and_detail(
    api_client, event_with_session, method, url, status, code
):
    response = getattr(api_client, method)(url.format(**event_with_session))

    assert_error(response, status, code)


DELTA_LISTS = [
    "/api/v1/events/summit/sessions/",
    "/api/v1/events/summit/speakers/",
    "/api/v1/events/summit/bundle/",
]


@pytest.mark.parametrize("url", DELTA_LISTS)
@pytest.mark.parametrize(
    "updated_since",
    ["2030-06-10", "yesterday", "2030-06-10T10:00:00", "2030-13-45T10:00:00Z"],
    ids=["date-only", "garbage", "no-offset", "impossible-date"],
)
def test_bad_updated_since_is_400_invalid(api_client, event_with_session, url, updated_since):
    response = api_client.get(url, {"updated_since": updated_since})

    body = assert_error(response, 400, "invalid")
    assert list(body["errors"]) == ["updated_since"]


@pytest.mark.parametrize("url", DELTA_LISTS)
def test_updated_since_older_than_tombstones_is_410_delta_expired(
    settings, api_client, event_with_session, url
):
    too_old = timezone.now() - dt.timedelta(days=settings.GREENROOM_TOMBSTONE_DAYS, hours=1)

    response = api_client.get(url, {"updated_since": too_old.isoformat()})

    assert_error(response, 410, "delta_expired")


@pytest.mark.parametrize("url", DELTA_LISTS)
def test_updated_since_within_tombstone_days_is_accepted(
    settings, api_client, event_with_session, url
):
    recent = timezone.now() - dt.timedelta(days=settings.GREENROOM_TOMBSTONE_DAYS - 1)

    response = api_client.get(url, {"updated_since": recent.isoformat()})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        ("/api/v1/events/summit/sessions/", {"day": "notaday"}, "day"),
        ("/api/v1/events/summit/sessions/", {"day": "2030-02-30"}, "day"),
        ("/api/v1/events/summit/sessions/", {"stage": "x" * 201}, "stage"),
        ("/api/v1/events/summit/sessions/", {"format": "concert"}, "format"),
        ("/api/v1/events/summit/sessions/", {"speaker": "abc"}, "speaker"),
        ("/api/v1/events/summit/sessions/", {"q": "nul\x00byte"}, "q"),
        ("/api/v1/events/summit/speakers/", {"organization": "abc"}, "organization"),
        ("/api/v1/events/summit/speakers/", {"q": "nul\x00byte"}, "q"),
        ("/api/v1/events/", {"q": "nul\x00byte"}, "q"),
        ("/api/v1/events/", {"tag": "nul\x00byte"}, "tag"),
    ],
)
def test_bad_filter_value_is_400_invalid(api_client, event_with_session, url, query, field):
    response = api_client.get(url, query)

    body = assert_error(response, 400, "invalid")
    assert list(body["errors"]) == [field]


@pytest.mark.parametrize(
    "query",
    [{"ordering": "no_such_field"}, {"tag": "none"}],
)
def test_ignorable_list_parameter_is_not_an_error(api_client, event_with_session, query):
    response = api_client.get("/api/v1/events/summit/sessions/", query)

    assert response.status_code == 200


@pytest.mark.parametrize("field", ["stage", "speaker"])
def test_out_of_range_id_filter_is_not_a_server_error(api_client, event_with_session, field):
    response = api_client.get("/api/v1/events/summit/sessions/", {field: str(2**64)})

    assert response.status_code in (200, 400)


@pytest.mark.parametrize("url", DELTA_LISTS)
def test_far_future_updated_since_is_not_a_server_error(api_client, event_with_session, url):
    response = api_client.get(url, {"updated_since": "9999-12-31T23:59:59-12:00"})

    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/no-such-endpoint/", "/api/v1/events/summit/sessions/not-a-number/"],
)
def test_unrouted_api_path_is_json_404(api_client, event_with_session, url):
    response = api_client.get(url)

    assert_error(response, 404, "not_found")


def test_page_size_is_capped_at_the_maximum(settings, api_client):
    event = EventFactory()
    stages = [StageFactory(event=event) for _ in range(5)]
    total = settings.GREENROOM_MAX_PAGE_SIZE + 5
    day_start = local_time(event, 0, 8)

    def pitch(n: int) -> Session:
        """The n-th five-minute pitch, the stages taking turns."""
        starts_at = day_start + dt.timedelta(minutes=5 * (n // len(stages)))
        return Session(
            event=event,
            stage=stages[n % len(stages)],
            title=f"Pitch {n}",
            format=Session.Format.PITCH,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=5),
            is_published=True,
        )

    Session.objects.bulk_create(pitch(n) for n in range(total))
    url = f"/api/v1/events/{event.slug}/sessions/"

    first = api_client.get(url, {"page_size": 10000}).json()
    second = api_client.get(first["next"]).json()

    assert first["count"] == total
    assert len(first["results"]) == settings.GREENROOM_MAX_PAGE_SIZE
    assert len(second["results"]) == total - settings.GREENROOM_MAX_PAGE_SIZE
    assert second["next"] is None
    seen = {item["id"] for item in first["results"] + second["results"]}
    assert seen == set(event.sessions.values_list("pk", flat=True))


def test_cors_allowed_origin_gets_allow_origin_and_exposed_etag(settings, api_client):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    EventFactory()

    response = api_client.get("/api/v1/events/", HTTP_ORIGIN="https://app.example")

    assert response["access-control-allow-origin"] == "https://app.example"
    exposed = [
        name.strip().lower() for name in response["access-control-expose-headers"].split(",")
    ]
    assert "etag" in exposed
    assert "etag" in {name.lower() for name in response.headers}


def test_cors_other_origin_gets_no_allow_origin(settings, api_client):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]

    response = api_client.get("/api/v1/events/", HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_cors_preflight_allows_the_authorization_header(settings, api_client):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]

    response = api_client.options(
        "/api/v1/me/agenda/",
        HTTP_ORIGIN="https://app.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )

    assert response.status_code == 200
    assert response["access-control-allow-origin"] == "https://app.example"
    allowed = [name.strip().lower() for name in response["access-control-allow-headers"].split(",")]
    assert "authorization" in allowed


def test_cors_does_not_cover_pages_outside_the_api(settings, client):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]

    response = client.get("/admin/login/", HTTP_ORIGIN="https://app.example")

    assert "access-control-allow-origin" not in response.headers


CONTRACT_PATHS = [
    "/api/v1/events/",
    "/api/v1/events/{event_slug}/",
    "/api/v1/events/{event_slug}/sessions/",
    "/api/v1/events/{event_slug}/sessions/{session_id}/",
    "/api/v1/events/{event_slug}/speakers/",
    "/api/v1/speakers/{speaker_id}/",
    "/api/v1/events/{event_slug}/agenda.ics",
    "/api/v1/events/{event_slug}/bundle/",
    "/api/v1/events/{event_slug}/schedule.xml",
    "/api/v1/events/{event_slug}/schedule.json",
    "/api/v1/auth/token/",
    "/api/v1/me/agenda/",
    "/api/v1/me/agenda/{session_id}/",
    "/api/v1/me/agenda.ics",
]


def test_openapi_schema_validates_without_warnings_and_lists_contract_paths(tmp_path):
    schema_file = tmp_path / "schema.yml"

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(schema_file),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )

    schema = yaml.safe_load(schema_file.read_text())
    assert [path for path in CONTRACT_PATHS if path not in schema["paths"]] == []


def test_openapi_schema_endpoint_answers(api_client):
    response = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert [path for path in CONTRACT_PATHS if path not in response.json()["paths"]] == []


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_api_docs_use_sidecar_assets_and_no_cdn(client, url):
    response = client.get(url, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == "text/html"
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert [host for host in ("cdn.jsdelivr", "unpkg") if host in page] == []


def test_operation_ids_are_unique_and_fit_every_code_generator(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    ids = [
        operation["operationId"]
        for path in schema.json()["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert [name for name in ids if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name)] == []
    assert len(ids) == len(set(ids))
    assert "tickets_qr_retrieve" in ids
