"""Fixtures for fault tests: a Redis server of the test's own to stop and start again, and real
web and worker processes (subprocesses, so they can be killed) on the test database.

The processes run with tests/faults/process_settings.py and write their output to log files
the test reads. Every process started is stopped when the test ends, passed or failed.
"""

import email
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection

from config.celery import TASK_QUEUES
from config.celery import app as celery_app
from tests.helpers import wait_for
from tests.tickets.conftest import (
    WEBHOOK_SECRET,
    free_port,
    webhook_settings,  # noqa: F401 (a fixture, used here too)
)

ROOT = Path(__file__).resolve().parents[2]
SERVICES_REQUIRED = os.environ.get("GREENROOM_REQUIRE_SERVICES") == "1"
# Starting Python, Django and Celery takes seconds, more on a busy machine.
STARTUP_SECONDS = 60


class OwnRedis:
    """A redis-server of this test alone, on a free port, keeping nothing on disk."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with (self.workdir / "redis.log").open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.workdir)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        assert wait_for(self.answers, seconds=STARTUP_SECONDS), "our redis-server did not start"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=5)

    def answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def drained(self) -> bool:
        """No task waits in the queue and none is being worked on (acks late: a task stays
        in kombu's `unacked` hash until it finished)."""
        client = self.client()
        queued = sum(client.llen(queue) for queue in TASK_QUEUES)
        return queued == 0 and client.hlen("unacked") == 0


@pytest.fixture
def own_redis(tmp_path):
    """Our own running Redis; `.stop()` and `.start()` it at will."""
    binary = shutil.which("redis-server")
    if binary is None:
        if SERVICES_REQUIRED:
            pytest.fail("redis-server is not installed")
        pytest.skip("needs the redis-server binary")
    server = OwnRedis(binary, tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Mailbox:
    """The e-mails that Django's file backend wrote in the processes, one file per connection."""

    SEPARATOR = "\n" + "-" * 79 + "\n"

    def __init__(self, path: Path) -> None:
        self.path = path

    def messages(self) -> list[Message]:
        return [
            email.message_from_string(chunk)
            for file in sorted(self.path.glob("*.log"))
            for chunk in file.read_text().split(self.SEPARATOR)
            if chunk.strip()
        ]


@pytest.fixture
def mailbox(tmp_path) -> Mailbox:
    path = tmp_path / "mail"
    path.mkdir()
    return Mailbox(path)


class Process:
    """A started web or worker process and its log."""

    def __init__(self, popen: subprocess.Popen, log: Path, url: str = "") -> None:
        self.popen = popen
        self.log_path = log
        self.url = url

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def running(self) -> bool:
        return self.popen.poll() is None

    def wait_until_ready(self, ready: Callable[[], bool]) -> None:
        """Wait until `ready()`; fail with the end of the log if the process exits first."""
        wait_for(lambda: ready() or not self.running(), seconds=STARTUP_SECONDS)
        assert self.running(), f"{self.log_path.stem} exited:\n{self.log()[-3000:]}"
        assert ready(), f"{self.log_path.stem} is not ready:\n{self.log()[-3000:]}"

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, nothing tidied up."""
        self.popen.kill()
        self.popen.wait(timeout=30)


def database_url() -> str:
    """The test database (not the one named in DATABASE_URL), for other processes."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Processes:
    """Starts web and worker processes sharing the test database, and stops them all."""

    def __init__(self, tmp_path: Path, mailbox: Mailbox) -> None:
        self.tmp_path = tmp_path
        self.mailbox = mailbox
        self.started: list[Process] = []

    def _start(self, name: str, args: list[str], *, broker_url: str, env: dict) -> Process:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.faults.process_settings",
            "DATABASE_URL": database_url(),
            "FAULTS_BROKER_URL": broker_url,
            "FAULTS_MAIL_DIR": str(self.mailbox.path),
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "PYTHONUNBUFFERED": "1",
            "TMPDIR": str(self.tmp_path),  # the test settings make a media folder there
            **env,
        }
        log = self.tmp_path / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(  # noqa: S603 (our own interpreter and commands)
                [sys.executable, *args],
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        process = Process(popen, log)
        self.started.append(process)
        return process

    def worker(self, name: str, *, broker_url: str, **env: str) -> Process:
        """A Celery worker running one task at a time in its own process; returns when ready."""
        process = self._start(
            name,
            ["-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-heartbeat", "--without-gossip", "--without-mingle",
             f"--hostname={name}@faults"],
            broker_url=broker_url,
            env=env,
        )  # fmt: skip
        process.wait_until_ready(lambda: " ready." in process.log())
        return process

    def web(self, *, broker_url: str, **env: str) -> Process:
        """Django's development server in its own process; returns once it answers."""
        port = free_port()
        process = self._start(
            "web",
            ["manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            broker_url=broker_url,
            env=env,
        )
        process.url = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            try:
                urllib.request.urlopen(f"{process.url}/api/v1/", timeout=5)  # noqa: S310
            except urllib.error.HTTPError:
                return True
            except OSError:
                return False
            return True

        process.wait_until_ready(answers)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.running():
                process.kill()


@pytest.fixture
def processes(transactional_db, tmp_path, mailbox):
    """Start web and worker processes; all of them are killed when the test ends."""
    started = Processes(tmp_path, mailbox)
    try:
        yield started
    finally:
        started.stop_all()


def queue_task(broker_url: str, task, *args) -> str:
    """Queue `task(*args)` on the broker at `broker_url`, as a process configured with that
    broker would, and return the task's id. (This process runs tasks eagerly, so it says
    which broker to use.)"""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write(broker_url) as broker:
            return task.apply_async(args, connection=broker, ignore_result=True).id
    finally:
        celery_app.conf.task_always_eager = eager
