"""What the benchmark scripts share: the bench database, the gunicorn server, machine facts and
table printing. Used by bench/agenda.py and bench/flash_sale.py (on demand, never in CI)."""

import contextlib
import http.client
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
# Overridable so that benchmarks run side by side on a shared machine do not share rows.
DB_NAME = os.environ.get("BENCH_DB_NAME", "greenroom_bench")
DATABASE_URL = f"postgres://postgres@{HOST}:5432/{DB_NAME}"
CACHE_URL = os.environ.get("BENCH_CACHE_URL", f"redis://{HOST}:6379/14")
UNLIMITED = "100000000/min"

# The environment of the benchmark server; in-process measurements run with the same one.
# Scripts may change entries (e.g. DJANGO_SETTINGS_MODULE from --settings) before use.
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DATABASE_URL": DATABASE_URL,
    "DATABASE_CONN_MAX_AGE": "60",
    "DJANGO_DEBUG": "0",
    "ALLOWED_HOSTS": f"{HOST},localhost",
    "CACHE_URL": CACHE_URL,
    # Anonymous requests pass the throttles (the user throttle keys them by address too);
    # the per-client order throttle too, so a buyer's retries are never answered 429.
    "THROTTLE_ANON": UNLIMITED,
    "THROTTLE_USER": UNLIMITED,
    "THROTTLE_ORDERS": UNLIMITED,
    "LOG_LEVEL": "WARNING",
}


# The table behind the reference view /bench/insert/ (bench/benchurls.py): bench only, not a
# Django model, created with raw SQL by bench/flash_sale.py.
INSERT_TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_insert "
    "(id bigserial PRIMARY KEY, created_at timestamptz DEFAULT now(), note text)"
)


# --- database --------------------------------------------------------------------------------


def pg_connect(dbname: str = DB_NAME, **kwargs):
    """A psycopg connection to the local PostgreSQL as the trusted `postgres` user."""
    import psycopg

    return psycopg.connect(host=HOST, port=5432, user="postgres", dbname=dbname, **kwargs)


def ensure_database() -> None:
    with pg_connect("postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
            print(f"created database {DB_NAME}")


def migrate() -> None:
    env = {**os.environ, **SERVER_ENV, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - fixed argument list
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"migrate failed:\n{done.stdout}\n{done.stderr}")
    print(f"migrated {DB_NAME} in {time.monotonic() - started:.1f} s")


def prepare_database() -> None:
    """Create the bench database when missing and bring it to the latest migration."""
    os.chdir(ROOT)
    ensure_database()
    migrate()


def setup_django() -> None:
    """Django in this process, configured like the server (for loading rows and profiling)."""
    os.environ.update(SERVER_ENV)
    # django.test.Client's host; the server itself only accepts loopback names.
    os.environ["ALLOWED_HOSTS"] = f"{HOST},localhost,testserver"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- server ----------------------------------------------------------------------------------


def free_port() -> int:
    """A free loopback port: any, or one of BENCH_PORTS (e.g. `18800-18899`) when set, for
    machines where each user of the benchmarks keeps to its own range."""
    allowed = os.environ.get("BENCH_PORTS")
    first, last = (int(end) for end in allowed.split("-")) if allowed else (0, 0)
    for port in range(first, last + 1):
        with socket.socket() as probe, contextlib.suppress(OSError):
            probe.bind((HOST, port))
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port in BENCH_PORTS={allowed}")


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes


def fetch(
    port: int, path: str, headers: dict | None = None, *, method: str = "GET", body=None
) -> Answer:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(
            method, path, body=body, headers={"Accept": "application/json", **(headers or {})}
        )
        response = connection.getresponse()
        data = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        connection.close()


class Server:
    """gunicorn (sync workers by default) on a free loopback port, in its own process group,
    stopped as a whole. Ready once `/bench/minimal/` (bench/benchurls.py) answers 200."""

    def __init__(self, workers: int, extra_env: dict | None = None, extra_args=()) -> None:
        self.port = free_port()
        self.workers = workers
        self.extra_env = extra_env or {}
        self.extra_args = list(extra_args)
        self.log = tempfile.NamedTemporaryFile(prefix="greenroom-bench-", suffix=".log")  # noqa: SIM115
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "--pythonpath",
            str(ROOT),
            "-w",
            str(self.workers),
            "-b",
            f"{HOST}:{self.port}",
            *self.extra_args,
        ]
        self.process = subprocess.Popen(  # noqa: S603 - fixed argument list
            command,
            cwd=ROOT,
            env={**os.environ, **SERVER_ENV, **self.extra_env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if fetch(self.port, "/bench/minimal/").status == 200:
                    print(f"gunicorn ({self.workers} sync workers) answers on {HOST}:{self.port}")
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 30 s:\n{self.log_tail()}")

    def pids(self) -> list[int]:
        """The master and its workers (every process of the server's process group)."""
        if not self.process:
            return []
        return processes_where(lambda stat: stat["pgrp"] == self.process.pid)

    def log_tail(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


# --- CPU accounting --------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_stat(pid: int) -> dict | None:
    """Name, process group and CPU seconds (user + system) of a process from /proc."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return {
        "name": name,
        "pgrp": int(fields[2]),
        "cpu": (int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
    }


def processes_where(test) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if stat and test(stat):
                found.append(int(entry.name))
    return found


def machine_busy() -> tuple[float, float, float]:
    """(busy, total, interrupts) CPU seconds of the whole machine so far, from /proc/stat;
    interrupt time (irq + softirq, e.g. loopback TCP) belongs to no process."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (
        (sum(values) - idle) / CLOCK_TICKS,
        sum(values) / CLOCK_TICKS,
        (values[5] + values[6]) / CLOCK_TICKS,
    )


class CpuMeter:
    """CPU seconds used by named groups of processes between start() and stop().

    `groups` maps a label to a function returning the pids (looked up at start and at stop,
    so processes that come and go within the window are missed: fine for long-lived servers).
    """

    def __init__(self, groups: dict) -> None:
        self.groups = groups
        self.before: dict[str, dict[int, float]] = {}
        self.used: dict[str, float] = {}
        self.wall = 0.0
        self.machine = 0.0

    def _snapshot(self) -> dict[str, dict[int, float]]:
        snap = {}
        for label, pids in self.groups.items():
            snap[label] = {}
            for pid in pids():
                stat = proc_stat(pid)
                if stat:
                    snap[label][pid] = stat["cpu"]
        return snap

    def start(self) -> None:
        self.before = self._snapshot()
        self._machine_before = machine_busy()
        self._started = time.monotonic()

    def stop(self) -> None:
        self.wall = time.monotonic() - self._started
        after = self._snapshot()
        for label, pids in after.items():
            self.used[label] = sum(
                cpu - self.before.get(label, {}).get(pid, 0.0) for pid, cpu in pids.items()
            )
        busy, total, interrupts = machine_busy()
        self.machine = (busy - self._machine_before[0]) / max(total - self._machine_before[1], 1e-9)
        self.interrupts = (interrupts - self._machine_before[2]) / self.wall

    def describe(self) -> str:
        """`gunicorn 1.62 cores, postgres 0.30 cores, …, others 0.05 cores; machine 97% busy`:
        "others" is what the machine spent beyond the named groups (kernel threads, other
        people's work on a shared machine)."""
        parts = [f"{label} {used / self.wall:.2f}" for label, used in self.used.items()]
        others = (
            self.machine * (os.cpu_count() or 1)
            - sum(self.used.values()) / self.wall
            - self.interrupts
        )
        return (
            "cores: " + ", ".join(parts) + f", irq/softirq {self.interrupts:.2f}, "
            f"others {max(others, 0):.2f}; "
            f"machine {self.machine:.0%} busy ({os.cpu_count()} CPUs)"
        )


def wait_for_quiet(max_seconds: float, busy_below: float = 0.15) -> str:
    """Wait (up to `max_seconds`) until the machine is idle for a whole second, so the run
    does not share the CPUs with other work; says what it found."""
    deadline = time.monotonic() + max_seconds
    warned = False
    while True:
        before = machine_busy()
        time.sleep(1)
        after = machine_busy()
        busy = (after[0] - before[0]) / max(after[1] - before[1], 1e-9)
        if busy < busy_below:
            return f"machine {busy:.0%} busy before the run"
        if time.monotonic() >= deadline:
            return f"WARNING: machine still {busy:.0%} busy before the run (figures are low)"
        if not warned:
            print(f"machine {busy:.0%} busy: waiting up to {max_seconds:g} s for it to quiet down")
            warned = True


def postgres_backends(dbname: str = DB_NAME) -> list[int]:
    """The PostgreSQL backends connected to `dbname` (other databases' work is left out)."""
    with pg_connect("postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [dbname],
        ).fetchall()
    return [pid for (pid,) in rows]


def postgres_background() -> list[int]:
    """The cluster's own processes (WAL writer, checkpointer, autovacuum…), shared by all."""
    with pg_connect("postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE backend_type <> 'client backend'"
        ).fetchall()
    return [pid for (pid,) in rows]


def redis_pids() -> list[int]:
    return processes_where(lambda stat: stat["name"].startswith("redis-server"))


# --- profile ---------------------------------------------------------------------------------

# Where time goes, by the file that spent it (self time), first match wins.
COMPONENTS = (
    ("benchmark scripts and tracing (bench/)", ("/bench/",)),
    ("psycopg (driver, socket wait)", ("psycopg",)),
    ("redis client (socket wait)", ("redis/",)),
    ("Django ORM (SQL compile, model rows)", ("django/db/",)),
    (
        "DRF serializers and fields",
        (
            "rest_framework/serializers",
            "rest_framework/fields",
            "rest_framework/relations",
            "rest_framework/utils/serializer_helpers",
        ),
    ),
    ("DRF views, renderers, rest", ("rest_framework/",)),
    ("JSON encoding", ("json/",)),
    ("Django middleware, request, response, cache", ("django/",)),
    ("Greenroom code", ("/config/", "/events/", "/speakers/", "/tickets/")),
    (
        "datetime, zoneinfo, pickle, socket",
        ("zoneinfo", "datetime", "pickle", "socket", "selectors"),
    ),
)


def repeat_for(seconds: float, call) -> tuple[int, float]:
    """Call `call` until `seconds` have passed (at least 5 times); (calls, elapsed seconds)."""
    count, started = 0, time.perf_counter()
    while count < 5 or time.perf_counter() - started < seconds:
        call()
        count += 1
    return count, time.perf_counter() - started


def walk_self_time(frame):
    """(frame, self time) for every real frame of a pyinstrument tree; the time of synthetic
    children ("[self]", "[await]") belongs to their parent."""
    real = [child for child in frame.children if not child.is_synthetic]
    yield frame, max(0.0, frame.time - sum(child.time for child in real))
    for child in real:
        yield from walk_self_time(child)


def inclusive_times(root, steps) -> dict[str, float]:
    totals = {label: 0.0 for label, _, _ in steps}

    def visit(frame, inside: frozenset) -> None:
        now_inside = set(inside)
        for label, function, path in steps:
            if (
                label not in inside
                and frame.function == function
                and path in (frame.file_path or "")
            ):
                totals[label] += frame.time
                now_inside.add(label)
        frozen = frozenset(now_inside)
        for child in frame.children:
            visit(child, frozen)

    visit(root, frozenset())
    return totals


def short_path(path: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path.rsplit("/lib/", 1)[-1]


def print_profile(label: str, call, *, seconds: float, top: int, steps=()) -> None:
    """Profile `call` (repeated for `seconds`) with pyinstrument: self time by component and
    by function, and the inclusive time of named `steps` ((label, function, path) triples)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    profiler.start()
    repeat, _ = repeat_for(seconds, call)
    profiler.stop()
    root = profiler.last_session.root_frame()
    total = root.time
    by_component: dict[str, float] = {}
    by_function: dict[tuple[str, str], float] = {}
    for frame, self_time in walk_self_time(root):
        path = frame.file_path or ""
        name = next(
            (name for name, needles in COMPONENTS if any(n in path for n in needles)), "other"
        )
        by_component[name] = by_component.get(name, 0.0) + self_time
        where = f"{short_path(path)}:{frame.line_no}"
        function = f"{frame.class_name + '.' if frame.class_name else ''}{frame.function}"
        by_function[(function, where)] = by_function.get((function, where), 0.0) + self_time
    print()
    print(
        f"  {label}: {total / repeat * 1000:.2f} ms/request under the profiler; "
        "self time by component:"
    )
    for name, spent in sorted(by_component.items(), key=lambda item: -item[1]):
        print(f"    {spent / total * 100:5.1f}%  {name}")
    print(f"  top functions by self time ({label}):")
    for (function, where), spent in sorted(by_function.items(), key=lambda i: -i[1])[:top]:
        print(f"    {spent / total * 100:5.1f}%  {function}  ({where})")
    if steps:
        print(f"  inclusive time of named steps ({label}):")
        for step, spent in inclusive_times(root, steps).items():
            if spent:
                print(f"    {spent / total * 100:5.1f}%  {step}")


# --- report ----------------------------------------------------------------------------------


def percentile(sorted_values: list[float], share: float) -> float:
    """The value below which `share` of the sorted values lie (nearest rank); NaN when empty."""
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def print_table(columns: list[tuple[str, int, str]], rows: list[list]) -> None:
    """A fixed-width table: each column is (heading, width, format spec); the first column is
    left-aligned, the others right-aligned."""
    for row in [None, *rows]:
        cells = []
        for position, (heading, width, spec) in enumerate(columns):
            if row is None:
                text = heading
            else:
                value = row[position]
                text = format(value, spec) if isinstance(value, int | float) else str(value)
            cells.append(f"{text:<{width}}" if position == 0 else f"{text:>{width}}")
        print(" ".join(cells).rstrip())


def machine_facts(load_generator: str) -> None:
    import django

    with pg_connect() as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    gunicorn = subprocess.run(  # noqa: S603 - fixed argument list
        [str(VENV_BIN / "gunicorn"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    cpu_model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = ", " + line.split(":", 1)[1].strip()
                break
    print()
    print("machine:")
    print(
        f"  nproc {os.cpu_count()} ({platform.machine()}{cpu_model}, "
        f"{platform.system()} {platform.release()})"
    )
    print(f"  Python {platform.python_version()}, Django {django.get_version()}, {gunicorn}")
    print(f"  PostgreSQL server {pg_version}; load generator: {load_generator}")
