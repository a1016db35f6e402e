"""`make run`'s launcher (config/rundev.py): a local Stripe beside the site, stopped with it.

Each test starts the launcher as `make run` does, in a subprocess, on a SQLite database in a
temporary GREENROOM_VAR_DIR, with free ports; then looks at it from outside: sockets, the
site's answers, the processes left.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.tickets.conftest import free_port

PROJECT_DIR = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60


@dataclass
class Launch:
    """One running launcher: its process, ports and combined output."""

    process: subprocess.Popen
    output: Path
    site_port: int
    stripe_port: int

    @property
    def site(self) -> str:
        return f"http://127.0.0.1:{self.site_port}"

    @property
    def stripe(self) -> str:
        return f"http://127.0.0.1:{self.stripe_port}"

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def pid_of(self, what: str) -> int:
        return int(re.search(rf"{what} \(pid (\d+)\)", self.log()).group(1))

    def wait_for_log(self, pattern: str) -> re.Match:
        deadline = time.monotonic() + START_TIMEOUT
        while (found := re.search(pattern, self.log())) is None:
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n{self.log()[-2000:]}"
            time.sleep(0.1)
        return found

    def stop(self, signum: int = signal.SIGINT) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=START_TIMEOUT)


def _environment(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("STRIPE_", "DATABASE_", "CELERY_", "CACHE_", "DJANGO_"))
        and name not in {"PAYMENTS_SIMULATED", "SITE_URL", "LOCALSTRIPE_PORT"}
    }
    return {**env, "GREENROOM_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1", **extra}


def _answers(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _accepts(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def processes_in_group(pgid: int) -> list[int]:
    """Live processes (zombies excepted) whose process group is `pgid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[3])
        if group == pgid and state != "Z":
            found.append(int(stat.parent.name))
    return found


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    """A migrated SQLite database for the launched sites (shared: the tests only read)."""
    var = tmp_path_factory.mktemp("rundev-var")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=PROJECT_DIR,
        env=_environment(var),
        check=True,
    )
    return var


@pytest.fixture
def launch(var_dir, tmp_path):
    """Start the launcher as `make run` does; returns a function taking extra environment."""
    started: list[Launch] = []

    def launch(**extra: str) -> Launch:
        site_port, stripe_port = free_port(), free_port()
        output = tmp_path / f"rundev-{len(started)}.log"
        with output.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [
                    sys.executable,
                    "-m",
                    "config.rundev",
                    f"127.0.0.1:{site_port}",
                    "--stripe-port",
                    str(stripe_port),
                ],
                cwd=PROJECT_DIR,
                env=_environment(var_dir, **extra),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        running = Launch(process, output, site_port, stripe_port)
        started.append(running)
        deadline = time.monotonic() + START_TIMEOUT
        while _answers(f"{running.site}/") is None:
            assert process.poll() is None, f"the launcher exited:\n{running.log()[-2000:]}"
            assert time.monotonic() < deadline, f"the site did not start:\n{running.log()}"
            time.sleep(0.2)
        return running

    yield launch
    for running in started:
        if running.process.poll() is None:
            running.stop()


def _wait_until_gone(pgids: list[int]) -> dict[int, list[int]]:
    deadline = time.monotonic() + START_TIMEOUT
    while (left := {pgid: processes_in_group(pgid) for pgid in pgids}) != {
        pgid: [] for pgid in pgids
    } and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _localstripe(base: str, path: str, params: dict[str, str]) -> dict:
    request = urllib.request.Request(  # noqa: S310 (our local localstripe)
        f"{base}{path}",
        data=urllib.parse.urlencode(params).encode(),
        headers={"Authorization": "Bearer sk_test_greenroom_local"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def test_rundev_starts_localstripe_on_the_loopback_only(launch):
    running = launch()

    assert _answers(f"{running.stripe}/v1/balance") == 401  # up, asking for a key
    assert _accepts("::1", running.stripe_port) is False


def test_rundev_site_shows_that_payments_are_simulated(launch):
    running = launch()

    with urllib.request.urlopen(f"{running.site}/", timeout=10) as response:  # noqa: S310
        page = response.read().decode()

    assert "simulated" in page.lower()


def test_rundev_registers_the_site_webhook_with_localstripe(launch):
    running = launch()
    intent = _localstripe(
        running.stripe, "/v1/payment_intents", {"amount": "1000", "currency": "usd"}
    )
    _localstripe(
        running.stripe, f"/v1/payment_intents/{intent['id']}", {"payment_method": "pm_card_visa"}
    )

    _localstripe(running.stripe, f"/v1/payment_intents/{intent['id']}/confirm", {})

    # 200, not 400: localstripe signed the event with the secret the site was given.
    running.wait_for_log(r'"POST /api/v1/webhooks/stripe/ HTTP/1\.1" 200')


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_rundev_stopped_leaves_no_process(launch, signum):
    running = launch()
    groups = [running.pid_of("localstripe"), running.pid_of("site")]

    returncode = running.stop(signum)

    assert returncode == 0
    assert _wait_until_gone(groups) == {pgid: [] for pgid in groups}


def test_rundev_stops_localstripe_when_the_site_dies(launch):
    running = launch()
    localstripe, site = running.pid_of("localstripe"), running.pid_of("site")

    os.killpg(site, signal.SIGKILL)
    running.process.wait(timeout=START_TIMEOUT)

    assert _wait_until_gone([localstripe, site]) == {localstripe: [], site: []}


def test_rundev_with_a_stripe_key_starts_no_local_stripe(launch):
    running = launch(STRIPE_SECRET_KEY="sk_test_configured_elsewhere")

    assert "using that Stripe, no local one" in running.log()
    assert _accepts("127.0.0.1", running.stripe_port) is False
