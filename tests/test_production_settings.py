"""config.settings.production: Django's deployment checks pass, development secrets are refused,
and the admin (with its static files) is served over HTTPS only, behind a proxy."""

import json
import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.base import DEVELOPMENT_SECRET_KEY

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOST = "greenroom.example"

# Run in a fresh process with the production settings: collect the static files, then ask for
# the admin's login page and its stylesheet as the proxy would pass them on.
PROBE = f"""
import json

import django
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

django.setup()
call_command("collectstatic", interactive=False, verbosity=0)
client = Client(HTTP_HOST="{HOST}")
plain = client.get("/admin/login/")
secure = client.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
stylesheet = client.get(static("admin/css/base.css"), HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({{
    "plain": [plain.status_code, plain.get("Location")],
    "secure": [secure.status_code, dict(secure.headers)],
    "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
    "stylesheet": [stylesheet.status_code, stylesheet.get("Cache-Control")],
}}))
"""


def production_environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    """This process's environment without any DJANGO_ setting, as a deployment would set it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        GREENROOM_VAR_DIR=str(tmp_path),
    )
    environment.update(variables)
    return environment


def run_python(*arguments: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *arguments],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def production_answers(tmp_path_factory) -> dict:
    tmp_path = tmp_path_factory.mktemp("production")
    finished = run_python("-c", PROBE, environment=production_environment(tmp_path))
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


def test_deploy_check_finds_nothing_to_warn_about(tmp_path):
    finished = run_python(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        environment=production_environment(tmp_path),
    )

    assert (finished.returncode, finished.stderr) == (0, "")
    assert finished.stdout.startswith("System check identified no issues")


@pytest.mark.parametrize("secret_key", [None, "", DEVELOPMENT_SECRET_KEY])
def test_production_settings_refuse_a_missing_or_development_secret_key(monkeypatch, secret_key):
    if secret_key is None:
        monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("DJANGO_SECRET_KEY", secret_key)

    with pytest.raises(ImproperlyConfigured, match="Set DJANGO_SECRET_KEY"):
        runpy.run_module("config.settings.production")


def test_plain_http_is_redirected_to_https(production_answers):
    assert production_answers["plain"] == [301, f"https://{HOST}/admin/login/"]


def test_https_pages_carry_hsts_and_the_security_headers(production_answers):
    status, headers = production_answers["secure"]

    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"].endswith("; upgrade-insecure-requests")


def test_csrf_cookie_is_sent_over_https_only(production_answers):
    assert production_answers["csrf_cookie_secure"] is True


def test_collected_static_files_are_served_with_far_future_caching(production_answers):
    assert production_answers["stylesheet"] == [200, "max-age=315360000, public, immutable"]
