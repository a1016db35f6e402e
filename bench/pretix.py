"""pretix beside Greenroom: the same flash sale against pretix's REST API (on demand, never in CI).

pretix is AGPL-licensed: nothing here imports it. It runs as separate processes from its own
virtualenv, outside the project's: `var/pretix-bench/venv`, made on first use with
`python -m venv` and `pip install pretix==2026.8.0 gunicorn` (a few minutes). Its config,
`var/pretix-bench/pretix.cfg`, points it at the PostgreSQL database `pretix_bench` (made and
migrated here; BENCH_PRETIX_DB_NAME to change) and, by default, at Redis for its cache
(BENCH_CACHE_URL's server and index), as pretix is run in production; with `redis=False` it
has no Redis, and its dummy cache makes every request read the event's settings from the
database. Celery is off, so pretix runs its tasks in the request, as it does for API order
creation anyway.

A sale is an organizer `bench` (made once, with a team and an API token), a new live event
with one admission product and one quota of the given size, sold through
`POST /api/v1/organizers/bench/events/<event>/orders/` (one position per seat).
bench/flash_sale.py's `--compare-pretix` drives it.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass

from bench.common import CACHE_URL, HOST, ROOT, Server, pg_connect

PRETIX_VERSION = "2026.8.0"
PRETIX_DIR = ROOT / "var" / "pretix-bench"
VENV = PRETIX_DIR / "venv"
CONFIG = PRETIX_DIR / "pretix.cfg"
DB_NAME = os.environ.get("BENCH_PRETIX_DB_NAME", "pretix_bench")
ORGANIZER = "bench"

CONFIG_TEMPLATE = """\
[pretix]
instance_name=pretix bench
url=http://{host}
currency=EUR
datadir={datadir}
trust_x_forwarded_for=on

[locale]
default=en
timezone=UTC

[database]
backend=postgresql
name={db}
user=postgres
host={host}
port=5432

{redis}
[mail]
from=bench@localhost
host={host}
port=1

[django]
debug=off
"""

# Run by pretix's own interpreter (its ORM, in its venv); prints the sale as JSON.
SETUP_SCRIPT = """
import datetime as dt, json, sys
from decimal import Decimal
import django
django.setup()
from django_scopes import scopes_disabled
from pretix.base.models import Event, Item, Organizer, Quota, Team

organizer_slug, label, seats = sys.argv[1], sys.argv[2], int(sys.argv[3])
with scopes_disabled():
    organizer, _ = Organizer.objects.get_or_create(slug=organizer_slug, defaults={"name": "Bench"})
    team, _ = Team.objects.get_or_create(
        organizer=organizer, name="API",
        defaults={"all_events": True, "all_event_permissions": True,
                  "all_organizer_permissions": True},
    )
    token = team.tokens.first() or team.tokens.create(name="bench")
    event = Event.objects.create(
        organizer=organizer, name=f"Flash sale {label}", slug=label, currency="EUR",
        date_from=dt.datetime(2031, 3, 3, 9, tzinfo=dt.timezone.utc), live=True,
    )
    event.settings.set("locales", ["en"])
    item = Item.objects.create(
        event=event, name="General Admission", default_price=Decimal("125.00"), admission=True,
    )
    quota = Quota.objects.create(event=event, name="Seats", size=seats)
    quota.items.add(item)
print(json.dumps({"organizer": organizer.slug, "event": event.slug, "item": item.pk,
                  "quota": quota.pk, "token": token.token}))
"""


@dataclass(frozen=True)
class PretixSale:
    organizer: str
    event: str
    item: int
    quota: int
    token: str

    @property
    def orders_path(self) -> str:
        return f"/api/v1/organizers/{self.organizer}/events/{self.event}/orders/"


def environment() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return {**env, "PRETIX_CONFIG_FILE": str(CONFIG), "DJANGO_SETTINGS_MODULE": "pretix.settings"}


def run(*args: str, what: str, timeout: float = 1800) -> str:
    """Run a command of pretix's venv; exits the benchmark, naming `what` failed, if it does."""
    done = subprocess.run(  # noqa: S603 - fixed argument lists
        args, cwd=PRETIX_DIR, env=environment(), capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip
    if done.returncode:
        sys.exit(f"pretix: {what} failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n"
                 f"{done.stderr[-3000:]}")  # fmt: skip
    return done.stdout


def installed_version() -> str:
    if not (VENV / "bin" / "python").exists():
        return ""
    done = subprocess.run(  # noqa: S603 - fixed argument list
        [str(VENV / "bin" / "python"), "-c",
         "from importlib.metadata import version; print(version('pretix'))"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout.strip()


def ensure_installed() -> None:
    """pretix in its own venv (outside the project's), installed from PyPI on first use."""
    if installed_version() == PRETIX_VERSION:
        return
    PRETIX_DIR.mkdir(parents=True, exist_ok=True)
    print(f"installing pretix {PRETIX_VERSION} into {VENV} (a few minutes, once)")
    run(sys.executable, "-m", "venv", str(VENV), what="python -m venv")
    run(str(VENV / "bin" / "pip"), "install", "-q", f"pretix=={PRETIX_VERSION}", "gunicorn",
        what=f"pip install pretix=={PRETIX_VERSION}")  # fmt: skip


def prepare(*, redis: bool = True) -> None:
    """Install pretix if needed, write its config (Redis for its cache, or none), create and
    migrate its database."""
    ensure_installed()
    (PRETIX_DIR / "data").mkdir(parents=True, exist_ok=True)
    redis = f"[redis]\nlocation={CACHE_URL}\n" if redis else ""
    CONFIG.write_text(
        CONFIG_TEMPLATE.format(host=HOST, datadir=PRETIX_DIR / "data", db=DB_NAME, redis=redis)
    )
    with pg_connect("postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    run(str(VENV / "bin" / "python"), "-m", "pretix", "migrate", "--no-input",
        what="python -m pretix migrate")  # fmt: skip
    print(
        f"pretix {PRETIX_VERSION} ready: database {DB_NAME}, config {CONFIG}, "
        + (f"Redis cache {CACHE_URL}" if redis else "no Redis (dummy cache)")
    )


def create_sale(label: str, *, seats: int) -> PretixSale:
    """A new live event with one product on a quota of `seats`, and the bench API token."""
    out = run(str(VENV / "bin" / "python"), "-c", SETUP_SCRIPT, ORGANIZER, label, str(seats),
              what="creating the organizer, event, product, quota and token")  # fmt: skip
    return PretixSale(**json.loads(out.strip().splitlines()[-1]))


def server(workers: int) -> Server:
    """pretix under gunicorn (sync workers, like Greenroom's), from its venv."""
    return Server(
        workers,
        app="pretix.wsgi",
        gunicorn=VENV / "bin" / "gunicorn",
        env=environment(),
        cwd=PRETIX_DIR,
        ready_path="/",  # its index page: /healthcheck/ fails with no cache server
        label="pretix",
    )


def backends() -> list[int]:
    """PostgreSQL backends connected to pretix's database."""
    with pg_connect("postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [DB_NAME],
        ).fetchall()
    return [pid for (pid,) in rows]


def seats_sold(sale: PretixSale) -> dict:
    """Orders and positions of the sale's event in pretix's database (read with SQL)."""
    with pg_connect(DB_NAME) as conn:
        orders, positions = conn.execute(
            "SELECT count(DISTINCT o.id), count(p.id) FROM pretixbase_order o "
            "JOIN pretixbase_event e ON e.id = o.event_id "
            "JOIN pretixbase_orderposition p ON p.order_id = o.id "
            "WHERE e.slug = %s AND o.status IN ('n', 'p')",
            [sale.event],
        ).fetchone()
    return {"orders": orders, "held": positions}
