"""A flash sale through the HTTP API: 50 buyers, 1,000 seats, sold out (on demand, never in CI).

    cd /work/main && .venv/bin/python bench/flash_sale.py [--workers 2,4]

Each run creates a fresh published event with one pass type (1,000 seats, at most 4 per order,
one price phase) in the PostgreSQL database `greenroom_bench`, starts gunicorn with
bench/settings.py, and lets 50 concurrent buyers POST /api/v1/orders/ for 1–4 seats each until
the answer is `sold_out` with nothing left (or 60 s pass). It then checks the database (seats
held ≤ capacity: oversold must be 0), measures plain single-row inserts through the same server
with the same concurrency (POST /bench/insert/) as the reference, and prints orders/s, latency,
what bounds the rate (lock wait and hold per order, queries per order, CPU by process), and
machine facts. The figures depend on the machine.
"""

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import random
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    DB_NAME,
    HOST,
    INSERT_TABLE_SQL,
    SERVER_ENV,
    CpuMeter,
    Server,
    fetch,
    machine_facts,
    percentile,
    pg_connect,
    postgres_backends,
    postgres_background,
    prepare_database,
    print_profile,
    print_table,
    redis_pids,
    setup_django,
    wait_for_quiet,
)

ORDERS_PATH = "/api/v1/orders/"
INSERT_PATH = "/bench/insert/"
AIM_ORDERS_PER_SECOND = 83  # the issue: ten times pretix's 500 orders/min, i.e. 5,000/min
TRACE_HEADERS = {
    "x-bench-queries": "queries",
    "x-bench-sql-ms": "sql_ms",
    "x-bench-lock-wait-ms": "lock_wait_ms",
    "x-bench-lock-hold-ms": "lock_hold_ms",
    "x-bench-commit-ms": "commit_ms",
    "x-bench-server-ms": "server_ms",
}


@dataclass
class Attempt:
    """One answer a buyer got."""

    buyer: int
    quantity: int
    status: int
    sent: float  # perf_counter seconds
    received: float
    code: str = ""
    available: dict = field(default_factory=dict)
    trace: dict = field(default_factory=dict)

    @property
    def latency_ms(self) -> float:
        return (self.received - self.sent) * 1000


# --- setup -----------------------------------------------------------------------------------


def ensure_insert_table() -> None:
    with pg_connect(autocommit=True) as conn:
        conn.execute(INSERT_TABLE_SQL)


def create_event(label: str, *, seats: int, max_per_order: int):
    """A published event with one public pass type of `seats` seats and one price phase."""
    from django.db import transaction

    from events.models import Event
    from tickets.models import PassType, PricePhase

    run = f"{dt.datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    with transaction.atomic():
        event = Event.objects.create(
            name=f"Flash sale bench {label} {run}",
            slug=f"flash-{label}-{run}",
            start_date=dt.date(2031, 3, 3),
            end_date=dt.date(2031, 3, 4),
            time_zone="Europe/Berlin",
            venue_name="Bench Arena",
            status=Event.Status.PUBLISHED,
        )
        pass_type = PassType.objects.create(
            event=event,
            name="General Admission",
            slug="general-admission",
            capacity=seats,
            max_per_order=max_per_order,
        )
        PricePhase.objects.create(pass_type=pass_type, name="Regular", price=12500, position=0)
    return event, pass_type


def order_body(event_slug: str, pass_type_id: int, quantity: int, email: str) -> dict:
    return {
        "event": event_slug,
        "lines": [{"pass_type": pass_type_id, "quantity": quantity}],
        "email": email,
    }


def probe_email(number: int) -> str:
    """A buyer per probe order, so the pending-order limit is measured but never reached."""
    return f"probe{number}@x.example"


def expire_bench_holds() -> int:
    """Expire the pending orders of earlier flash-sale bench events (and the warm-up's), so a
    sale competes only with its own holds, like a new event's sale in production."""
    from django.utils import timezone

    from tickets.models import Order, OrderStatus

    now = timezone.now()
    return Order.objects.filter(
        event__slug__startswith="flash-", status=OrderStatus.PENDING
    ).update(status=OrderStatus.EXPIRED, expired_at=now, updated_at=now)


def analyze_tables() -> None:
    with pg_connect(autocommit=True) as conn:
        conn.execute("ANALYZE tickets_order")
        conn.execute("ANALYZE tickets_orderline")


def explain_passes_taken(pass_type) -> str:
    """The plan PostgreSQL now picks for the inventory count taken under the lock."""
    from django.utils import timezone

    from tickets.inventory import passes_taken

    captured = []

    class Capture(Exception):
        pass

    def grab(execute, sql, params, many, context):
        captured.append((sql, params))
        raise Capture

    from django.db import connection

    try:
        with connection.execute_wrapper(grab):
            passes_taken([pass_type.pk], now=timezone.now())
    except Capture:
        pass
    sql, params = captured[0]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    shape = " > ".join(
        node["Node Type"] + (f" ({node['Relation Name']})" if "Relation Name" in node else "")
        for node in nodes(plan["Plan"])
        if node["Node Type"] not in ("Bitmap Index Scan", "BitmapOr", "Hash")
    )
    removed = sum(node.get("Rows Removed by Join Filter", 0) for node in nodes(plan["Plan"]))
    return f"{plan['Execution Time']:.2f} ms: {shape}" + (
        f"; {removed:,} rows removed by the join filter" if removed else ""
    )


# --- load ------------------------------------------------------------------------------------


def read_trace(headers) -> dict:
    return {
        name: float(headers[header]) for header, name in TRACE_HEADERS.items() if header in headers
    }


async def run_sale(port: int, event_slug: str, pass_type_id: int, args) -> dict:
    """`args.buyers` buyers order 1–max seats each, again and again, until sold out."""
    import aiohttp

    attempts: list[Attempt] = []
    errors: list[str] = []
    url = f"http://{HOST}:{port}{ORDERS_PATH}"
    started = time.perf_counter()
    deadline = started + args.time_limit

    async def buyer(number: int, session) -> None:
        rng = random.Random(args.seed * 100_003 + number)  # noqa: S311 - seeded load
        address = f"10.77.{number // 256}.{number % 256}"
        for order_number in itertools.count():
            if time.perf_counter() >= deadline:
                break
            # A new buyer each order, as in a real sale: the pending-order limit stays on.
            email = f"buyer{number:03}-{order_number}@flash.example.com"
            quantity = rng.randint(1, args.max_per_order)
            headers = {"X-Forwarded-For": address, "Accept": "application/json"}
            if args.idempotency_keys:
                headers["Idempotency-Key"] = uuid.uuid4().hex
            sent = time.perf_counter()
            try:
                async with session.post(
                    url, json=order_body(event_slug, pass_type_id, quantity, email), headers=headers
                ) as response:
                    body = await response.read()
                    status, trace = response.status, read_trace(response.headers)
            except (aiohttp.ClientError, TimeoutError) as error:
                errors.append(f"{type(error).__name__}: {error}")
                await asyncio.sleep(0.05)
                continue
            attempt = Attempt(number, quantity, status, sent, time.perf_counter(), trace=trace)
            attempts.append(attempt)
            if status != 201:
                try:
                    answer = json.loads(body)
                except ValueError:
                    answer = {}
                attempt.code = answer.get("code", "")
                attempt.available = answer.get("available") or {}
            if status == 201:
                continue
            if status == 409 and attempt.code == "sold_out":
                if not any(attempt.available.values()):
                    return  # nothing left anywhere: this buyer goes home
                continue  # fewer left than asked: ask again (maybe for fewer)
            if status == 503:
                await asyncio.sleep(args.busy_sleep)
                continue
            errors.append(f"HTTP {status}: {body[:200]!r}")
            if len(errors) > 50:
                return
            await asyncio.sleep(0.05)

    connector = aiohttp.TCPConnector(limit=args.buyers, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(buyer(n, session) for n in range(args.buyers)))
    finished = time.perf_counter()
    return {
        "attempts": attempts,
        "errors": errors,
        "started": started,
        "finished": finished,
        "timed_out": finished >= deadline,
    }


async def run_inserts(port: int, seconds: float, concurrency: int) -> dict:
    """`concurrency` clients POST /bench/insert/ back to back for `seconds`."""
    import aiohttp

    latencies: list[float] = []
    traces: list[dict] = []
    statuses: dict[int, int] = {}
    url = f"http://{HOST}:{port}{INSERT_PATH}"
    started = time.perf_counter()
    deadline = started + seconds

    async def client(number: int, session) -> None:
        address = f"10.78.{number // 256}.{number % 256}"
        payload = {"note": f"client {number}", "email": f"client{number:03}@flash.example.com"}
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            try:
                async with session.post(
                    url, json=payload, headers={"X-Forwarded-For": address}
                ) as response:
                    await response.read()
                    status = response.status
                    trace = read_trace(response.headers)
            except (aiohttp.ClientError, TimeoutError):
                statuses[-1] = statuses.get(-1, 0) + 1
                continue
            latencies.append((time.perf_counter() - sent) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            traces.append(trace)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=30)
    ) as session:
        await asyncio.gather(*(client(n, session) for n in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    created = statuses.get(201, 0)
    return {
        "rps": created / elapsed,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "statuses": statuses,
        "queries": mean([t.get("queries", 0) for t in traces]),
        "server_ms": mean([t.get("server_ms", 0) for t in traces]),
        "elapsed": elapsed,
    }


async def warm_up(port: int, event_slug: str, pass_type_id: int, args) -> float:
    """Orders on the probe event (unlimited for practical purposes) and inserts, so every
    worker has its connections open and its code loaded; returns the orders/s seen."""
    import aiohttp

    url = f"http://{HOST}:{port}{ORDERS_PATH}"
    created = [0]
    started = time.perf_counter()
    deadline = started + args.warmup

    async def client(number: int, session) -> None:
        while time.perf_counter() < deadline:
            body = order_body(event_slug, pass_type_id, 1 + number % 4, f"warm{number}@x.example")
            async with session.post(
                url, json=body, headers={"X-Forwarded-For": f"10.79.0.{number}"}
            ) as response:
                await response.read()
                created[0] += response.status == 201

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(client(n, session) for n in range(args.buyers)))
    return created[0] / (time.perf_counter() - started)


class LockSampler(threading.Thread):
    """Polls pg_stat_activity: how many backends of the bench database wait for a lock."""

    def __init__(self, interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.samples: list[tuple[int, int]] = []  # (waiting for a lock, active)
        self.halt = threading.Event()

    def run(self) -> None:
        with pg_connect(autocommit=True) as conn:
            query = (
                "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), "
                "count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()"
            )
            while not self.halt.is_set():
                self.samples.append(conn.execute(query, [DB_NAME]).fetchone())
                time.sleep(self.interval)

    def stop(self) -> dict:
        self.halt.set()
        self.join()
        count = max(len(self.samples), 1)
        return {
            "samples": len(self.samples),
            "waiting_mean": sum(w for w, _ in self.samples) / count,
            "waiting_share": sum(1 for w, _ in self.samples if w) / count,
            "active_mean": sum(a for _, a in self.samples) / count,
        }


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


# --- checks ----------------------------------------------------------------------------------


def check_database(event, pass_type, seats: int) -> dict:
    from django.db.models import Count, Sum

    from tickets.models import Order, OrderLine, OrderStatus

    by_status = dict(
        Order.objects.filter(event=event).values_list("status").annotate(n=Count("id"))
    )
    held = (
        OrderLine.objects.filter(
            order__event=event, order__status=OrderStatus.PENDING, pass_type=pass_type
        ).aggregate(seats=Sum("quantity"))["seats"]
        or 0
    )
    return {
        "orders": sum(by_status.values()),
        "pending": by_status.get(OrderStatus.PENDING, 0),
        "held": held,
        "oversold": max(0, held - seats),
    }


def check_sold_out_answers(attempts: list[Attempt], seats: int, pass_type_id: int) -> dict:
    """Best effort: each sold_out answer must have come when fewer seats were left than asked.

    The server's own figure (`available`) must be below the quantity asked. And from the
    client's timeline: the seats of every order placed before the sold_out answer arrived
    (request sent before that moment) bound what was taken; if even that left enough seats,
    the answer was wrong.
    """
    placed = sorted((a.sent, a.quantity) for a in attempts if a.status == 201)
    sold_outs = [a for a in attempts if a.status == 409 and a.code == "sold_out"]
    server_wrong = client_wrong = 0
    for answer in sold_outs:
        left = answer.available.get(str(pass_type_id))
        if left is None or left >= answer.quantity:
            server_wrong += 1
        taken_at_most = sum(quantity for sent, quantity in placed if sent < answer.received)
        if seats - taken_at_most >= answer.quantity:
            client_wrong += 1
    return {"sold_outs": len(sold_outs), "server_wrong": server_wrong, "client_wrong": client_wrong}


# --- in-process ------------------------------------------------------------------------------


def in_process_order_costs(event, pass_type, samples: int) -> dict:
    """Queries, time and lock hold of one order in this process (no contention), through
    django.test.Client (the whole stack but the server) and through place_order alone."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tickets.services.ordering import LineRequest, place_order

    client = Client(headers={"Accept": "application/json"})
    counter = [0]

    def post():
        counter[0] += 1
        response = client.post(
            ORDERS_PATH,
            data=order_body(event.slug, pass_type.pk, 1 + counter[0] % 4, probe_email(counter[0])),
            content_type="application/json",
            headers={"X-Forwarded-For": f"10.80.{counter[0] // 256 % 256}.{counter[0] % 256}"},
        )
        if response.status_code != 201:
            sys.exit(f"in-process order answered {response.status_code}: {response.content!r}")
        return response

    for _ in range(5):
        post()
    with CaptureQueriesContext(connection) as captured:
        post()
    statements = [query["sql"] for query in captured.captured_queries]
    traces, started = [], time.perf_counter()
    for _ in range(samples):
        traces.append(read_trace({k.lower(): v for k, v in post().items()}))
    request_ms = (time.perf_counter() - started) / samples * 1000

    started = time.perf_counter()
    for n in range(samples):
        place_order(
            event=event,
            lines=[LineRequest(pass_type.pk, 1 + n % 4)],
            email=probe_email(-n),
        )
    service_ms = (time.perf_counter() - started) / samples * 1000
    return {
        "statements": statements,
        "request_ms": request_ms,
        "service_ms": service_ms,
        "lock_hold_ms": mean(t.get("lock_hold_ms", float("nan")) for t in traces),
        "commit_ms": mean(t.get("commit_ms", float("nan")) for t in traces),
        "sql_ms": mean(t.get("sql_ms", float("nan")) for t in traces),
        "server_ms": mean(t.get("server_ms", float("nan")) for t in traces),
    }


def profile_orders(event, pass_type, *, top: int) -> None:
    """Where the time of one order goes in-process (pyinstrument), printed before the runs."""
    from django.test import Client

    client = Client(headers={"Accept": "application/json"})
    counter = [0]

    def post():
        counter[0] += 1
        client.post(
            ORDERS_PATH,
            data=order_body(event.slug, pass_type.pk, 1 + counter[0] % 4, probe_email(counter[0])),
            content_type="application/json",
            headers={"X-Forwarded-For": f"10.81.{counter[0] // 256 % 256}.{counter[0] % 256}"},
        )

    print("in-process profile of POST /api/v1/orders/ (django.test.Client):")
    print_profile(
        "place an order (201)",
        post,
        seconds=3,
        top=top,
        steps=(
            ("place_order (service, with its transaction)", "place_order", "tickets/services"),
            ("_place_locked (inside the locks)", "_place_locked", "tickets/services"),
            ("PlacedOrderSerializer .data", "data", "rest_framework/serializers"),
            ("OrderInputSerializer.is_valid", "is_valid", "rest_framework/serializers"),
            ("check_throttles (Redis)", "check_throttles", "rest_framework/views"),
            ("get_public_event", "get_public_event", "events/selectors"),
            ("JSONRenderer.render", "render", "rest_framework/renderers"),
        ),
    )


# --- report ----------------------------------------------------------------------------------


def summarize(sale: dict, seats: int) -> dict:
    attempts = sale["attempts"]
    placed = [a for a in attempts if a.status == 201]
    last_order = max((a.received for a in placed), default=sale["started"])
    sale_seconds = max(last_order - sale["started"], 1e-9)
    all_latency = sorted(a.latency_ms for a in attempts)
    placed_latency = sorted(a.latency_ms for a in placed)
    statuses: dict[int, int] = {}
    for attempt in attempts:
        statuses[attempt.status] = statuses.get(attempt.status, 0) + 1
    holds = sorted(a.trace["lock_hold_ms"] for a in placed if "lock_hold_ms" in a.trace)
    waits = sorted(a.trace.get("lock_wait_ms", 0.0) for a in placed)
    return {
        "orders": len(placed),
        "seats": sum(a.quantity for a in placed),
        "sale_seconds": sale_seconds,
        "orders_per_s": len(placed) / sale_seconds,
        "requests_per_s": len(attempts) / max(sale["finished"] - sale["started"], 1e-9),
        "p50_201": percentile(placed_latency, 0.5),
        "p99_201": percentile(placed_latency, 0.99),
        "p50_all": percentile(all_latency, 0.5),
        "p99_all": percentile(all_latency, 0.99),
        "statuses": statuses,
        "busy": statuses.get(503, 0),
        "sold_out": sum(1 for a in attempts if a.status == 409 and a.code == "sold_out"),
        "hold_p50": percentile(holds, 0.5),
        "hold_p99": percentile(holds, 0.99),
        "hold_sum": sum(holds),
        "wait_p50": percentile(waits, 0.5),
        "wait_p99": percentile(waits, 0.99),
        "wait_mean": mean(waits),
        "commit_p50": percentile(
            sorted(a.trace["commit_ms"] for a in placed if "commit_ms" in a.trace), 0.5
        ),
        "server_ms": mean(a.trace.get("server_ms", float("nan")) for a in placed),
        "sql_ms": mean(a.trace.get("sql_ms", float("nan")) for a in placed),
        "queries": mean(a.trace.get("queries", float("nan")) for a in placed),
        "timed_out": sale["timed_out"] and len(placed) and sum(a.quantity for a in placed) < seats,
    }


def run_one(workers: int, args, probe) -> dict:
    """One server with `workers` workers: warm-up, the sale, the insert reference."""
    event, pass_type = create_event(f"{workers}w", seats=args.seats, max_per_order=4)
    from django.db import connections

    connections.close_all()
    extra_env = {"BENCH_TRACE": "1" if args.trace else "0"}
    if args.lock_timeout_ms:
        extra_env["INVENTORY_LOCK_TIMEOUT_MS"] = str(args.lock_timeout_ms)
    server = Server(workers, extra_env=extra_env)
    try:
        server.start()
        ready = fetch(server.port, f"/api/v1/events/{event.slug}/passes/")
        if ready.status != 200:
            sys.exit(f"ABORT: the passes list answered {ready.status}: {ready.body[:300]!r}")
        warm_rate = asyncio.run(warm_up(server.port, probe[0].slug, probe[1].pk, args))
        asyncio.run(run_inserts(server.port, 1.0, args.buyers))
        print(
            f"  warm-up: {args.warmup:g} s of orders on an event with seats to spare "
            f"({warm_rate:.1f} orders/s) and 1 s of inserts"
        )
        expire_bench_holds()
        if args.analyze:
            analyze_tables()
        print(f"  {wait_for_quiet(args.quiet_wait)}")
        groups = {
            "gunicorn": server.pids,
            "postgres (bench DB)": postgres_backends,
            "postgres (background)": postgres_background,
            "redis": redis_pids,
            "load client": lambda: [os.getpid()],
        }
        sale_cpu = CpuMeter(groups)
        sampler = LockSampler()
        sampler.start()
        sale_cpu.start()
        sale = asyncio.run(run_sale(server.port, event.slug, pass_type.pk, args))
        sale_cpu.stop()
        locks = sampler.stop()
        insert_cpu = CpuMeter(groups)
        insert_cpu.start()
        inserts = asyncio.run(run_inserts(server.port, args.insert_seconds, args.buyers))
        insert_cpu.stop()
    finally:
        server.stop()
    result = summarize(sale, args.seats)
    result.update(
        workers=workers,
        event=event.slug,
        db=check_database(event, pass_type, args.seats),
        consistency=check_sold_out_answers(sale["attempts"], args.seats, pass_type.pk),
        errors=sale["errors"],
        locks=locks,
        sale_cpu=sale_cpu.describe(),
        inserts=inserts,
        insert_cpu=insert_cpu.describe(),
        ratio=result["orders_per_s"] / inserts["rps"] if inserts["rps"] else float("nan"),
        plan=explain_passes_taken(pass_type),
    )
    return result


def print_run(r: dict, args) -> None:
    db, con, ins, locks = r["db"], r["consistency"], r["inserts"], r["locks"]
    print()
    print(f"== {r['workers']} gunicorn sync workers, {args.buyers} buyers, event {r['event']}")
    print(
        f"  sale: {r['orders']} orders, {r['seats']} seats in {r['sale_seconds']:.2f} s "
        f"(first request to last 201)"
        + ("  TIME LIMIT REACHED before selling out" if r["timed_out"] else "")
    )
    print(f"  orders/s                 {r['orders_per_s']:8.1f}   (aim >= {AIM_ORDERS_PER_SECOND})")
    print(f"  requests/s (all answers) {r['requests_per_s']:8.1f}")
    print(f"  latency 201   p50/p99    {r['p50_201']:8.1f} / {r['p99_201']:.1f} ms")
    print(f"  latency all   p50/p99    {r['p50_all']:8.1f} / {r['p99_all']:.1f} ms")
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(r["statuses"].items()))
    print(
        f"  answers                  {statuses}  (409 sold_out {r['sold_out']}, 503 busy "
        f"{r['busy']}, client errors {len(r['errors'])})"
    )
    print(
        f"  database                 {db['orders']} orders ({db['pending']} pending), seats held "
        f"{db['held']} of {args.seats}, oversold {db['oversold']}"
        + ("" if db["orders"] == r["orders"] else f"  (client counted {r['orders']} orders!)")
    )
    print(
        f"  sold_out answers         {con['sold_outs']}: server said fewer left than asked in "
        f"{con['sold_outs'] - con['server_wrong']}; contradicted by the client timeline: "
        f"{con['client_wrong']}"
    )
    print(
        f"  per order (server)       {r['queries']:.1f} queries, {r['sql_ms']:.2f} ms SQL, "
        f"{r['server_ms']:.2f} ms in Django"
    )
    print(
        f"  lock wait  p50/p99/mean  {r['wait_p50']:.2f} / {r['wait_p99']:.2f} / "
        f"{r['wait_mean']:.2f} ms (SELECT … FOR UPDATE on the pass type)"
    )
    print(
        f"  lock hold  p50/p99       {r['hold_p50']:.2f} / {r['hold_p99']:.2f} ms (locked → "
        f"committed; COMMIT p50 {r['commit_p50']:.2f} ms); the lock was held "
        f"{r['hold_sum'] / 1000 / r['sale_seconds']:.0%} of the sale by orders placed"
    )
    print(
        f"  backends waiting on a lock (sampled every 10 ms): mean {locks['waiting_mean']:.2f}, "
        f"in {locks['waiting_share']:.0%} of {locks['samples']} samples; active backends mean "
        f"{locks['active_mean']:.2f}"
    )
    print(f"  CPU during the sale      {r['sale_cpu']}")
    print(f"  passes_taken() after the sale (EXPLAIN ANALYZE): {r['plan']}")
    print(
        f"  reference inserts        {ins['rps']:8.1f} /s, p50/p99 {ins['p50_ms']:.1f} / "
        f"{ins['p99_ms']:.1f} ms ({ins['elapsed']:.1f} s, {args.buyers} clients, "
        f"{ins['queries']:.1f} queries, {ins['server_ms']:.2f} ms in Django; answers "
        f"{dict(sorted(ins['statuses'].items()))})"
    )
    print(f"  CPU during the inserts   {r['insert_cpu']}")
    print(f"  orders/s ÷ inserts/s     {r['ratio']:8.3f}")
    for error in r["errors"][:5]:
        print(f"  error: {error}")


def print_costs(costs: dict) -> None:
    print()
    print("one order in-process (django.test.Client, no contention, same DB and Redis):")
    print(
        f"  {len(costs['statements'])} SQL statements (CaptureQueriesContext); "
        f"{costs['request_ms']:.2f} ms per request, of which {costs['sql_ms']:.2f} ms SQL; "
        f"lock hold {costs['lock_hold_ms']:.2f} ms (COMMIT {costs['commit_ms']:.2f} ms); "
        f"place_order() alone {costs['service_ms']:.2f} ms"
    )
    for number, sql in enumerate(costs["statements"], 1):
        text = " ".join(sql.split())
        print(f"    {number:2}. {text[:150]}{'…' if len(text) > 150 else ''}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workers", default="2", help="gunicorn sync workers; a comma list runs one sale each"
    )
    parser.add_argument("--buyers", type=int, default=50, help="concurrent buyers")
    parser.add_argument("--seats", type=int, default=1000)
    parser.add_argument("--max-per-order", type=int, default=4, help="buyers ask for 1..this")
    parser.add_argument("--time-limit", type=float, default=60, help="seconds before giving up")
    parser.add_argument("--insert-seconds", type=float, default=10, help="reference duration")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up orders")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--busy-sleep", type=float, default=0.02, help="pause after a 503 busy")
    parser.add_argument(
        "--idempotency-keys", action="store_true", help="send an Idempotency-Key with each order"
    )
    parser.add_argument(
        "--lock-timeout-ms", type=int, default=0, help="GREENROOM_INVENTORY_LOCK_TIMEOUT_MS"
    )
    parser.add_argument(
        "--no-trace",
        dest="trace",
        action="store_false",
        help="without bench/trace.py's per-request SQL and lock headers",
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="ANALYZE the order tables before each sale (fresh planner statistics)",
    )
    parser.add_argument("--samples", type=int, default=50, help="in-process orders to time")
    parser.add_argument(
        "--profile", action="store_true", help="pyinstrument breakdown of in-process orders"
    )
    parser.add_argument("--top", type=int, default=15, help="functions listed by --profile")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60,
        help="seconds to wait for an idle machine before each sale (it may be shared)",
    )
    parser.add_argument(
        "--settings",
        default="bench.settings",
        help="DJANGO_SETTINGS_MODULE of the server and the in-process part (to try a change)",
    )
    args = parser.parse_args()
    args.worker_counts = [int(n) for n in args.workers.split(",")]
    return args


def main() -> None:
    args = parse_args()
    try:
        import aiohttp
    except ImportError:
        sys.exit("flash_sale.py needs aiohttp in .venv (.venv/bin/pip install aiohttp)")
    SERVER_ENV["DJANGO_SETTINGS_MODULE"] = args.settings
    SERVER_ENV["BENCH_TRACE"] = "1"  # the in-process part reads the trace headers
    prepare_database()
    ensure_insert_table()
    setup_django()
    expire_bench_holds()
    print(wait_for_quiet(args.quiet_wait))
    # An event with seats to spare for the warm-up and the in-process costs.
    probe = create_event("probe", seats=10_000_000, max_per_order=4)
    costs = in_process_order_costs(*probe, samples=args.samples)
    if args.profile:
        profile_orders(*probe, top=args.top)
    results = []
    for workers in args.worker_counts:
        results.append(run_one(workers, args, probe))
        print_run(results[-1], args)
    print()
    print(
        f"summary ({args.buyers} buyers, {args.seats} seats, 1–{args.max_per_order} per order; "
        f"aim >= {AIM_ORDERS_PER_SECOND} orders/s, oversold 0):"
    )
    print_table(
        [("workers", 8, "d"), ("orders/s", 9, ".1f"), ("req/s", 8, ".1f"),
         ("p50 ms", 8, ".1f"), ("p99 ms", 8, ".1f"), ("seats", 6, "d"), ("oversold", 9, "d"),
         ("409", 5, "d"), ("503", 5, "d"), ("inserts/s", 10, ".1f"), ("ratio", 7, ".3f"),
         ("hold ms", 8, ".2f"), ("aim", 7, "")],
        [
            [r["workers"], r["orders_per_s"], r["requests_per_s"], r["p50_201"], r["p99_201"],
             r["db"]["held"], r["db"]["oversold"], r["statuses"].get(409, 0), r["busy"],
             r["inserts"]["rps"], r["ratio"], r["hold_p50"],
             "met" if r["orders_per_s"] >= AIM_ORDERS_PER_SECOND and not r["db"]["oversold"]
             else "MISSED"]
            for r in results
        ],
    )  # fmt: skip
    print("(p50/p99: latency of the 201 answers; hold: lock hold p50 under load)")
    print_costs(costs)
    machine_facts(f"aiohttp {aiohttp.__version__} (asyncio, one process, {args.buyers} tasks)")
    if any(r["db"]["oversold"] for r in results):
        sys.exit("OVERSOLD: more seats held than the pass type has")


if __name__ == "__main__":
    main()
