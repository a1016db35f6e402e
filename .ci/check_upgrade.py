#!/usr/bin/env python
"""Upgrade check: a PostgreSQL database made by an earlier commit migrates without losing a row.

`manage.py migrate` on an empty database only proves that the migrations build a schema. A site
in production holds orders, tickets, bookmarks and audit entries, and a migration that moves a
model between apps (SeparateDatabaseAndState, a renamed table, relabelled content types) can
drop or strand those rows while every test on a fresh database stays green. So this script:

1. builds a throwaway database with the OLD code (the base commit, checked out in a temporary
   git worktree and run with this same interpreter): migrate, the demo event, then real activity
   through the old code's own services: an attendee with bookmarks, orders placed, paid (one by
   a signed Stripe webhook, later refunded the same way), cancelled and left pending, a ticket
   checked in, an audit entry, a tombstone;
2. records every table's exact row count and a checksum of its rows;
3. runs the NEW code's migrations (this checkout, whatever it holds now) on that database;
4. checks that every table still holds the same rows (under the new name for a table of
   RENAMED_TABLES once its move has landed), and that content types and permissions kept their
   ids: groups' grants point at permission ids, so a moved model must take its content type
   along rather than get a new one beside a stale one.

Usage:  .venv/bin/python .ci/check_upgrade.py [BASE_COMMIT]      (default: d94b365)

DATABASE_URL names the PostgreSQL server (its database name is replaced by a throwaway one);
the default is postgres://postgres@127.0.0.1:5432/. Exits 1 if a row was lost or changed, or a
step failed; the throwaway database is then kept for inspection, and dropped on success.
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

DEFAULT_BASE = "d94b365"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/"
DB_NAME = "greenroom_upgrade_check"
REPO = Path(__file__).resolve().parent.parent
STARTED = time.monotonic()

# Tables the refactor moves to another app: old name -> new name. Until a move lands in the
# checkout, its table keeps the old name and is compared there.
RENAMED_TABLES = {
    "events_bookmark": "agenda_bookmark",
    "events_tombstone": "core_tombstone",
    "privacy_auditentry": "core_auditentry",
}
# Gains a row per migration applied; it must only never shrink.
GROWING_TABLES = {"django_migrations"}
# Tables compared over some of their columns only (the others may legitimately change):
# a moved model's content type keeps its id and model name, only its app label changes; a
# permission keeps its id, content type and codename, which is what grants and has_perm use.
CHECKSUM_COLUMNS = {
    "django_content_type": ("id", "model"),
    "auth_permission": ("id", "content_type_id", "codename"),
}
# Models the new code genuinely adds ("app_label.model"): their content types and permissions
# may appear. A model moved to another app is not new: it must keep its content type.
NEW_MODELS: set[str] = {
    # django-allauth's accounts (issue 11): their content types and permissions are new rows.
    "account.emailaddress",
    "account.emailconfirmation",
    # The door screen's log of scans (issue 12).
    "tickets.checkinscan",
    # The stored agenda version, moved with every write to the agenda (issue 14).
    "agenda.agendaversion",
    # Releases of an event's schedule and their changes (issue 13).
    "agenda.schedulerelease",
    "agenda.releasechange",
    # Outbound webhooks (issue 13).
    "webhooks.endpoint",
    "webhooks.delivery",
    "webhooks.attempt",
    # Notices to people who bookmarked a session, and their push subscriptions (issue 13).
    "notices.programmenotice",
    "notices.pushsubscription",
    # Taken counts of pass types and pools, changed by one conditional UPDATE (issue 14).
    "tickets.inventorycounter",
}

# The old tree's packages: they must be imported from the worktree, not from /work/main (the
# venv has the project installed in editable mode, pointing at the current checkout).
OLD_PACKAGES = ("config", "events", "speakers", "tickets", "privacy")
# Settings from the caller's environment that would send either run elsewhere (a broker,
# Stripe, another database or settings module, a cache server); the runs set their own.
FOREIGN_ENV_PREFIXES = ("CELERY_", "STRIPE_", "DJANGO_", "GREENROOM_", "DATABASE_", "CACHE_URL")
# Signs the activity's Stripe webhooks; it guards nothing (a throwaway database, no Stripe).
WEBHOOK_SECRET = "whsec_upgrade_check"  # noqa: S105

# Real activity, run by the OLD code in `manage.py shell` after `seed_demo`. Only its services
# write; the webhook payloads are what Stripe would send. Any failure raises, so the shell
# exits non-zero and the check stops there.
ACTIVITY = r"""
import hashlib, hmac, json, time

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from events.demo import DEMO_EVENT_SLUG, ORGANIZER_USERNAME
from events.models import Bookmark, Event, Session, Tombstone
from events.services import add_bookmark
from privacy.audit import record
from privacy.models import AuditAction, AuditEntry, ConsentPurpose
from privacy.services import record_consent
from tickets.demo import DOOR_STAFF_USERNAME
from tickets.models import OrderStatus, PassType, Refund, StripeEvent, Ticket
from tickets.services.checkin import CheckInOutcome, check_in
from tickets.services.fulfilment import fulfil_order
from tickets.services.ordering import LineRequest, cancel_order, place_order
from tickets.services.webhooks import handle_stripe_webhook


def expect(condition, what):
    if not condition:
        raise RuntimeError(f"activity at the base commit: {what}")


def webhook(event_id, event_type, obj):
    # Signed as Stripe signs: t=<unix>,v1=HMAC-SHA256("<t>.<body>") with the endpoint secret.
    body = json.dumps({"id": event_id, "object": "event", "type": event_type,
                       "created": int(time.time()), "data": {"object": obj}}).encode()
    stamp = int(time.time())
    digest = hmac.new(b"WEBHOOK_SECRET", f"{stamp}.".encode() + body, hashlib.sha256)
    return handle_stripe_webhook(payload=body, signature=f"t={stamp},v1={digest.hexdigest()}")


users = get_user_model().objects
event = Event.objects.get(slug=DEMO_EVENT_SLUG)
passes = {p.slug: p.pk for p in PassType.objects.filter(event=event)}
organizer = users.get(username=ORGANIZER_USERNAME)
door = users.get(username=DOOR_STAFF_USERNAME)

# An attendee with an app token, a consent and two sessions on their agenda.
attendee = users.create_user("upgrade-attendee", "attendee@upgrade.test", "upgrade-check-pw")
Token.objects.create(user=attendee)
record_consent(user=attendee, purpose=ConsentPurpose.EVENT_NEWS, granted=True)
sessions = list(Session.objects.filter(event=event, is_published=True).order_by("starts_at"))
for session in sessions[:2]:
    expect(add_bookmark(user=attendee, session=session)[1], "bookmark not created")

# Paid without Stripe (as the tests fulfil), with a promo code; one ticket scanned at the door.
paid, _ = place_order(
    event=event,
    lines=[LineRequest(passes["general-admission"], 2, attendees=({"name": "Ada"},))],
    email=attendee.email, promo_code="MOBILITY20", user=attendee, idempotency_key="upgrade-1",
)
expect(fulfil_order(order=paid, payment=None, amount_received=paid.total), "not fulfilled")
ticket = Ticket.objects.filter(order=paid).order_by("pk").first()
outcome = check_in(code=ticket.code, staff_user=door, event=event).outcome
expect(outcome == CheckInOutcome.CHECKED_IN, f"check-in answered {outcome}")

# A guest pays through a signed payment_intent.succeeded, then Stripe reports a full refund.
guest, _ = place_order(event=event, lines=[LineRequest(passes["expo"], 1)],
                       email="guest@upgrade.test")
intent = {"id": "pi_upgrade_1", "object": "payment_intent", "amount": guest.total,
          "amount_received": guest.total, "currency": guest.currency,
          "metadata": {"order_code": guest.code}}
outcome = webhook("evt_upgrade_1", "payment_intent.succeeded", intent)
expect(outcome == "fulfilled", f"payment webhook answered {outcome}")
charge = {"id": "ch_upgrade_1", "object": "charge", "payment_intent": "pi_upgrade_1",
          "refunds": {"data": [{"id": "re_upgrade_1", "amount": guest.total,
                                "status": "succeeded"}]}}
outcome = webhook("evt_upgrade_2", "charge.refunded", charge)
expect(outcome == "refund_recorded", f"refund webhook answered {outcome}")

# One order cancelled, one left holding its passes.
cancelled, _ = place_order(event=event, lines=[LineRequest(passes["virtual"], 1)],
                           email=attendee.email, user=attendee)
cancel_order(order=cancelled)
place_order(event=event, lines=[LineRequest(passes["virtual"], 3)], email="late@upgrade.test")

# An organizer looked at the paid order in the admin.
record(actor=organizer, action=AuditAction.VIEWED, subject_type="tickets.order",
       subject_id=paid.code)

# A session nobody bookmarked is deleted: the signal writes its tombstone for delta sync.
gone = sessions[-1].pk
sessions[-1].delete()

statuses = sorted(event.orders.values_list("status", flat=True))
expect(statuses == sorted([OrderStatus.PAID, OrderStatus.REFUNDED, OrderStatus.CANCELLED,
                           OrderStatus.PENDING]), f"order statuses {statuses}")
expect(Tombstone.objects.filter(kind="session", object_id=gone).exists(), "no tombstone")
summary = {
    "bookmarks": Bookmark.objects.filter(user=attendee).count(),
    "orders": len(statuses),
    "tickets": Ticket.objects.count(),
    "checked_in": Ticket.objects.filter(checked_in_at__isnull=False).count(),
    "stripe_events": StripeEvent.objects.count(),
    "refunds": Refund.objects.count(),
    "audit_entries": AuditEntry.objects.count(),
    "tombstones": Tombstone.objects.count(),
}
print("ACTIVITY", json.dumps(summary))
""".replace("WEBHOOK_SECRET", WEBHOOK_SECRET)


class StepFailed(Exception):
    """A command or a precondition failed; the message says which, with what it printed."""


@dataclass(frozen=True)
class TableState:
    """What a table held: its row count and a checksum of its rows over `columns`."""

    rows: int
    checksum: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    """One line of the report."""

    table: str
    before: int
    after: int | None
    ok: bool
    note: str = ""


def step(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.1f}s] {message}", flush=True)


# --- running the old and the new code ----------------------------------------------------------


def run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command and return its output; on failure raise StepFailed with all it printed."""
    try:
        done = subprocess.run(  # noqa: S603 (our own interpreter and git, no shell)
            command, cwd=cwd, env=env, check=True, capture_output=True, text=True
        )
    except subprocess.CalledProcessError as error:
        shown = " ".join(arg if len(arg) < 80 else f"{arg[:30]}…" for arg in command)
        raise StepFailed(
            f"command failed (exit {error.returncode}) in {cwd}: {shown}\n"
            f"--- stdout ---\n{error.stdout}\n--- stderr ---\n{error.stderr}"
        ) from None
    return done.stdout


def code_env(*, tree: Path, database_url: str, var_dir: Path) -> dict[str, str]:
    """The environment a tree's manage.py runs in: its own packages first, our database, no
    broker (Celery tasks run eagerly, in-process), no Stripe, e-mails kept in memory."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(FOREIGN_ENV_PREFIXES) and key != "PYTHONPATH"
    }
    env.update(
        PYTHONPATH=str(tree),
        PYTHONDONTWRITEBYTECODE="1",  # leave no __pycache__ behind in either tree
        DJANGO_SETTINGS_MODULE="config.settings.base",  # manage.py's default
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="0",
        GREENROOM_VAR_DIR=str(var_dir),  # the settings create it: keep it out of the trees
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,  # verifies the activity's signed webhooks
    )
    return env


def manage(tree: Path, env: dict[str, str], *args: str) -> str:
    return run([sys.executable, "manage.py", *args], cwd=tree, env=env)


def check_imports_from(tree: Path, env: dict[str, str]) -> None:
    """Make sure the worktree's packages win over the venv's editable install (cwd and
    PYTHONPATH come before its finder); otherwise the "old" database would be built by the
    new code and the check would prove nothing."""
    probe = f"import json, {', '.join(OLD_PACKAGES)}; print(json.dumps({{"
    probe += ", ".join(f"{name!r}: {name}.__file__" for name in OLD_PACKAGES) + "}))"
    files = json.loads(run([sys.executable, "-c", probe], cwd=tree, env=env))
    root = tree.resolve()
    strays = {
        name: path for name, path in files.items() if not Path(path).resolve().is_relative_to(root)
    }
    if strays:
        raise StepFailed(f"old code imported from outside the worktree {tree}: {strays}")


@contextlib.contextmanager
def worktree_at(base: str, parent: Path) -> Iterator[Path]:
    """The base commit checked out in a temporary worktree, removed again whatever happens."""
    path = parent / "base"
    run(["git", "worktree", "add", "--detach", str(path), base], cwd=REPO)
    try:
        yield path
    finally:
        removed = subprocess.run(  # noqa: S603
            ["git", "worktree", "remove", "--force", str(path)],  # noqa: S607
            cwd=REPO,
            capture_output=True,
            check=False,
        )
        if removed.returncode:  # the directory went some other way: forget its record
            subprocess.run(["git", "worktree", "prune"], cwd=REPO, check=False)  # noqa: S607


# --- the database ------------------------------------------------------------------------------


def database_url(name: str) -> str:
    """DATABASE_URL (or the local default) with its database name replaced by `name`."""
    url = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_SERVER_URL)
    if url.scheme not in ("postgres", "postgresql"):
        raise StepFailed(f"DATABASE_URL must name a PostgreSQL server, not {url.scheme}://…")
    return url._replace(path=f"/{name}").geturl()


def drop_database() -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as server:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        server.execute(drop.format(sql.Identifier(DB_NAME)))


def database_exists() -> bool:
    with psycopg.connect(database_url("postgres"), autocommit=True) as server:
        found = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        return found.fetchone() is not None


def create_database() -> None:
    drop_database()  # left by a failed run, kept for inspection
    with psycopg.connect(database_url("postgres"), autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))


def connect() -> psycopg.Connection:
    connection = psycopg.connect(database_url(DB_NAME), autocommit=True)
    # Row texts include timestamps: render them the same way before and after.
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def table_columns(connection: psycopg.Connection) -> dict[str, tuple[str, ...]]:
    """Every table of the public schema with its columns, in their order."""
    rows = connection.execute(
        """
        SELECT c.table_name, c.column_name
        FROM information_schema.columns AS c
        JOIN information_schema.tables AS t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_name, c.ordinal_position
        """
    ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return {table: tuple(names) for table, names in columns.items()}


def count_rows(connection: psycopg.Connection, table: str) -> int:
    query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
    return connection.execute(query).fetchone()[0]


def measure(connection: psycopg.Connection, table: str, columns: tuple[str, ...]) -> TableState:
    """Exact row count and an md5 of the rows over `columns`, sorted by their text: no primary
    key is needed, and neither a rewritten table's physical order nor new columns matter."""
    query = sql.SQL(
        "SELECT count(*), md5(coalesce(string_agg(r, E'\\n' ORDER BY r COLLATE \"C\"), ''))"
        " FROM (SELECT ROW({columns})::text AS r FROM {table} {where}) AS rows"
    ).format(
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
        table=sql.Identifier(table),
        where=without_new_models(table),
    )
    rows, checksum = connection.execute(query).fetchone()
    return TableState(rows, checksum, columns)


def without_new_models(table: str) -> sql.Composable:
    """A WHERE clause leaving out the content types and permissions of NEW_MODELS."""
    new_types = sql.SQL(
        "SELECT id FROM django_content_type WHERE app_label || '.' || model = ANY({})"
    ).format(sql.Literal(sorted(NEW_MODELS)))
    if table == "django_content_type":
        return sql.SQL("WHERE id NOT IN ({})").format(new_types)
    if table == "auth_permission":
        return sql.SQL("WHERE content_type_id NOT IN ({})").format(new_types)
    return sql.SQL("")


def snapshot(connection: psycopg.Connection) -> dict[str, TableState]:
    return {
        table: measure(connection, table, CHECKSUM_COLUMNS.get(table, columns))
        for table, columns in table_columns(connection).items()
    }


def content_types(connection: psycopg.Connection) -> dict[int, str]:
    rows = connection.execute("SELECT id, app_label || '.' || model FROM django_content_type")
    return dict(rows.fetchall())


def applied_migrations(connection: psycopg.Connection) -> list[str]:
    rows = connection.execute("SELECT app || '.' || name FROM django_migrations ORDER BY id")
    return [name for (name,) in rows]


# --- the comparison ----------------------------------------------------------------------------


def compare(before: dict[str, TableState], connection: psycopg.Connection) -> list[Comparison]:
    """Each old table against what the database holds now, after the new migrations."""
    now = table_columns(connection)
    report = []
    for table, old in sorted(before.items()):
        target, note = table, ""
        new_name = RENAMED_TABLES.get(table)
        if new_name in now:
            # The move has landed, so the model reads the new table: the rows must be there,
            # not stranded under the old name beside an empty new table.
            target, note = new_name, f"now {new_name}"
            if table in now:
                note += f"; {table} left behind"
        elif new_name:
            note = f"not moved yet to {new_name}" if table in now else ""
        if target not in now:
            report.append(Comparison(table, old.rows, None, False, join(note, "table gone")))
            continue
        missing = [column for column in old.columns if column not in now[target]]
        if missing:
            gone = f"columns gone: {', '.join(missing)}"
            report.append(
                Comparison(table, old.rows, count_rows(connection, target), False, join(note, gone))
            )
            continue
        report.append(judge(table, old, measure(connection, target, old.columns), note))
    return report


def judge(table: str, old: TableState, after: TableState, note: str) -> Comparison:
    if table in GROWING_TABLES:
        ok = after.rows >= old.rows
        return Comparison(table, old.rows, after.rows, ok, join(note, "may grow, never shrink"))
    if after.rows != old.rows:
        return Comparison(table, old.rows, after.rows, False, join(note, "row count differs"))
    if after.checksum != old.checksum:
        return Comparison(table, old.rows, after.rows, False, join(note, "row contents differ"))
    return Comparison(table, old.rows, after.rows, True, note)


def join(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


def print_report(report: list[Comparison], extras: dict[str, list[str]]) -> None:
    width = max(len(line.table) for line in report)
    print(f"\n{'table':<{width}}  {'before':>7}  {'after':>7}  result")
    print(f"{'-' * width}  {'-' * 7}  {'-' * 7}  ------")
    for line in report:
        after = "-" if line.after is None else str(line.after)
        result = "OK" if line.ok else "FAIL"
        note = f"  ({line.note})" if line.note else ""
        print(f"{line.table:<{width}}  {line.before:>7}  {after:>7}  {result}{note}")
    print()
    for title, items in extras.items():
        print(f"{title}: {', '.join(items) or 'none'}")


# --- the whole check ---------------------------------------------------------------------------


def build_old_database(base: str, scratch: Path, url: str) -> None:
    """Migrate, seed and use the database with the base commit's own code."""
    with worktree_at(base, scratch) as old_tree:
        step(f"old code: {base} checked out in {old_tree}")
        env = code_env(tree=old_tree, database_url=url, var_dir=scratch / "var")
        check_imports_from(old_tree, env)
        manage(old_tree, env, "migrate", "--no-input")
        manage(old_tree, env, "seed_demo")
        output = manage(old_tree, env, "shell", "--no-imports", "--command", ACTIVITY)
        summary = next(line for line in output.splitlines() if line.startswith("ACTIVITY "))
        step(f"activity through the old services: {summary.removeprefix('ACTIVITY ')}")


def check(base: str, scratch: Path) -> bool:
    url = database_url(DB_NAME)
    commit = run(["git", "rev-parse", "--verify", f"{base}^{{commit}}"], cwd=REPO).strip()
    step(f"base commit {base} = {commit}; throwaway database {DB_NAME}")
    create_database()
    build_old_database(base, scratch, url)

    with connect() as connection:
        before = snapshot(connection)
        types_before = content_types(connection)
        migrations_before = set(applied_migrations(connection))
    step(f"recorded {len(before)} tables, {sum(s.rows for s in before.values())} rows")

    step(f"new code: migrate with {REPO}")
    new_env = code_env(tree=REPO, database_url=url, var_dir=scratch / "var")
    manage(REPO, new_env, "migrate", "--no-input")

    with connect() as connection:
        report = compare(before, connection)
        new_tables = [
            f"{table} ({count_rows(connection, table)} rows)"
            for table in table_columns(connection)
            if table not in before and table not in RENAMED_TABLES.values()
        ]
        types_after = content_types(connection)
        applied = [m for m in applied_migrations(connection) if m not in migrations_before]
    print_report(
        report,
        {
            "Migrations applied by the new code": applied,
            "New tables (not compared)": sorted(new_tables),
            "Content types relabelled (same id)": [
                f"{label} -> {types_after[pk]}"
                for pk, label in sorted(types_before.items())
                if pk in types_after and types_after[pk] != label
            ],
            "Content types added": sorted(
                label for pk, label in types_after.items() if pk not in types_before
            ),
        },
    )
    return all(line.ok for line in report)


def main(argv: list[str]) -> int:
    base = argv[1] if len(argv) > 1 else DEFAULT_BASE
    with tempfile.TemporaryDirectory(prefix="greenroom-upgrade-") as scratch:
        try:
            ok = check(base, Path(scratch))
        except psycopg.Error as error:
            print(f"\nUPGRADE CHECK FAILED: PostgreSQL: {error}", file=sys.stderr)
            return 1
        except StepFailed as error:
            print(f"\nUPGRADE CHECK FAILED: {error}", file=sys.stderr)
            if database_exists():
                print(f"(database {DB_NAME} kept for inspection)", file=sys.stderr)
            return 1
    if not ok:
        print(f"\nUPGRADE CHECK FAILED: rows lost or changed (database {DB_NAME} kept)")
        return 1
    drop_database()
    step(f"OK: every row written at {base} survived the new migrations; {DB_NAME} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
