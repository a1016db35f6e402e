"""How the cost of agenda reads grows with the agenda: CPU per request at 200 and 2,000 sessions,
cached and uncached, against a minimal Django view on the same server (on demand).

    cd /work/main && .venv/bin/python bench/growth.py [--seconds 3] [--sizes 200,2000]

For each size an event is loaded (bench/agenda.py's loader: 2 speakers per session, 51 sessions
per stage over 3 days). For each of two servers (gunicorn, 1 sync worker) — `cached`
(bench.settings: Redis, the micro-cache and rendered bodies on) and `uncached`
(bench.settings_nocache: no cache at all, every answer rendered from the database) — each
target is requested one at a time for `--seconds`, and the CPU the server process and the
bench database's PostgreSQL backends spent is divided by the requests answered. One client
at a time keeps the figures per request independent of the other work on a shared machine;
the machine's load is printed beside each figure. "x minimal" is the minimal view's CPU per
request divided by the target's: the share of the minimal view's rate the target would reach
on the same CPU. Never run in CI.
"""

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.agenda import EVENT_SLUG, load_event
from bench.common import (
    DB_NAME,
    Server,
    fetch,
    machine_busy,
    postgres_backends,
    prepare_database,
    print_table,
    proc_stat,
    setup_django,
)

SETTINGS = {"cached": "bench.settings", "uncached": "bench.settings_nocache"}


@dataclass
class Target:
    label: str
    path: str
    expect: int = 200
    etag_of_itself: bool = False  # send the ETag of a first answer: a 304 is expected
    headers: dict = field(default_factory=dict)


def event_slug(size: int) -> str:
    return EVENT_SLUG if size == 200 else f"bench-conference-{size}"


def targets_for(size: int) -> list[Target]:
    api = f"/api/v1/events/{event_slug(size)}"
    site = f"/events/{event_slug(size)}"
    return [
        Target("sessions list, page 1 (50)", f"{api}/sessions/"),
        Target("sessions list, 304", f"{api}/sessions/", 304, etag_of_itself=True),
        Target("bundle", f"{api}/bundle/"),
        Target("schedule.json", f"{api}/schedule.json"),
        Target("agenda.ics", f"{api}/agenda.ics"),
        Target("event home (page)", f"{site}/", headers={"Accept": "text/html"}),
        Target("agenda page", f"{site}/agenda/", headers={"Accept": "text/html"}),
    ]


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    return {pid: stat["cpu"] for pid in pids if (stat := proc_stat(pid))}


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two snapshots; a process gone by the second (a database backend
    whose connection closed) is left out, one that appeared counts from zero."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def measure(server: Server, target: Target, seconds: float) -> dict:
    """CPU per request of the server and of PostgreSQL, one request at a time."""
    headers = dict(target.headers)
    if target.etag_of_itself:
        headers["If-None-Match"] = fetch(server.port, target.path, target.headers).headers["etag"]
    for _ in range(2):  # warm up: imports, connections, caches
        answer = fetch(server.port, target.path, headers)
        if answer.status != target.expect:
            sys.exit(f"ABORT: {target.path} answered {answer.status}, not {target.expect}")
    app_before = cpu_by_pid(server.pids())
    database_before = cpu_by_pid(postgres_backends(DB_NAME))
    busy_before, load_before = machine_busy(), os.getloadavg()[0]
    count, started = 0, time.monotonic()
    while count < 5 or time.monotonic() - started < seconds:
        fetch(server.port, target.path, headers)
        count += 1
    wall = time.monotonic() - started
    busy_after = machine_busy()
    busy = (busy_after[0] - busy_before[0]) / max(busy_after[1] - busy_before[1], 1e-9)
    return {
        "requests": count,
        "app_ms": cpu_used(app_before, cpu_by_pid(server.pids())) * 1000 / count,
        "db_ms": cpu_used(database_before, cpu_by_pid(postgres_backends(DB_NAME))) * 1000 / count,
        "wall_ms": wall * 1000 / count,
        "bytes": len(answer.body),
        "busy": busy,
        "load": (load_before + os.getloadavg()[0]) / 2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3, help="seconds per target")
    parser.add_argument("--sizes", default="200,2000", help="sessions per event, comma-separated")
    parser.add_argument("--modes", default="cached,uncached", help="cached, uncached or both")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    modes = args.modes.split(",")

    prepare_database()
    setup_django()
    for size in sizes:
        load_event(event_slug(size), size)
    from django.db import connections

    connections.close_all()
    rows = []
    for mode in modes:
        server = Server(1, extra_env={"DJANGO_SETTINGS_MODULE": SETTINGS[mode]})
        try:
            server.start()
            minimal = measure(server, Target("minimal view", "/bench/minimal/"), args.seconds)
            rows.append(row(mode, "-", "minimal Django view", minimal, minimal))
            for size in sizes:
                for target in targets_for(size):
                    result = measure(server, target, args.seconds)
                    rows.append(row(mode, size, target.label, result, minimal))
                    print(f"  {mode:<8} {size:>5} {target.label:<28} {result['app_ms']:8.2f} ms")
        finally:
            server.stop()
    print()
    print_table(
        [("mode", 9, ""), ("sessions", 8, ""), ("target", 28, ""), ("app CPU ms", 10, ".2f"),
         ("db CPU ms", 9, ".2f"), ("wall ms", 8, ".1f"), ("x minimal", 9, ".3f"),
         ("body B", 8, "d"), ("busy", 5, ".0%"), ("load", 5, ".1f")],
        rows,
    )  # fmt: skip
    print()
    print(
        "app CPU ms: gunicorn's CPU per request; db CPU ms: the bench database's PostgreSQL "
        "backends'; x minimal: minimal view's app CPU / target's; busy: the whole machine "
        f"({os.cpu_count()} CPUs) during the target; load: 1-minute load average."
    )


def row(mode: str, size, label: str, result: dict, minimal: dict) -> list:
    return [
        mode,
        size,
        label,
        result["app_ms"],
        result["db_ms"],
        result["wall_ms"],
        minimal["app_ms"] / max(result["app_ms"], 1e-9),
        result["bytes"],
        result["busy"],
        result["load"],
    ]


if __name__ == "__main__":
    main()
