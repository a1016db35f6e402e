"""deploy/ and the settings a multi-node deployment relies on: every variable documented, the
PgBouncer switch, shared media storage, the queue of each task, a valid HAProxy config."""

import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILES = [ROOT / "config/settings/base.py", ROOT / "config/settings/production.py"]
READS = re.compile(
    r"(?:os\.environ\.get|os\.environ\[|env_bool|env_list)\(?\s*\"([A-Z][A-Z0-9_]*)\""
)


def variables_read_by_settings() -> set[str]:
    return {name for path in SETTINGS_FILES for name in READS.findall(path.read_text())}


def variables_in_env_example() -> set[str]:
    lines = (ROOT / "deploy/env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line)}


def variables_in_readme_tables() -> set[str]:
    rows = [
        line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `")
    ]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_settings_read_variables_found_by_the_pattern():
    assert {"DJANGO_SECRET_KEY", "DATABASE_POOLER", "MEDIA_STORAGE"} <= variables_read_by_settings()


def test_env_example_lists_every_variable_the_production_settings_read():
    assert variables_read_by_settings() - variables_in_env_example() == set()


def test_readme_documents_every_variable_the_settings_read():
    assert variables_read_by_settings() - variables_in_readme_tables() == set()


def test_env_example_sets_nothing_the_readme_does_not_document():
    gunicorn = {name for name in variables_in_env_example() if name.startswith("GUNICORN_")}
    read_by_others = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "WEB_CONCURRENCY"} | gunicorn
    undocumented = variables_in_env_example() - variables_in_readme_tables() - read_by_others
    assert undocumented == set()


# --- PgBouncer in transaction pooling -----------------------------------------------------------


def base_settings(monkeypatch, **variables) -> dict:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config/settings/base.py"))


def test_pgbouncer_pooler_turns_off_server_side_cursors_and_prepared_statements(monkeypatch):
    database = base_settings(
        monkeypatch,
        DATABASE_URL="postgres://greenroom@127.0.0.1:6432/greenroom",
        DATABASE_POOLER="pgbouncer",
    )["DATABASES"]["default"]

    assert (database["DISABLE_SERVER_SIDE_CURSORS"], database["OPTIONS"]["prepare_threshold"]) == (
        True,
        None,
    )


def test_without_a_pooler_server_side_cursors_stay_on(monkeypatch):
    monkeypatch.delenv("DATABASE_POOLER", raising=False)
    database = base_settings(
        monkeypatch, DATABASE_URL="postgres://greenroom@127.0.0.1:5432/greenroom"
    )["DATABASES"]["default"]

    assert database.get("DISABLE_SERVER_SIDE_CURSORS", False) is False


def test_unknown_pooler_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="pgbouncer"):
        base_settings(monkeypatch, DATABASE_POOLER="pgpool")


def test_code_takes_no_session_level_advisory_lock():
    """Under transaction pooling a session-level lock would stay on a server connection that
    other clients then use; only pg_advisory_xact_lock is safe."""
    sources = [
        path
        for path in ROOT.rglob("*.py")
        # var/ holds what runs beside the project (pretix's venv for bench/), not its code.
        if not {".venv", "tests", "var"} & set(path.relative_to(ROOT).parts)
    ]
    session_locks = [
        str(path.relative_to(ROOT))
        for path in sources
        if re.search(r"pg_(try_)?advisory_lock(_shared)?\(|\bLISTEN\b", path.read_text())
    ]
    assert session_locks == []


# --- shared media ---------------------------------------------------------------------------


def production_settings(monkeypatch, tmp_path, **variables) -> dict:
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("GREENROOM_VAR_DIR", str(tmp_path))
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_module("config.settings.production")


def test_media_storage_s3_keeps_uploads_in_the_configured_bucket(monkeypatch, tmp_path):
    storage = production_settings(
        monkeypatch,
        tmp_path,
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="greenroom-media",
        AWS_S3_ENDPOINT_URL="https://minio.internal:9000",
    )["STORAGES"]["default"]

    assert (storage["BACKEND"], storage["OPTIONS"]["bucket_name"]) == (
        "storages.backends.s3.S3Storage",
        "greenroom-media",
    )
    assert storage["OPTIONS"]["endpoint_url"] == "https://minio.internal:9000"


def test_media_storage_s3_without_a_bucket_is_refused(monkeypatch, tmp_path):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        production_settings(monkeypatch, tmp_path, MEDIA_STORAGE="s3")


def test_media_storage_defaults_to_the_local_disk(monkeypatch, tmp_path):
    monkeypatch.delenv("MEDIA_STORAGE", raising=False)
    storage = production_settings(monkeypatch, tmp_path)["STORAGES"]["default"]

    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"


# --- Celery queues --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("tickets.tasks.reconcile_pending_orders", "payments"),
        ("tickets.tasks.expire_held_orders_task", "payments"),
        ("tickets.tasks.refund_unfulfilled_payment", "payments"),
        ("tickets.tasks.send_order_confirmation", "mail"),
        ("tickets.tasks.send_refund_notice", "mail"),
        ("speakers.tasks.send_speaker_invitation", "mail"),
        ("notices.tasks.send_bookmark_notices", "notifications"),
        ("webhooks.tasks.deliver_webhook", "notifications"),
        ("core.tasks.purge_old_tombstones", "default"),
        ("privacy.tasks.anonymise_past_attendees", "default"),
    ],
)
def test_each_kind_of_task_goes_to_its_queue(task, queue):
    assert app.amqp.router.route({}, task)["queue"].name == queue


# --- HAProxy --------------------------------------------------------------------------------


def test_haproxy_config_is_valid(tmp_path):
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if haproxy is None:
        if os.environ.get("GREENROOM_REQUIRE_SERVICES") == "1":
            pytest.fail("haproxy is not installed (apt-get install haproxy)")
        pytest.skip("needs haproxy")
    environment = {
        **os.environ,
        "GREENROOM_LB_BIND": "127.0.0.1:18799",
        "GREENROOM_WEB1": "127.0.0.1:18798",
        "GREENROOM_WEB2": "127.0.0.1:18797",
        "GREENROOM_WEB_MAXCONN": "4",
        "GREENROOM_HOST": "greenroom.example",
        "GREENROOM_STATS_SOCKET": str(tmp_path / "haproxy.sock"),
    }
    checked = subprocess.run(  # noqa: S603 - a fixed command
        [haproxy, "-c", "-f", str(ROOT / "deploy/haproxy.cfg")],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
