"""Every operation of the published schema, called for real, answers as the schema says.

The schema is the one /api/v1/schema/ serves. Each operation is called through Django's test
client against the demo event with the real objects of an attendee, and every answer (status,
declared headers, body) is validated with openapi-core, a strict OpenAPI 3.0 validator. Beside
the success, each operation is sent the requests whose answers its kind documents: a copy still
current (304), an unknown item or a page past the end (404), a NUL byte (400), a body that is
not JSON (415) or not valid (400), one too large (413), a wrong token (401), a cookie sign-in
without the CSRF token (403), an unanswerable Accept (406), an `updated_since` too old (410),
and, throttled, 429; and a few refusals of the domain's own rules (409, 422, 403).
An operation the run does not reach fails the test, so new endpoints must be covered here.
(Schemathesis fuzzes the same schema in tests/fuzz.)
"""

import datetime as dt
import json
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from openapi_core import OpenAPI
from rest_framework.authtoken.models import Token

from config.api.limits import body_limit
from tests.api.openapi import assert_conforms, published_schema, strict_validator
from tests.factories import door_staff_user
from tests.fuzz.conftest import FuzzWorld, fuzz_world  # noqa: F401 (fixture)
from tests.tickets.conftest import (  # noqa: F401 (fixtures)
    localstripe_url,
    signed_webhook,
    stripe_event,
    stripe_settings,
    webhook_settings,
)
from tickets.models import PassType

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
UNKNOWN_PATH_VALUES = {"integer": "999999999", "string": "no-such-item"}
# Operations that end what later ones need run last, in this order.
SIGN_OUT = "auth_token_destroy"
RUN_LAST = [SIGN_OUT, "me_destroy"]
UNLIMITED = "1000000/min"


@dataclass(frozen=True)
class Operation:
    """One method on one path of the schema."""

    path: str
    method: str
    spec: dict

    @property
    def id(self) -> str:
        return self.spec["operationId"]

    @property
    def statuses(self) -> set[int]:
        return {int(code) for code in self.spec["responses"]}

    @property
    def parameters(self) -> list[dict]:
        return self.spec.get("parameters", [])

    def parameter_names(self, location: str) -> set[str]:
        return {p["name"] for p in self.parameters if p["in"] == location}

    @property
    def is_public(self) -> bool:
        return self.spec.get("security") == []

    @property
    def takes_body(self) -> bool:
        return "requestBody" in self.spec

    @property
    def is_safe(self) -> bool:
        return self.method in ("get", "head")


def operations_of(schema: dict) -> list[Operation]:
    found = [
        Operation(path, method, spec)
        for path, methods in schema["paths"].items()
        for method, spec in methods.items()
    ]
    return sorted(found, key=lambda op: RUN_LAST.index(op.id) if op.id in RUN_LAST else -1)


@dataclass
class World:
    """The fuzzing world (the demo event, an attendee with orders, a ticket and a bookmark)
    plus door staff, and what each operation needs to succeed."""

    fuzz: FuzzWorld
    staff_token: str

    def path_values(self, operation: Operation) -> list[dict[str, str]]:
        """Real values for the operation's path: one set per value of an enum parameter."""
        real = self.fuzz.path_parameters(operation.path)
        values = [{}]
        for parameter in operation.parameters:
            if parameter["in"] != "path":
                continue
            name, choices = parameter["name"], parameter["schema"].get("enum")
            if choices:
                values = [{**each, name: choice} for each in values for choice in choices]
                continue
            assert name in real, f"{operation.id}: no real value for path parameter `{name}`"
            values = [{**each, name: real[name]} for each in values]
        return values

    def token_for(self, operation: Operation) -> str | None:
        if operation.is_public:
            return None
        if operation.id == "checkins_create":
            return self.staff_token
        return self.fuzz.attendee_token

    def restore_attendee_token(self) -> None:
        """Sign the attendee in again with the same token, after signing out."""
        Token.objects.get_or_create(
            key=self.fuzz.attendee_token, defaults={"user_id": self.fuzz.attendee_id}
        )

    def success_request(self, operation: Operation) -> dict:
        """What a valid request sends beside its path: the body (for an operation that takes
        one; a new one must be added here) and the token of whoever may do it."""
        if not operation.takes_body:
            return {"token": self.token_for(operation)}
        if operation.id == "webhooks_stripe_create":
            payload, signature = signed_webhook(stripe_event("customer.created", {"id": "cus_1"}))
            return {"raw_body": payload, "headers": {"Stripe-Signature": signature}}
        bodies = {
            "auth_token_create": lambda: {"username": "fuzz-attendee", "password": PASSWORD},
            "checkins_create": lambda: {"code": self.fuzz.ticket.code},
            "me_consents_update": lambda: {"granted": True},
            "orders_create": lambda: {
                "event": self.fuzz.event_slug,
                "lines": [{"pass_type": self.expo_pass_id(), "quantity": 1}],
            },
            "orders_pay_create": lambda: {"flow": "payment_sheet"},
            "me_destroy": lambda: {"confirm": True, "void_future_tickets": True},
        }
        assert operation.id in bodies, f"{operation.id}: add a valid body to success_request"
        return {"token": self.token_for(operation), "body": bodies[operation.id]()}

    def expo_pass_id(self) -> int:
        return PassType.objects.get(event__slug=self.fuzz.event_slug, slug="expo").pk


@dataclass
class Conformance:
    """Sends requests for operations and validates each answer against the schema."""

    openapi: OpenAPI
    world: World
    exercised: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def send(
        self,
        operation: Operation,
        *,
        expect: int | set[int],
        path_values: dict | None = None,
        token: str | None = None,
        client: Client | None = None,
        body=None,
        raw_body: bytes | None = None,
        content_type: str = "application/json",
        query: dict | None = None,
        headers: dict | None = None,
    ):
        values = path_values if path_values is not None else self.world.path_values(operation)[0]
        url = operation.path.format(**values)
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Token {token}"
        if raw_body is None:
            raw_body = b"" if body is None else json.dumps(body).encode()
        client = client or Client()
        response = client.generic(
            operation.method.upper(),
            url,
            raw_body,
            content_type=content_type,
            headers=headers,
            QUERY_STRING="&".join(f"{k}={v}" for k, v in (query or {}).items()),
        )
        allowed = expect if isinstance(expect, set) else {expect}
        assert response.status_code in allowed, (
            f"{operation.id} {url}: {response.status_code} (expected {allowed}): "
            f"{response.content[:300]!r}"
        )
        assert_conforms(
            self.openapi,
            response,
            method=operation.method,
            path_pattern=operation.path,
            path_values=values,
            query=query,
            headers=headers,
        )
        self.exercised[operation.id].add(response.status_code)
        return response

    def run(self, operation: Operation) -> None:
        """Every error answer the operation documents for its kind, a few of its own rules'
        refusals, then the success (last: it may end what the others need, as signing out or
        erasing the account does)."""
        valid = self.world.success_request(operation)
        self.send_kind_errors(operation, valid)
        self.send_domain_errors(operation, valid)
        self.send_success(operation, valid)

    def send_domain_errors(self, operation: Operation, valid: dict) -> None:
        """Refusals by the domain's rules (409, 422, a permission's 403), where they apply."""
        fuzz = self.world.fuzz
        paid = {"code": fuzz.ticket.order.code}
        if operation.id in ("orders_cancel_create", "orders_pay_create"):
            self.send(operation, expect=409, path_values=paid, **valid)  # already paid
        elif operation.id == "checkins_create":
            self.send(operation, expect=403, **{**valid, "token": fuzz.attendee_token})
        elif operation.id == "orders_create":
            first = {"Idempotency-Key": str(uuid.uuid4())}
            self.send(operation, expect=201, **valid, headers=first)
            other_lines = {**valid["body"], "lines": [{**valid["body"]["lines"][0], "quantity": 2}]}
            self.send(operation, expect=422, **{**valid, "body": other_lines}, headers=first)

    def send_success(self, operation: Operation, valid: dict) -> None:
        successes = {status for status in operation.statuses if status < 300}
        for values in self.world.path_values(operation):
            response = self.send(operation, expect=successes, path_values=values, **valid)
            if 304 in operation.statuses:
                # Sent back weak, as after a proxy that compresses.
                current = {"If-None-Match": f"W/{response.headers['ETag']}"}
                self.send(operation, expect=304, path_values=values, **valid, headers=current)

    def send_kind_errors(self, operation: Operation, valid: dict) -> None:
        """Each request differs from a valid one in one respect, the one its status is for."""
        statuses = operation.statuses

        def send(expect: int, **changes) -> None:
            self.send(operation, expect=expect, **{**valid, **changes})

        send(400, headers={**valid.get("headers", {}), "X-Probe": "a\x00b"})
        if operation.takes_body:
            send(400, body=["not", "an", "object"], raw_body=None)
        if 404 in statuses and (unknown := self.unknown_path_values(operation)):
            send(404, path_values=unknown)
        if 404 in statuses and "page" in operation.parameter_names("query"):
            send(404, query={"page": "999999"})
        if 401 in statuses:
            send(401, token="not-a-token")
        if 403 in statuses and not operation.is_safe:
            send(403, token=None, client=self.cookie_client_without_csrf())
        if 406 in statuses:
            send(406, headers={**valid.get("headers", {}), "Accept": "text/x-none"})
        if 413 in statuses:
            send(413, raw_body=b" " * (body_limit(operation.path) + 1))
        if 415 in statuses:
            send(415, raw_body=b"x=1", content_type="text/plain")
        if 410 in statuses and "updated_since" in operation.parameter_names("query"):
            too_old = timezone.now() - dt.timedelta(days=settings.GREENROOM_TOMBSTONE_DAYS + 1)
            send(410, query={"updated_since": too_old.strftime("%Y-%m-%dT%H:%M:%SZ")})

    def unknown_path_values(self, operation: Operation) -> dict | None:
        """The real path values with each free (not enum) one replaced by an unknown one."""
        free = {
            p["name"]: UNKNOWN_PATH_VALUES[p["schema"].get("type", "string")]
            for p in operation.parameters
            if p["in"] == "path" and "enum" not in p["schema"]
        }
        if not free:
            return None
        return {**self.world.path_values(operation)[0], **free}

    def cookie_client_without_csrf(self) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(Token.objects.get(key=self.world.fuzz.attendee_token).user)
        return client

    def send_throttled(self, operation: Operation) -> None:
        self.send(operation, expect=429, **self.world.success_request(operation))


@pytest.fixture
def world(fuzz_world, webhook_settings) -> World:  # noqa: F811
    staff = door_staff_user(username="door")
    return World(fuzz=fuzz_world, staff_token=Token.objects.create(user=staff).key)


@contextmanager
def override_throttle_rates(settings, rate: str):
    """Every throttle scope at `rate` for a while."""
    rates = settings.GREENROOM_THROTTLE_RATES
    settings.GREENROOM_THROTTLE_RATES = dict.fromkeys(rates, rate)
    try:
        yield
    finally:
        settings.GREENROOM_THROTTLE_RATES = rates


@pytest.fixture
def unthrottled(settings):
    """Throttles out of the way: the run sends hundreds of requests a minute."""
    settings.GREENROOM_THROTTLE_RATES = dict.fromkeys(settings.GREENROOM_THROTTLE_RATES, UNLIMITED)
    return settings


def test_every_operation_answers_as_the_published_schema_says(world, unthrottled):
    schema = published_schema()
    conformance = Conformance(strict_validator(schema), world)
    operations = operations_of(schema)

    for operation in operations:
        if operation.id in RUN_LAST:
            continue
        conformance.run(operation)
    # Throttles refuse before the view acts, so even the operations that end things can go.
    with override_throttle_rates(unthrottled, "0/min"):
        for operation in operations:
            if 429 in operation.statuses:
                conformance.send_throttled(operation)
    for operation_id in RUN_LAST:
        conformance.run(next(op for op in operations if op.id == operation_id))
        if operation_id == SIGN_OUT:
            world.restore_attendee_token()

    assert set(conformance.exercised) == {operation.id for operation in operations}
