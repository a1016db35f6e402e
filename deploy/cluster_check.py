"""`make cluster-check`: the deployment of deploy/ on one machine, proven under faults.

    .venv/bin/python deploy/cluster_check.py [--size small|full]     (make cluster-check SIZE=…)

Starts, on 127.0.0.1 only (ports 18700–18799): PgBouncer (deploy/pgbouncer.ini, transaction
pooling) in front of PostgreSQL's database `greenroom_cluster`; localstripe with the webhook
registered; two app servers (gunicorn with deploy/gunicorn.conf.py, production settings by way
of deploy/cluster_settings.py, test Stripe keys); HAProxy (deploy/haproxy.cfg) in front of them;
two Celery workers on every queue and one beat, on Redis (cache index 8, broker index 9). Then:

1. a flash sale through the load balancer (bench/flash_sale.py's buyers): 0 oversold; every
   order paid by a signed payment_intent.succeeded, each delivered twice through the load
   balancer, is fulfilled once with exactly one e-mail;
2. one app server SIGKILLed mid-sale: the load balancer routes around it, no order is lost or
   half-written, buyers retrying with their Idempotency-Key get their order; the server comes
   back; those orders are paid the real way (the API, localstripe, its signed webhooks);
3. on each queue, a worker SIGKILLed in the middle of a task: the task completes once, on the
   other worker;
4. agenda reads through the load balancer: both servers answer from the shared cache.

It prints the figures and a summary, stops everything it started by process group (on
failure too) and exits non-zero if any check failed.
"""

import argparse
import asyncio
import atexit
import configparser
import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess  # nosec B404  # starts the cluster's own processes, fixed arguments
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_string
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import CpuMeter, postgres_backends, processes_where  # noqa: E402
from bench.flash_sale import (  # noqa: E402
    Load,
    check_database,
    create_event,
    greenroom_shop,
    run_sale,
)
from config.celery import TASK_QUEUES as QUEUES  # noqa: E402
from config.rundev import register_webhook, start_localstripe, stop_process  # noqa: E402

HOST = "127.0.0.1"
LB_PORT = 18700
PGBOUNCER_PORT = 18701
LOCALSTRIPE_PORT = 18702
WEB_PORTS = {"web1": 18711, "web2": 18712}
DB_NAME = "greenroom_cluster"
POSTGRES_URL = f"postgres://postgres@{HOST}:5432/{DB_NAME}"
CACHE_URL = f"redis://{HOST}:6379/8"
BROKER_URL = f"redis://{HOST}:6379/9"
STRIPE_SECRET_KEY = "sk_test_greenroom_cluster"  # noqa: S105  # nosec B105  # localstripe's
WEBHOOK_SECRET = f"whsec_{secrets.token_hex(16)}"
WORKERS = ("worker1", "worker2")
# Seconds: a busy, shared 2-core machine starts Python, Django and Celery slowly.
START_SECONDS = 120
SETTLE_SECONDS = 300
VISIBILITY_TIMEOUT = 20
MAIL_SEPARATOR = "\n" + "-" * 79 + "\n"


@dataclass(frozen=True)
class Size:
    seats: int
    buyers: int
    kill_seats: int  # the sale during which an app server is killed
    kill_buyers: int


SIZES = {
    "small": Size(seats=200, buyers=20, kill_seats=120, kill_buyers=12),
    "full": Size(seats=1000, buyers=50, kill_seats=500, kill_buyers=30),
}


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_until(condition, *, seconds: float, what: str, process=None) -> None:
    """Poll `condition` until true; fail after `seconds`, or at once if `process` exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and not process.running():
            raise CheckFailed(f"{process.name} exited while waiting for {what}:\n{process.tail()}")
        time.sleep(0.2)
    tail = f"\n{process.tail()}" if process is not None else ""
    raise CheckFailed(f"timed out after {seconds:.0f} s waiting for {what}{tail}")


class CheckFailed(Exception):
    """A step of the check could not be carried out (not a failed proof: those are rows)."""


# --- processes -------------------------------------------------------------------------------


class Process:
    """A child in a process group of its own, its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path) -> None:
        self.name, self.command, self.env = name, command, env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(  # noqa: S603  # nosec B603  # our own commands
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self, chars: int = 3000) -> str:
        return self.log()[-chars:]

    def kill(self) -> None:
        """SIGKILL to the whole group (a gunicorn master and its workers, a Celery worker and
        its pool): no warm shutdown, nothing acknowledged or tidied up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self) -> None:
        if self.popen is not None:
            stop_process(self.popen)


def http(
    method: str, url: str, *, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, Message, bytes]:
    """(status, headers (case-insensitive), body) of one request."""
    request = urllib.request.Request(  # noqa: S310  # our own loopback servers
        url, data=body, method=method, headers={"Accept": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # nosec B310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def answers_200(url: str) -> bool:
    try:
        return http("GET", url)[0] == 200
    except OSError:
        return False


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As the servers bind: connections of an earlier run in TIME_WAIT do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


class Cluster:
    """Starts the processes, keeps them in `started`, stops them all (by process group)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.logs = workdir / "logs"
        self.logs.mkdir()
        self.mail_dir = workdir / "mail"
        self.mail_dir.mkdir()
        self.started: list[Process] = []
        self.localstripe: subprocess.Popen | None = None
        self.webs: dict[str, Process] = {}
        self.workers: dict[str, Process] = {}
        self.stats_socket = workdir / "haproxy.sock"
        self.env = self.app_env()

    # environment

    def app_env(self) -> dict:
        python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        return {
            **os.environ,
            "PYTHONPATH": python_path,
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "deploy.cluster_settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "DATABASE_URL": f"postgres://postgres@{HOST}:{PGBOUNCER_PORT}/{DB_NAME}",
            "DATABASE_POOLER": "pgbouncer",
            "CACHE_URL": CACHE_URL,
            "CELERY_BROKER_URL": BROKER_URL,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "GREENROOM_VAR_DIR": str(self.workdir / "var"),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "STRIPE_SECRET_KEY": STRIPE_SECRET_KEY,
            "STRIPE_PUBLISHABLE_KEY": "pk_test_greenroom_cluster",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": f"http://{HOST}:{LOCALSTRIPE_PORT}",
            "SITE_URL": f"http://{HOST}:{LB_PORT}",
            "PAYMENTS_SIMULATED": "1",
            "NUM_PROXIES": "1",
            # Every buyer of the load test comes from this machine: the per-client limits
            # would stop the sale, not test the cluster.
            "THROTTLE_ANON": "100000000/min",
            "THROTTLE_USER": "100000000/min",
            "THROTTLE_ORDERS": "100000000/min",
            "MAX_HELD_PASSES_PER_NETWORK": "0",
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "WARNING",
        }

    def process(self, name: str, command: list[str], env: dict | None = None) -> Process:
        process = Process(name, command, env or self.env, self.logs).start()
        self.started.append(process)
        return process

    # the parts

    def start_pgbouncer(self) -> None:
        directory = self.workdir / "pgbouncer"
        directory.mkdir()
        config = configparser.ConfigParser(interpolation=None)
        config.read(ROOT / "deploy" / "pgbouncer.ini")
        config["databases"] = {DB_NAME: f"host={HOST} port=5432 dbname={DB_NAME}"}
        config["pgbouncer"].update(
            listen_addr=HOST,
            listen_port=str(PGBOUNCER_PORT),
            auth_type="trust",  # the loopback, as PostgreSQL itself is set up here
            auth_file=str(directory / "userlist.txt"),
            logfile=str(directory / "pgbouncer.log"),
            pidfile=str(directory / "pgbouncer.pid"),
            default_pool_size="10",
        )
        (directory / "userlist.txt").write_text('"postgres" ""\n')
        with (directory / "pgbouncer.ini").open("w") as out:
            config.write(out)
        command = ["pgbouncer"]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            shutil.chown(directory, "postgres")
            for path in directory.iterdir():
                shutil.chown(path, "postgres")
            command += ["-u", "postgres"]
        process = self.process("pgbouncer", [*command, str(directory / "pgbouncer.ini")])

        def answers() -> bool:
            import psycopg

            try:
                with psycopg.connect(
                    host=HOST, port=PGBOUNCER_PORT, user="postgres", dbname=DB_NAME,
                    connect_timeout=3, prepare_threshold=None,
                ) as conn:  # fmt: skip
                    return conn.execute("SELECT 1").fetchone() == (1,)
            except psycopg.Error:
                return False

        wait_until(answers, seconds=START_SECONDS, what="PgBouncer", process=process)
        say(f"PgBouncer (pid {process.pid}) on {HOST}:{PGBOUNCER_PORT}, transaction pooling")

    def start_localstripe(self) -> None:
        children: list[subprocess.Popen] = []
        try:
            self.localstripe, base = start_localstripe(LOCALSTRIPE_PORT, children)
        finally:
            if children:
                self.localstripe = children[0]
        register_webhook(
            base, url=f"http://{HOST}:{LB_PORT}/api/v1/webhooks/stripe/", secret=WEBHOOK_SECRET
        )
        say(f"localstripe (pid {self.localstripe.pid}) on {base}, webhook to the load balancer")

    def start_web(self, name: str) -> Process:
        env = {**self.env, "GUNICORN_BIND": f"{HOST}:{WEB_PORTS[name]}", "GUNICORN_PROC_NAME": name}
        process = self.process(
            name,
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
            env,
        )
        self.webs[name] = process
        wait_until(
            lambda: answers_200(f"http://{HOST}:{WEB_PORTS[name]}/healthz"),
            seconds=START_SECONDS, what=f"{name} /healthz", process=process,
        )  # fmt: skip
        say(f"{name}: gunicorn (pid {process.pid}, 2 workers) on {HOST}:{WEB_PORTS[name]}")
        return process

    def start_haproxy(self) -> None:
        env = {
            **os.environ,
            "GREENROOM_LB_BIND": f"{HOST}:{LB_PORT}",
            "GREENROOM_WEB1": f"{HOST}:{WEB_PORTS['web1']}",
            "GREENROOM_WEB2": f"{HOST}:{WEB_PORTS['web2']}",
            "GREENROOM_WEB_MAXCONN": self.env["WEB_CONCURRENCY"],
            "GREENROOM_HOST": HOST,
            "GREENROOM_STATS_SOCKET": str(self.stats_socket),
        }
        process = self.process(
            "haproxy", ["haproxy", "-db", "-f", str(ROOT / "deploy" / "haproxy.cfg")], env
        )
        wait_until(
            lambda: self.stats_socket.exists() and self.servers_up() == {"web1", "web2"},
            seconds=START_SECONDS, what="HAProxy with both servers up", process=process,
        )  # fmt: skip
        say(f"HAProxy (pid {process.pid}) on {HOST}:{LB_PORT} in front of web1 and web2")

    def start_worker(self, name: str) -> Process:
        process = self.process(
            name,
            [str(ROOT / ".venv/bin/celery"), "-A", "config", "worker",
             f"--queues={','.join(QUEUES)}", f"--hostname={name}@cluster", "--concurrency=1",
             "--prefetch-multiplier=1", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=INFO"],
        )  # fmt: skip
        self.workers[name] = process
        wait_until(
            lambda: " ready." in process.log(),
            seconds=START_SECONDS, what=f"{name} ready", process=process,
        )  # fmt: skip
        say(f"{name}: Celery worker (pid {process.pid}) on queues {', '.join(QUEUES)}")
        return process

    def start_beat(self) -> None:
        process = self.process(
            "beat",
            [str(ROOT / ".venv/bin/celery"), "-A", "config", "beat", "--loglevel=INFO",
             f"--schedule={self.workdir / 'celerybeat-schedule'}"],
        )  # fmt: skip
        wait_until(
            lambda: "beat: Starting" in process.log(),
            seconds=START_SECONDS, what="beat", process=process,
        )  # fmt: skip
        say(f"beat (pid {process.pid}): the one scheduler")

    # HAProxy's runtime API

    def haproxy(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(10)
            client.connect(str(self.stats_socket))
            client.sendall(f"{command}\n".encode())
            chunks = []
            while chunk := client.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def server_stats(self) -> dict[str, dict]:
        """`show stat` of the app backend's servers, by name."""
        try:
            lines = self.haproxy("show stat").splitlines()
        except OSError:
            return {}
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {
            row["svname"]: row
            for row in rows
            if row.get("pxname") == "app" and row["svname"] in WEB_PORTS
        }

    # CPU accounting

    def cpu_groups(self) -> dict:
        """Pids by kind of process, for bench.common.CpuMeter: each started process's whole
        group (a gunicorn master and its workers…), and the database's backends."""

        def groups_of(*names: str):
            leaders = [process.pid for process in self.started if process.name in names]
            return lambda: processes_where(lambda stat: stat["pgrp"] in leaders)

        return {
            "app servers": groups_of(*WEB_PORTS),
            "HAProxy": groups_of("haproxy"),
            "PgBouncer": groups_of("pgbouncer"),
            "PostgreSQL": lambda: postgres_backends(DB_NAME),
            "workers and beat": groups_of(*self.workers, "beat"),
            "load client": lambda: [os.getpid()],
        }

    def servers_up(self) -> set[str]:
        return {name for name, row in self.server_stats().items() if row["status"] == "UP"}

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop()
        if self.localstripe is not None:
            stop_process(self.localstripe)


# --- the database and Django in this process ----------------------------------------------------


def prepare_database(env: dict) -> None:
    import psycopg

    with psycopg.connect(host=HOST, port=5432, user="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    started = time.monotonic()
    migrate_env = {
        **env,
        "DATABASE_URL": POSTGRES_URL,
        "DATABASE_POOLER": "",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    done = subprocess.run(  # nosec B603  # our own manage.py
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=ROOT, env=migrate_env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise CheckFailed(f"migrate failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    with psycopg.connect(host=HOST, port=5432, user="postgres", dbname=DB_NAME) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS cluster_probe_run (id bigserial PRIMARY KEY, "
            "probe_id text NOT NULL, hostname text NOT NULL, step text NOT NULL, "
            "at timestamptz NOT NULL DEFAULT now())"
        )
    say(f"database {DB_NAME} migrated in {time.monotonic() - started:.1f} s")


def setup_django(env: dict) -> None:
    """Django in this process on the database directly (the checker is not part of the
    cluster), with the cluster's cache and broker, to make data and read the outcome."""
    os.environ.update(
        {
            **{k: v for k, v in env.items() if k not in ("DJANGO_SETTINGS_MODULE",)},
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": POSTGRES_URL,
            "DATABASE_POOLER": "",
        }
    )
    import django

    django.setup()


def flush_redis() -> None:
    import redis

    for url in (CACHE_URL, BROKER_URL):
        redis.Redis.from_url(url).flushdb()


# --- e-mail ------------------------------------------------------------------------------------


def mail_subjects(mail_dir: Path) -> list[str]:
    """Subjects of every e-mail the file backend wrote (one file per connection)."""
    return [
        str(message_from_string(chunk)["Subject"])
        for path in sorted(mail_dir.glob("*.log"))
        for chunk in path.read_text(errors="replace").split(MAIL_SEPARATOR)
        if chunk.strip()
    ]


def emails_per_order(mail_dir: Path, codes) -> Counter:
    subjects = mail_subjects(mail_dir)
    return Counter({code: sum(code in subject for subject in subjects) for code in codes})


# --- results -------------------------------------------------------------------------------------


@dataclass
class Results:
    rows: list[tuple[str, bool, str]] = field(default_factory=list)

    def add(self, what: str, passed: bool, figures: str) -> None:
        self.rows.append((what, passed, figures))
        say(f"{'PASS' if passed else 'FAIL'}  {what}: {figures}")

    @property
    def passed(self) -> bool:
        return bool(self.rows) and all(passed for _, passed, _ in self.rows)

    def print_summary(self) -> None:
        width = max(len(what) for what, _, _ in self.rows)
        print()
        print("cluster-check summary")
        print(f"  {'check':<{width}}  result  figures")
        for what, passed, figures in self.rows:
            print(f"  {what:<{width}}  {'pass' if passed else 'FAIL':<6}  {figures}")


# --- 1. the flash sale and its payments ----------------------------------------------------------


def intent_succeeded(order) -> bytes:
    """payment_intent.succeeded for `order`, as Stripe sends it for a PaymentSheet payment
    (built by the webhook tests' helpers, so both send the same shape)."""
    from tests.tickets.test_webhooks import intent_succeeded as event_for

    return json.dumps(event_for(order, intent_id=f"pi_cluster_{order.code}")).encode()


async def deliver_webhooks(payloads: list[bytes], *, copies: int, concurrency: int) -> list:
    """POST each payload `copies` times, signed, to the load balancer; (outcome, server) each."""
    import aiohttp

    from tests.tickets.conftest import sign_payload

    url = f"http://{HOST}:{LB_PORT}/api/v1/webhooks/stripe/"
    jobs = [payload for payload in payloads for _ in range(copies)]
    answers = []
    limit = asyncio.Semaphore(concurrency)

    async def deliver(session, payload: bytes) -> None:
        async with limit:
            for _ in range(10):  # as Stripe, deliver again after a 5xx or a lost connection
                headers = {
                    "Stripe-Signature": sign_payload(payload, secret=WEBHOOK_SECRET),
                    "Content-Type": "application/json",
                }
                try:
                    async with session.post(url, data=payload, headers=headers) as response:
                        body = await response.json(content_type=None)
                        if response.status < 500:
                            answers.append(
                                (body.get("outcome", response.status), response.headers.get(
                                    "X-Served-By", "?"))
                            )  # fmt: skip
                            return
                except (aiohttp.ClientError, TimeoutError, ValueError):
                    pass
                await asyncio.sleep(0.5)
            answers.append(("undelivered", "-"))

    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(deliver(session, payload) for payload in jobs))
    return answers


def wait_for_fulfilment(cluster: Cluster, order_ids: list[int]) -> None:
    from tickets.models import Order, OrderStatus

    def done() -> bool:
        orders = Order.objects.filter(pk__in=order_ids)
        return orders.filter(
            status=OrderStatus.PAID, confirmation_sent_at__isnull=False
        ).count() == len(order_ids)

    wait_until(done, seconds=SETTLE_SECONDS, what="every order paid and confirmed")


def check_fulfilment(cluster: Cluster, results: Results, label: str, order_ids) -> None:
    """Every order paid, its tickets issued once, one payment recorded, one e-mail."""
    from django.db.models import Sum

    from tickets.models import Order, OrderLine, OrderStatus, Payment, PaymentStatus, Ticket

    orders = list(Order.objects.filter(pk__in=order_ids))
    seats = dict(
        OrderLine.objects.filter(order_id__in=order_ids)
        .values_list("order_id")
        .annotate(n=Sum("quantity"))
    )
    issued = Counter(
        Ticket.objects.filter(order_id__in=order_ids).values_list("order_id", flat=True)
    )
    paid = [o for o in orders if o.status == OrderStatus.PAID]
    wrong_tickets = [o.code for o in orders if issued[o.pk] != seats.get(o.pk)]
    succeeded = Counter(
        Payment.objects.filter(order_id__in=order_ids, status=PaymentStatus.SUCCEEDED).values_list(
            "order_id", flat=True
        )
    )
    twice_paid = [order_id for order_id, n in succeeded.items() if n != 1]
    # The mail worker may still be writing the last file; the claims are all in already.
    wait_until(
        lambda: sum(emails_per_order(cluster.mail_dir, [o.code for o in orders]).values())
        >= len(orders),
        seconds=60, what="the e-mail files",
    )  # fmt: skip
    mails = emails_per_order(cluster.mail_dir, [o.code for o in orders])
    not_one_mail = [code for code, n in mails.items() if n != 1]
    results.add(
        f"{label}: fulfilled once, one e-mail",
        len(paid) == len(orders) and not wrong_tickets and not twice_paid and not not_one_mail,
        f"{len(paid)}/{len(orders)} orders paid, {sum(issued.values())} tickets "
        f"for {sum(seats.values())} seats, orders with other than 1 payment: "
        f"{len(twice_paid)}, e-mails {sum(mails.values())} (orders without exactly one: "
        f"{len(not_one_mail)})",
    )


def flash_sale(cluster: Cluster, results: Results, size: Size) -> None:
    from tickets.models import Order

    event, pass_type = create_event("cluster", seats=size.seats, max_per_order=4)
    before = cluster.server_stats()
    shop = greenroom_shop(f"http://127.0.0.1:{LB_PORT}", event.slug, pass_type.pk, keys=True)
    load = Load(buyers=size.buyers, time_limit=240, seed=1, max_per_order=4, busy_sleep=0.05)
    say(f"flash sale: {size.buyers} buyers, {size.seats} seats, through the load balancer")
    meter = CpuMeter(cluster.cpu_groups())
    meter.start()
    sale = asyncio.run(run_sale(shop, load))
    meter.stop()
    after = cluster.server_stats()
    served = {
        name: int(after[name]["stot"]) - int(before.get(name, {}).get("stot", 0))
        for name in WEB_PORTS
    }
    db = check_database(event, pass_type, size.seats)
    placed = [a for a in sale["attempts"] if a.status == 201]
    seconds = max(a.received for a in placed) - sale["started"] if placed else float("nan")
    statuses = Counter(f"{a.status} {a.code}".strip() for a in sale["attempts"])
    # The app's own refusals carry a code (503 busy: the inventory lock timed out); a 5xx
    # without one came from the load balancer: no server could take the request.
    lb_errors = sum(n for answer, n in statuses.items() if answer[0] == "5" and " " not in answer)
    results.add(
        "flash sale through the LB: 0 oversold",
        db["oversold"] == 0
        and db["held"] == size.seats
        and db["orders"] == len(placed)
        and db["counter"] == "agrees with the orders"
        and all(served.values())
        and not lb_errors
        and not sale["errors"],
        f"{len(placed)} orders, {db['held']}/{size.seats} seats in {seconds:.1f} s "
        f"({len(placed) / seconds:.1f} orders/s), oversold {db['oversold']}, counter "
        f"{db['counter']}, answers "
        f"{dict(sorted(statuses.items()))}, requests per server {served}, client errors "
        f"{len(sale['errors'])}; {cpu_per_order(meter, len(placed))}",
    )
    orders = list(Order.objects.filter(event=event))
    say(f"paying {len(orders)} orders: payment_intent.succeeded, each delivered twice")
    answers = asyncio.run(
        deliver_webhooks([intent_succeeded(o) for o in orders], copies=2, concurrency=size.buyers)
    )
    outcomes = Counter(outcome for outcome, _ in answers)
    by_server = Counter(server for _, server in answers)
    results.add(
        "signed webhooks at either server",
        outcomes == Counter({"fulfilled": len(orders), "duplicate": len(orders)})
        and all(by_server.get(name) for name in WEB_PORTS),
        f"{len(answers)} deliveries: {dict(outcomes)}; by server {dict(sorted(by_server.items()))}",
    )
    wait_for_fulfilment(cluster, [o.pk for o in orders])
    check_fulfilment(cluster, results, "flash-sale orders", [o.pk for o in orders])


def cpu_per_order(meter: CpuMeter, orders: int) -> str:
    """CPU ms per order placed of each kind of process, and how busy the machine was."""
    shares = ", ".join(
        f"{label} {seconds * 1000 / max(orders, 1):.1f}" for label, seconds in meter.used.items()
    )
    return (
        f"CPU ms per order: {shares}; machine {meter.machine:.0%} busy, "
        f"loadavg {os.getloadavg()[0]:.2f}"
    )


# --- 2. an app server killed mid-sale ----------------------------------------------------------


@dataclass
class Purchase:
    key: str
    quantity: int
    email: str
    code: str = ""
    secret: str = ""
    tries: int = 0
    failures: Counter = field(default_factory=Counter)
    replayed: bool = False


async def retrying_buyers(event_slug: str, pass_type_id: int, size: Size, on_sold) -> list:
    """Buyers who, when an order gets no answer (a lost connection, a 502/503), send it again
    with the same Idempotency-Key until they get the order or sold_out."""
    import aiohttp

    url = f"http://{HOST}:{LB_PORT}/api/v1/orders/"
    purchases: list[Purchase] = []
    sold_out = asyncio.Event()

    async def buyer(number: int, session) -> None:
        for order_number in range(10_000):
            if sold_out.is_set():
                return
            purchase = Purchase(
                key=uuid.uuid4().hex,
                quantity=1 + (number + order_number) % 4,
                email=f"kill{number:03}-{order_number}@cluster.example.com",
            )
            purchases.append(purchase)
            body = {
                "event": event_slug,
                "lines": [{"pass_type": pass_type_id, "quantity": purchase.quantity}],
                "email": purchase.email,
            }
            while purchase.tries < 50:
                purchase.tries += 1
                try:
                    async with session.post(
                        url, json=body, headers={"Idempotency-Key": purchase.key}
                    ) as response:
                        raw = await response.read()
                        status = response.status
                        replayed = response.headers.get("Idempotent-Replayed") == "true"
                except (aiohttp.ClientError, TimeoutError) as error:
                    purchase.failures[type(error).__name__] += 1
                    await asyncio.sleep(0.2)
                    continue
                try:
                    answer = json.loads(raw)
                except ValueError:
                    answer = {"code": "not JSON"}  # the load balancer's own error page
                if status == 201:
                    purchase.code, purchase.secret = answer["code"], answer["key"]
                    purchase.replayed = replayed
                    on_sold(purchase.quantity)
                    break
                if status == 409 and answer.get("code") == "sold_out":
                    if not any((answer.get("available") or {}).values()):
                        sold_out.set()
                    break
                purchase.failures[f"{status} {answer.get('code', '')}".strip()] += 1
                await asyncio.sleep(0.2)

    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(buyer(n, session) for n in range(size.kill_buyers)))
    return purchases


def kill_app_server(cluster: Cluster, results: Results, size: Size) -> tuple:
    from django.db.models import Count, Sum

    from tickets.models import Order, OrderLine

    event, pass_type = create_event("cluster-kill", seats=size.kill_seats, max_per_order=4)
    sold = [0]
    killed_at = []

    def on_sold(quantity: int) -> None:
        sold[0] += quantity
        if not killed_at and sold[0] >= size.kill_seats // 3:
            killed_at.append(sold[0])
            cluster.webs["web1"].kill()
            say(f"SIGKILLed web1 (gunicorn master and workers) after {sold[0]} seats sold")

    say(f"sale of {size.kill_seats} seats by {size.kill_buyers} retrying buyers; web1 dies")
    purchases = asyncio.run(retrying_buyers(event.slug, pass_type.pk, size, on_sold))
    wait_until(
        lambda: cluster.servers_up() == {"web2"}, seconds=30, what="HAProxy to mark web1 down"
    )
    placed = [p for p in purchases if p.code]
    failures = sum((p.failures for p in purchases), Counter())
    retried = [p for p in placed if p.failures]
    db_orders = {
        o.code: o
        for o in Order.objects.filter(event=event).annotate(
            seats=Sum("lines__quantity"), line_count=Count("lines")
        )
    }
    held = OrderLine.objects.filter(order__event=event).aggregate(n=Sum("quantity"))["n"] or 0
    lost = [p.code for p in placed if p.code not in db_orders]
    unknown = set(db_orders) - {p.code for p in placed}
    # Half-written: an order without its lines, or with other seats than its buyer asked for.
    half_written = [p.code for p in placed if p.code in db_orders and (
        db_orders[p.code].line_count == 0 or db_orders[p.code].seats != p.quantity)]  # fmt: skip
    results.add(
        "app server SIGKILLed mid-sale",
        bool(killed_at)
        and held <= size.kill_seats
        and not lost
        and not unknown
        and not half_written,
        f"killed after {killed_at[0] if killed_at else '-'} seats; {len(placed)} orders, "
        f"{held}/{size.kill_seats} seats held; failed tries seen by buyers "
        f"{dict(failures) or 'none'}; orders lost {len(lost)}, in the DB but unknown to their "
        f"buyer {len(unknown)}, half-written {len(half_written)}; "
        f"HAProxy now: up {sorted(cluster.servers_up())}",
    )
    # Every buyer sends the order once more with their key: the same order, never a second.
    replays = asyncio.run(replay_orders(event.slug, pass_type.pk, placed))
    same = sum(1 for purchase, (status, code, replayed) in zip(placed, replays, strict=True)
               if status == 201 and code == purchase.code and replayed)  # fmt: skip
    after = Order.objects.filter(event=event).count()
    results.add(
        "retry with the same Idempotency-Key",
        same == len(placed) and after == len(db_orders),
        f"{len(retried)} buyers got their order only on a retry "
        f"({sum(p.replayed for p in retried)} of them as a replay of the order web1 had "
        f"placed); replaying all {len(placed)}: {same} got the same order back, orders in the "
        f"DB {len(db_orders)} -> {after}",
    )
    return event, placed


async def replay_orders(event_slug: str, pass_type_id: int, placed: list[Purchase]) -> list:
    import aiohttp

    url = f"http://{HOST}:{LB_PORT}/api/v1/orders/"
    limit = asyncio.Semaphore(10)

    async def replay(session, purchase: Purchase):
        body = {
            "event": event_slug,
            "lines": [{"pass_type": pass_type_id, "quantity": purchase.quantity}],
            "email": purchase.email,
        }
        async with (
            limit,
            session.post(url, json=body, headers={"Idempotency-Key": purchase.key}) as response,
        ):
            answer = await response.json(content_type=None)
            return (
                response.status,
                answer.get("code"),
                response.headers.get("Idempotent-Replayed") == "true",
            )

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        return await asyncio.gather(*(replay(session, p) for p in placed))


def restart_web1(cluster: Cluster, results: Results) -> None:
    started = time.monotonic()
    cluster.start_web("web1")
    wait_until(
        lambda: cluster.servers_up() == {"web1", "web2"},
        seconds=START_SECONDS, what="HAProxy to take web1 back",
    )  # fmt: skip
    results.add(
        "killed server back in rotation",
        True,
        f"web1 restarted and marked up by the health checks in {time.monotonic() - started:.1f} s",
    )


def pay_through_localstripe(cluster: Cluster, results: Results, placed: list[Purchase]) -> None:
    """The real chain: our API creates the PaymentIntent at localstripe, the 'phone' confirms
    it with a test card, localstripe sends its signed webhook to the load balancer."""
    from tickets.models import Order

    base = f"http://{HOST}:{LOCALSTRIPE_PORT}"
    stripe_auth = {"Authorization": f"Bearer {STRIPE_SECRET_KEY}"}
    say(f"paying {len(placed)} orders through the API and localstripe")
    for purchase in placed:
        status, _, body = http(
            "POST",
            f"http://{HOST}:{LB_PORT}/api/v1/orders/{purchase.code}/pay/?key={purchase.secret}",
            body=json.dumps({"flow": "payment_sheet"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        if status != 200:
            raise CheckFailed(f"paying {purchase.code} answered {status}: {body[:300]!r}")
        intent = json.loads(body)["client_secret"].split("_secret_")[0]
        http(
            "POST", f"{base}/v1/payment_intents/{intent}", headers=stripe_auth,
            body=b"payment_method=pm_card_visa",
        )  # fmt: skip
        http("POST", f"{base}/v1/payment_intents/{intent}/confirm", headers=stripe_auth, body=b"")
    order_ids = list(Order.objects.filter(code__in=[p.code for p in placed]).values_list(
        "pk", flat=True))  # fmt: skip
    wait_for_fulfilment(cluster, order_ids)
    check_fulfilment(cluster, results, "orders of the kill, paid via localstripe", order_ids)


# --- 3. a worker killed mid-task on each queue -----------------------------------------------


def probe_runs(probe_id: str) -> list[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT hostname, step FROM cluster_probe_run WHERE probe_id = %s ORDER BY id",
            [probe_id],
        )
        return cursor.fetchall()


def kill_workers(cluster: Cluster, results: Results) -> None:
    from config.celery import app

    app.loader.import_default_modules()  # every app's tasks module, as a worker loads them
    routes = {
        name: app.amqp.router.route({}, name)["queue"].name
        for name in sorted(app.tasks)
        if not name.startswith("celery.") and not name.startswith("cluster_check.")
    }
    say("routes: " + ", ".join(f"{name} -> {queue}" for name, queue in routes.items()))
    results.add(
        "every task routed to a queue the workers take",
        set(routes.values()) <= set(QUEUES),
        ", ".join(f"{queue}: {list(routes.values()).count(queue)} tasks" for queue in QUEUES),
    )
    for queue in QUEUES:
        kill_worker_mid_task(cluster, results, queue)


def kill_worker_mid_task(cluster: Cluster, results: Results, queue: str) -> None:
    """Hold a probe task on `queue` mid-flight, SIGKILL its worker, see the other finish it."""
    from django.core.cache import cache

    from deploy.cluster_tasks import probe, release_key

    probe_id = f"{queue}-{uuid.uuid4().hex[:8]}"
    probe.apply_async([probe_id], queue=queue)
    wait_until(lambda: probe_runs(probe_id), seconds=START_SECONDS, what=f"{queue} probe")
    first = probe_runs(probe_id)[0][0].split("@")[0]
    other = next(name for name in WORKERS if name != first)
    started = time.monotonic()
    cluster.workers[first].kill()
    cache.set(release_key(probe_id), True, 600)
    wait_until(
        lambda: any(step == "completed" for _, step in probe_runs(probe_id)),
        seconds=SETTLE_SECONDS, what=f"the {queue} probe to complete on {other}",
    )  # fmt: skip
    seconds = time.monotonic() - started
    runs = probe_runs(probe_id)
    completions = [host.split("@")[0] for host, step in runs if step == "completed"]
    results.add(
        f"worker SIGKILLed mid-task, queue {queue}",
        completions == [other],
        f"started on {first} (killed), completed {len(completions)}x on "
        f"{', '.join(completions)} {seconds:.1f} s later; started by "
        f"{[host.split('@')[0] for host, step in runs if step == 'started']}",
    )
    cluster.start_worker(first)


# --- 4. agenda reads from the shared cache ---------------------------------------------------


def agenda_reads(cluster: Cluster, results: Results, event_slug: str) -> None:
    reads = []
    url = f"http://{HOST}:{LB_PORT}/api/v1/events/{event_slug}/sessions/"
    for _ in range(20):
        status, headers, _ = http("GET", url)
        reads.append((status, headers.get("X-Served-By"), headers.get("X-Greenroom-Cache")))
    rendered = Counter(server for _, server, hit in reads if not hit)
    hits = Counter(server for _, server, hit in reads if hit)
    first_answer = {}
    for _, server, hit in reads:
        first_answer.setdefault(server, "hit" if hit else "rendered")
    results.add(
        "agenda reads from the shared cache",
        all(status == 200 for status, _, _ in reads)
        and all(hits.get(name) for name in WEB_PORTS)
        and "hit" in first_answer.values(),
        f"{len(reads)} reads: rendered {dict(sorted(rendered.items()))}, from the shared cache "
        f"{dict(sorted(hits.items()))}; first answer of each server {first_answer}",
    )


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", choices=sorted(SIZES), default=os.environ.get("SIZE", "full") or "full"
    )
    parser.add_argument("--keep", action="store_true", help="keep the logs' folder")
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    busy = [port for port in (LB_PORT, PGBOUNCER_PORT, LOCALSTRIPE_PORT, *WEB_PORTS.values())
            if not port_is_free(port)]  # fmt: skip
    if busy:
        print(f"cluster-check: ports in use: {busy}", file=sys.stderr)
        return 2
    for program in ("haproxy", "pgbouncer", "redis-cli"):
        if shutil.which(program) is None and not Path(f"/usr/sbin/{program}").exists():
            print(f"cluster-check needs {program} (apt-get install haproxy pgbouncer)")
            return 2
    os.environ["PATH"] = f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin"
    workdir = Path(tempfile.mkdtemp(prefix="greenroom-cluster-"))
    os.chmod(workdir, 0o755)  # noqa: S103  # PgBouncer runs as postgres and reads its folder
    cluster = Cluster(workdir)
    atexit.register(cluster.stop_all)

    def stopped(signum, frame):
        raise SystemExit(128 + signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stopped)
    results = Results()
    started = time.monotonic()
    say(f"cluster-check, size {args.size} ({size}); logs in {workdir / 'logs'}")
    try:
        prepare_database(cluster.env)
        flush_redis()
        setup_django(cluster.env)
        cluster.start_pgbouncer()
        cluster.start_localstripe()
        for name in WEB_PORTS:
            cluster.start_web(name)
        cluster.start_haproxy()
        for name in WORKERS:
            cluster.start_worker(name)
        cluster.start_beat()
        say(f"cluster up in {time.monotonic() - started:.1f} s")
        flash_sale(cluster, results, size)
        event, placed = kill_app_server(cluster, results, size)
        restart_web1(cluster, results)
        pay_through_localstripe(cluster, results, placed)
        kill_workers(cluster, results)
        agenda_reads(cluster, results, event.slug)
    except CheckFailed as error:
        results.add("the check ran to its end", False, str(error))
    except Exception as error:  # a bug of the check: still stop everything, then say what
        traceback.print_exc()
        results.add("the check ran to its end", False, repr(error))
    finally:
        cluster.stop_all()
        leftovers = [p.name for p in cluster.started if p.running()]
        say(f"stopped {len(cluster.started) + 1} process groups; still running: {leftovers}")
    results.print_summary()
    print(f"  total {time.monotonic() - started:.0f} s, size {args.size}, {dt.datetime.now():%c}")
    if results.passed and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"  logs kept in {workdir / 'logs'}")
    return 0 if results.passed else 1


if __name__ == "__main__":
    sys.exit(main())
