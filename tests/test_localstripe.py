"""The local Stripe of the README walkthrough and the test fixtures answers the loopback only."""

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.tickets.conftest import free_port

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _accepts(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def _outward_address() -> str | None:
    """This machine's address towards other hosts (no packet is sent), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.123", 9))
        except OSError:
            return None
        address = sock.getsockname()[0]
    return None if address.startswith("127.") else address


@pytest.fixture
def local_stripe_port():
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [sys.executable, "-m", "config.localstripe", "--port", str(port), "--from-scratch"],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while not _accepts("127.0.0.1", port):
            assert process.poll() is None, "localstripe exited"
            assert time.monotonic() < deadline, "localstripe did not start"
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        if process.poll() is None:
            process.kill()


def test_local_stripe_refuses_connections_beyond_the_loopback(local_stripe_port):
    # `localstripe` itself binds `::`, which accepts all of these.
    others = ["::1", *filter(None, [_outward_address()])]

    assert {host: _accepts(host, local_stripe_port) for host in others} == dict.fromkeys(
        others, False
    )


def test_readme_walkthrough_starts_local_stripe_on_the_loopback():
    readme = (PROJECT_DIR / "README.md").read_text()

    assert "python -m config.localstripe --port 8420" in readme
    assert "bin/localstripe" not in readme
