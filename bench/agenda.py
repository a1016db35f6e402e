"""Throughput of the agenda API against a minimal Django view on the same server (on demand).

    cd /work/main && .venv/bin/python bench/agenda.py [--duration 10] [--connections 16]

Creates (or reuses) the PostgreSQL database `greenroom_bench` with one published event of 200
sessions and 400 speakers, starts gunicorn (2 sync workers, Redis cache) on a free loopback
port, loads each target with wrk (or a small threaded generator when wrk is missing), prints
requests/s and latency percentiles beside the aims, and profiles in-process when an aim is
missed. Never run in CI: the figures depend on the machine.
"""

import argparse
import contextlib
import datetime as dt
import http.client
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BENCH_DIR,
    HOST,
    SERVER_ENV,
    Server,
    fetch,
    machine_facts,
    percentile,
    prepare_database,
    print_profile,
    print_table,
    repeat_for,
    setup_django,
)

EVENT_SLUG = "bench-conference"

# What the issue asks of each target, as a share of the minimal view's requests/s.
AIMS = (
    ("agenda 304 (If-None-Match)", "list-304", 0.8),
    ("bundle 304 (If-None-Match)", "bundle-304", 0.8),
    ("full agenda page (50 sessions)", "list-full", 0.25),
    ("full bundle (cached)", "bundle-full", 0.5),
    ("full bundle (cached), gzip as phones ask", "bundle-gzip", 0.5),
)


@dataclass
class Target:
    """One URL under load: what it should answer, and what it did."""

    key: str
    label: str
    path: str
    expect: int
    etag_of: str = ""  # key of the target whose ETag goes into If-None-Match
    headers: dict = field(default_factory=dict)
    body_bytes: int = 0
    result: dict = field(default_factory=dict)


def make_targets() -> list[Target]:
    api = f"/api/v1/events/{EVENT_SLUG}"
    return [
        Target("minimal", "(a) minimal Django view", "/bench/minimal/", 200),
        Target("list-full", "(b) agenda list, page 1 (200)", f"{api}/sessions/", 200),
        Target(
            "list-304", "(c) agenda list, If-None-Match (304)", f"{api}/sessions/", 304, "list-full"
        ),
        Target("bundle-full", "(d) bundle, cached (200)", f"{api}/bundle/", 200),
        Target(
            "bundle-304", "(e) bundle, If-None-Match (304)", f"{api}/bundle/", 304, "bundle-full"
        ),
        # What phones send: OkHttp and URLSession ask for gzip on their own.
        Target(
            "bundle-gzip",
            "(f) bundle, cached, Accept-Encoding: gzip (200)",
            f"{api}/bundle/",
            200,
            headers={"Accept-Encoding": "gzip"},
        ),
    ]


# --- database --------------------------------------------------------------------------------


ABSTRACT = (
    "How autonomous fleets move from pilot cities to everyday service: the sensor stack, the "
    "safety case regulators ask for, remote operations, unit economics per mile, and what "
    "riders actually want from a robotaxi. The panel compares deployments across three "
    "continents and closes with questions from the audience."
)
BIO = (
    "Leads product and engineering for autonomy and mobility; previously built perception "
    "systems and scaled a delivery fleet from ten to ten thousand vehicles. Speaks often about "
    "safety, regulation and the economics of driverless transport."
)


def load_event(slug: str = EVENT_SLUG, sessions_count: int = 200) -> None:
    """One published event with 20 tags, two speakers per session and `sessions_count`
    sessions (bulk) on 3 days: 4 stages for 200 sessions, more for more (51 per stage)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from agenda.services import move_agenda_versions
    from events.models import Event, Session, Stage, Tag
    from speakers.models import LineupEntry, Organization, SessionSpeaker, Speaker

    if Event.objects.filter(slug=slug).exists():
        print(f"event {slug} already loaded")
        return
    # Slugs of speakers, companies and tags are unique across events: the first event keeps
    # the names it always had, others prefix theirs.
    prefix = "" if slug == EVENT_SLUG else f"{slug}-"
    stage_count = max(4, -(-sessions_count // 51))
    speaker_count = 2 * sessions_count
    started = time.monotonic()
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.create(
            name=f"Greenroom Bench Conference ({sessions_count} sessions)"
            if prefix
            else "Greenroom Bench Conference",
            slug=slug,
            tagline=f"{sessions_count} sessions on {stage_count} stages",
            description="The benchmark event of bench/agenda.py.",
            start_date=dt.date(2030, 9, 16),
            end_date=dt.date(2030, 9, 18),
            time_zone="Europe/Berlin",
            venue_name="Bench Hall",
            venue_address="Benchstraße 1, Berlin",
            status=Event.Status.PUBLISHED,
        )
        stages = Stage.objects.bulk_create(
            Stage(
                event=event, name=f"Stage {n + 1}", slug=f"stage-{n + 1}", position=n, capacity=500
            )
            for n in range(stage_count)
        )
        tags = list(Tag.objects.filter(slug__startswith="bench-topic-").order_by("slug"))
        if not tags:
            tags = Tag.objects.bulk_create(
                Tag(name=f"Bench topic {n:02}", slug=f"bench-topic-{n:02}") for n in range(20)
            )
        organizations = Organization.objects.bulk_create(
            Organization(
                name=f"{prefix}Bench Company {n:03}",
                slug=f"{prefix}bench-company-{n:03}",
                website=f"https://company{n:03}.example.com",
            )
            for n in range(max(100, sessions_count // 2))
        )
        speakers = Speaker.objects.bulk_create(
            Speaker(
                name=f"{prefix}Bench Speaker {n:03}",
                slug=f"{prefix}bench-speaker-{n:03}",
                job_title="VP Engineering" if n % 2 else "Founder & CEO",
                organization=organizations[n % len(organizations)],
                bio=BIO,
                pronouns="she/her" if n % 3 == 0 else "",
            )
            for n in range(speaker_count)
        )
        # 3 days x 17 half-hour slots x 4 stages = 204 slots; sessions last 25 minutes, so
        # sessions on one stage never overlap.
        formats = [f for f in Session.Format.values if f != Session.Format.BREAK]
        slots = [
            (day, slot, stage)
            for day in range(3)
            for slot in range(17)
            for stage in range(stage_count)
        ][:sessions_count]
        sessions = []
        for n, (day, slot, stage) in enumerate(slots):
            local_day = event.start_date + dt.timedelta(days=day)
            starts_at = dt.datetime.combine(local_day, dt.time(9), tzinfo=zone) + dt.timedelta(
                minutes=30 * slot
            )
            sessions.append(
                Session(
                    event=event,
                    stage=stages[stage],
                    title=f"Bench session {n:03}: the road to driverless cities",
                    abstract=ABSTRACT,
                    format=formats[n % len(formats)],
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=25),
                    is_published=True,
                )
            )
        sessions = Session.objects.bulk_create(sessions)
        roles, cursor = [], 0
        for n, session in enumerate(sessions):
            count = 3 if n % 3 == 0 else 2
            for position in range(1, count + 1):
                role = (
                    SessionSpeaker.Role.MODERATOR if position == 1 else SessionSpeaker.Role.PANELIST
                )
                roles.append(
                    SessionSpeaker(
                        session=session,
                        speaker=speakers[cursor % len(speakers)],
                        role=role,
                        position=position,
                    )
                )
                cursor += 1
        SessionSpeaker.objects.bulk_create(roles)
        Through = Session.tags.through
        Through.objects.bulk_create(
            Through(session=session, tag=tags[(n * 7 + 3 * j) % len(tags)])
            for n, session in enumerate(sessions)
            for j in range(3 if n % 2 else 2)
        )
        LineupEntry.objects.bulk_create(
            LineupEntry(
                event=event,
                speaker=speaker,
                status=LineupEntry.Status.CONFIRMED,
                invited_at=now,
                confirmed_at=now,
            )
            for speaker in speakers
        )
        # bulk_create sends no signals: move the stored agenda version by hand, as a loader must.
        move_agenda_versions([event.pk])
    connection.close()
    print(
        f"loaded {slug}: {stage_count} stages, 20 tags, {len(speakers)} speakers, {len(sessions)} "
        f"sessions, {len(roles)} session speakers in {time.monotonic() - started:.1f} s"
    )


# --- checks ----------------------------------------------------------------------------------


def verify(port: int, targets: list[Target]) -> None:
    """Each target answers what it should before anything is measured; fill in sizes and ETags."""
    by_key = {target.key: target for target in targets}
    etags = {}
    for target in targets:
        if target.etag_of:
            if target.etag_of not in etags:
                sys.exit(f"no ETag from {target.etag_of} to send with {target.label}")
            target.headers["If-None-Match"] = etags[target.etag_of]
        answer = fetch(port, target.path, target.headers)
        if answer.status != target.expect:
            sys.exit(
                f"ABORT: {target.label} GET {target.path} answered {answer.status}, expected "
                f"{target.expect}.\n{answer.body[:500]!r}"
            )
        if target.key == "bundle-full":  # the second request is the cached one
            answer = fetch(port, target.path, target.headers)
        target.body_bytes = len(answer.body)
        if "etag" in answer.headers:
            etags[target.key] = answer.headers["etag"]
    if not by_key["list-full"].body_bytes or not by_key["bundle-full"].body_bytes:
        sys.exit("ABORT: an empty full response; is the bench event loaded?")


# --- load ------------------------------------------------------------------------------------


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found; trying `apt-get install -y wrk` once …")
    command = ["apt-get", "install", "-y", "-q", "wrk"]
    if os.geteuid() != 0:
        command = ["sudo", "-n", *command]
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    update = [*command[: command.index("install")], "update", "-q"]
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        for step in (command, update, command):  # stale package lists fail the first install
            done = subprocess.run(  # noqa: S603 - fixed argument list
                step, env=apt_env, capture_output=True, timeout=180, check=False
            )
            if step is command and done.returncode == 0:
                break
    found = shutil.which("wrk")
    print("wrk installed" if found else "wrk unavailable: using the in-script load generator")
    return found


WRK_LINE = re.compile(r"GREENROOM_WRK (.*)")


def run_wrk(wrk: str, port: int, target: Target, args, seconds: float) -> dict:
    headers = {"Accept": "application/json", **target.headers}
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH_DIR / "wrk_report.lua"),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [f"http://{HOST}:{port}{target.path}", "--", args.clients]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    match = WRK_LINE.search(done.stdout)
    if done.returncode or not match:
        sys.exit(f"wrk failed on {target.label}:\n{done.stdout}\n{done.stderr}")
    values = dict(pair.split("=") for pair in match.group(1).split())
    return {name: float(value) for name, value in values.items()}


def run_threads(port: int, target: Target, args, seconds: float) -> dict:
    """Fallback generator: one thread per connection, keep-alive where the server allows it."""
    deadline = time.monotonic() + seconds
    max_requests = 2_000_000
    lock = threading.Lock()
    latencies: list[float] = []
    statuses = {200: 0, 304: 0, "other": 0}
    errors = [0]

    def worker(worker_id: int) -> None:
        mine, counts, failures, counter = [], {200: 0, 304: 0, "other": 0}, 0, 0
        connection = None
        while time.monotonic() < deadline and len(mine) < max_requests // args.connections:
            counter += 1
            headers = {"Accept": "application/json", **target.headers}
            if args.clients == "many":
                headers["X-Forwarded-For"] = (
                    f"10.{100 + worker_id}.{counter // 256 % 256}.{counter % 256}"
                )
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(HOST, port, timeout=10)
                connection.request("GET", target.path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failures += 1
                if connection:
                    connection.close()
                connection = None
                continue
            mine.append(time.perf_counter() - started)
            counts[response.status if response.status in (200, 304) else "other"] += 1
            if response.will_close:
                connection.close()
                connection = None
        if connection:
            connection.close()
        with lock:
            latencies.extend(mine)
            for key, value in counts.items():
                statuses[key] += value
            errors[0] += failures

    started = time.monotonic()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(args.connections)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "status_200": statuses[200],
        "status_304": statuses[304],
        "status_other": statuses["other"],
        "errors_connect": errors[0],
    }


def measure(port: int, targets: list[Target], args, wrk: str | None) -> None:
    def run(seconds: float) -> dict:
        if wrk:
            return run_wrk(wrk, port, target, args, seconds)
        return run_threads(port, target, args, seconds)

    for target in targets:
        if args.warmup > 0:
            run(args.warmup)
        target.result = run(args.duration)
        result = target.result
        wrong = result["requests"] - result[f"status_{target.expect}"]
        errors = sum(value for name, value in result.items() if name.startswith("errors_"))
        print(
            f"  {target.label:<38} {result['rps']:>9.1f} req/s"
            + (f"  ({wrong:.0f} answers not {target.expect})" if wrong else "")
            + (f"  ({errors:.0f} socket errors)" if errors else "")
        )


# --- report ----------------------------------------------------------------------------------


def print_results(targets: list[Target], aims=AIMS) -> dict[str, float]:
    minimal = targets[0].result["rps"]
    ratios = {target.key: target.result["rps"] / minimal for target in targets}
    print()
    print_table(
        [("target", 40, ""), ("req/s", 9, ".1f"), ("p50 ms", 8, ".2f"), ("p99 ms", 8, ".2f"),
         ("x minimal", 10, ".3f"), ("body B", 9, "d")],
        [
            [t.label, t.result["rps"], t.result["p50_ms"], t.result["p99_ms"], ratios[t.key],
             t.body_bytes]
            for t in targets
        ],
    )  # fmt: skip
    print()
    print("aims (share of the minimal view's requests/s):")
    for label, key, aim in aims:
        verdict = "met" if ratios[key] >= aim else "MISSED"
        print(f"  {label:<34} >= {aim:.2f}: {ratios[key]:.3f}  {verdict}")
    return ratios


def load_generator(wrk: str | None) -> str:
    if not wrk:
        return "in-script threads + http.client"
    version = subprocess.run(  # noqa: S603 - fixed argument list
        [wrk, "--version"], capture_output=True, text=True, check=False
    )
    return (version.stdout or version.stderr).splitlines()[0]


# --- profile ---------------------------------------------------------------------------------


def profile(args) -> None:
    """Each target in this process via django.test.Client: time, SQL, and pyinstrument."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    try:
        import pyinstrument
    except ImportError:
        pyinstrument = None

    client = Client(headers={"Accept": "application/json"})
    targets = make_targets()
    etags = {}
    counter = [0]

    def get(target: Target):
        counter[0] += 1
        headers = {"X-Forwarded-For": f"10.200.{counter[0] // 256 % 256}.{counter[0] % 256}"}
        if target.etag_of:
            headers["If-None-Match"] = etags[target.etag_of]
        response = client.get(target.path, headers=headers)
        if response.status_code != target.expect:
            sys.exit(f"profile: {target.label} answered {response.status_code}")
        if response.has_header("ETag"):
            etags[target.key] = response["ETag"]
        return response

    print()
    print("in-process profile (one Python process, django.test.Client, same DB and Redis):")
    print(f"  {'target':<40} {'ms/request':>10} {'SQL queries':>11} {'SQL ms':>7}  (per request)")
    for target in targets:
        for _ in range(5):
            get(target)
        repeat, elapsed = repeat_for(args.profile_seconds, lambda t=target: get(t))
        per_request = elapsed / repeat * 1000
        samples = 5
        with CaptureQueriesContext(connection) as queries:
            for _ in range(samples):
                get(target)
        sql_ms = sum(float(query["time"]) for query in queries.captured_queries) * 1000 / samples
        count = len(queries) // samples
        print(f"  {target.label:<40} {per_request:>10.2f} {count:>11} {sql_ms:>7.2f}")
        target.result = {"ms": per_request}

    if pyinstrument is None:
        print("  (pip install pyinstrument into .venv for the breakdown below)")
        return
    for target in targets:
        if target.key != "minimal":
            print_profile(
                target.label,
                lambda t=target: get(t),
                seconds=args.profile_seconds,
                top=args.top,
                steps=INCLUSIVE,
            )


# Steps whose whole time (with callees) is worth naming, matched by function name and file.
INCLUSIVE = (
    ("throttles (check_throttles: Redis GET+SET x2)", "check_throttles", "rest_framework/views"),
    ("agenda_version (ETag query)", "agenda_version", "speakers/selectors"),
    ("get_public_event (event query)", "get_public_event", "events/selectors"),
    ("authentication (perform_authentication)", "perform_authentication", "rest_framework/views"),
    ("paginate_queryset (COUNT + page query)", "paginate_queryset", "rest_framework/"),
    ("prefetch_related_objects (tags, speakers)", "prefetch_related_objects", "django/db/"),
    ("serializer .data (to_representation)", "data", "rest_framework/serializers"),
    ("cache.get (every Redis GET, the throttles' too)", "get", "django/core/cache/backends/redis"),
    ("JSONRenderer.render", "render", "rest_framework/renderers"),
)


# --- main ------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per target")
    parser.add_argument("--warmup", type=float, default=2, help="seconds before each target")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="load generator threads (wrk)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--clients",
        choices=("many", "one"),
        default="many",
        help="many: each request has its own X-Forwarded-For (default); one: all from one address",
    )
    parser.add_argument(
        "--profile",
        choices=("auto", "always", "never"),
        default="auto",
        help="in-process profile: when an aim is missed (auto), always, or never",
    )
    parser.add_argument("--top", type=int, default=12, help="functions listed per profile")
    parser.add_argument(
        "--profile-seconds", type=float, default=2, help="seconds per target when profiling"
    )
    parser.add_argument("--no-wrk", action="store_true", help="use the in-script generator")
    parser.add_argument(
        "--settings",
        default="bench.settings",
        help="DJANGO_SETTINGS_MODULE of the server and the profile (to try a change)",
    )
    return parser.parse_args()


def measure_on_server(args, targets: list[Target], verify) -> tuple[Target, str | None]:
    """Load the bench event, start gunicorn, `verify(port, targets)`, load each target, then
    the minimal view again (the machine may be shared: it shows drift during the run).
    Returns that last measurement and the load generator used."""
    SERVER_ENV["DJANGO_SETTINGS_MODULE"] = args.settings
    prepare_database()
    setup_django()
    load_event()
    from django.db import connections

    connections.close_all()
    wrk = None if args.no_wrk else ensure_wrk()
    server = Server(args.workers)
    try:
        server.start()
        verify(server.port, targets)
        measure(server.port, targets, args, wrk)
        again = Target("minimal", "(a') minimal Django view, again", "/bench/minimal/", 200)
        measure(server.port, [again], args, wrk)
    finally:
        server.stop()
    return again, wrk


def main() -> None:
    args = parse_args()
    targets = make_targets()

    def verify_and_say(port: int, targets: list[Target]) -> None:
        verify(port, targets)
        print(
            f"verified: (b) and (d) answer 200, (c) and (e) answer 304; load: "
            f"{args.threads} threads, {args.connections} connections, {args.warmup:g} s warm-up "
            f"+ {args.duration:g} s per target, clients={args.clients}"
        )

    again, wrk = measure_on_server(args, targets, verify_and_say)
    ratios = print_results(targets)
    drift = again.result["rps"] / targets[0].result["rps"] - 1
    print(
        f"reference drift: the minimal view measured last gave {again.result['rps']:.1f} req/s "
        f"({drift:+.0%} against the first); ratios use the first."
    )
    print()
    print("response bodies (bytes): " + ", ".join(f"{t.key} {t.body_bytes}" for t in targets))
    machine_facts(load_generator(wrk))
    missed = any(ratios[key] < aim for _, key, aim in AIMS)
    if args.profile == "always" or (args.profile == "auto" and missed):
        profile(args)


if __name__ == "__main__":
    main()
