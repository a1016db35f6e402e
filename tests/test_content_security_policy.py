"""Content-Security-Policy: HTML pages run only our own files and what carries their nonce;
every other answer may load nothing."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EventFactory

NOT_HTML_POLICY = "default-src 'none'; frame-ancestors 'none'"


class ScriptsAndStyles(HTMLParser):
    """The attributes of every <script> and <style> element of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.elements.append((tag, dict(attrs)))


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split("; "))}


def nonce_of(response) -> str:
    (nonce,) = re.findall(r"'nonce-([^']+)'", directives(response)["script-src"][-1])
    return nonce


def foreign_elements(response) -> list[tuple[str, dict]]:
    """Scripts and styles on the page that are neither our static files nor carry the nonce."""
    page = ScriptsAndStyles()
    page.feed(response.content.decode())
    assert page.elements, "the page has no scripts or styles to check"
    nonce = nonce_of(response)
    return [
        (tag, attrs)
        for tag, attrs in page.elements
        if attrs.get("nonce") != nonce and not attrs.get("src", "").startswith("/static/")
    ]


def test_admin_login_page_allows_only_our_scripts_and_its_nonce(client):
    response = client.get(reverse("admin:login"))

    policy = directives(response)
    assert policy["script-src"] == ["'self'", f"'nonce-{nonce_of(response)}'"]
    assert (policy["object-src"], policy["base-uri"], policy["frame-ancestors"]) == (
        ["'none'"],
        ["'none'"],
        ["'none'"],
    )
    assert foreign_elements(response) == []


@pytest.mark.parametrize("name", ["api-docs", "api-redoc"])
def test_api_docs_pages_run_only_our_files_and_nonce_carrying_scripts(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'", f"'nonce-{nonce_of(response)}'"]
    assert foreign_elements(response) == []


def test_each_page_gets_a_fresh_nonce(client):
    first = client.get(reverse("api-docs"))
    second = client.get(reverse("api-docs"))

    assert nonce_of(first) != nonce_of(second)


def test_redoc_may_insert_styles_and_start_its_search_worker(client):
    response = client.get(reverse("api-redoc"))

    policy = directives(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["worker-src"] == ["'self'", "blob:"]


@pytest.mark.django_db
def test_api_json_answers_allow_nothing(client):
    response = client.get(reverse("event-list"))

    assert response["Content-Type"] == "application/json"
    assert response["Content-Security-Policy"] == NOT_HTML_POLICY


@pytest.mark.django_db
def test_answers_from_the_micro_cache_carry_the_closed_policy_too(client, settings):
    settings.GREENROOM_VERSION_CACHE_SECONDS = 5
    url = reverse("event-detail", args=[EventFactory().slug])
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        cached = client.get(url)

    assert len(queries) == 0
    assert cached["Content-Security-Policy"] == NOT_HTML_POLICY
