"""`make run`'s launcher: the development server, and a local Stripe beside it unless keys are set.

`python -m config.rundev [ADDRPORT]` (127.0.0.1:8000 by default). With STRIPE_SECRET_KEY in the
environment it only runs `manage.py runserver`. Without it, so that a fresh clone can buy a pass:

1. starts localstripe on the loopback (config/localstripe.py, port 8420 or LOCALSTRIPE_PORT),
   from scratch, and waits until it answers;
2. registers the site's webhook endpoint with it (payment_intent.succeeded,
   payment_intent.payment_failed, charge.refunded), signed with a secret made for this run;
3. starts runserver with test keys pointing at it (STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY,
   STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE) and PAYMENTS_SIMULATED=1, which shows the banner;
4. when the site stops (Ctrl-C, SIGTERM, or runserver exiting by itself), stops localstripe.

Each child runs in a process group of its own, so that stopping one stops its children too
(runserver's autoreloader runs the site in a child process).
"""

import argparse
import contextlib
import os
import secrets
import signal
import subprocess  # nosec B404  # starts our own manage.py and localstripe, fixed arguments
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "sk_test_greenroom_local"  # noqa: S105  # nosec B105  # localstripe takes any key
PUBLISHABLE_KEY = "pk_test_greenroom_local"
WEBHOOK_EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded")
START_TIMEOUT_SECONDS = 20
STOP_TIMEOUT_SECONDS = 10


def _say(message: str) -> None:
    print(f"rundev: {message}", file=sys.stderr, flush=True)


class _Stopped(Exception):
    """SIGINT (Ctrl-C), SIGTERM or SIGHUP arrived."""


def _on_signal(signum, frame):
    raise _Stopped(signum)


def _start(
    command: list[str], children: list[subprocess.Popen], env: dict[str, str] | None = None
) -> subprocess.Popen:
    """Start a child in a session of its own, recorded in `children` at once (for cleanup)."""
    process = subprocess.Popen(  # noqa: S603  # nosec B603  # our own interpreter and modules
        command, cwd=BASE_DIR, env=env, start_new_session=True
    )
    children.append(process)
    return process


def stop_process(process: subprocess.Popen, first_signal: int = signal.SIGTERM) -> None:
    """Signal the process's whole group, then kill what is left after a grace period."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, first_signal)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # children of an exited leader, or a stuck one
    process.wait()


def _localstripe_answers(base: str) -> bool:
    try:
        urllib.request.urlopen(f"{base}/v1/balance", timeout=1)  # noqa: S310  # nosec B310
    except urllib.error.HTTPError:
        return True  # 401 without a key: it is up
    except OSError:
        return False
    return True


def register_webhook(base: str, *, url: str, secret: str) -> None:
    data = urllib.parse.urlencode(
        [("url", url), ("secret", secret), *(("events[]", event) for event in WEBHOOK_EVENTS)]
    ).encode()
    request = urllib.request.Request(  # noqa: S310  # our local localstripe
        f"{base}/_config/webhooks/greenroom", data=data, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310  # nosec B310
        pass


def start_localstripe(port: int, children: list[subprocess.Popen]) -> tuple[subprocess.Popen, str]:
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "config.localstripe", "--port", str(port), "--from-scratch"]
    process = _start(command, children)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not _localstripe_answers(base):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"rundev: localstripe did not start on {base} (port in use?)")
        time.sleep(0.1)
    return process, base


def _site_url(addrport: str) -> str:
    host, _, port = addrport.rpartition(":")
    return f"http://{host or '127.0.0.1'}:{port or '8000'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
    parser.add_argument("--noreload", action="store_true", help="runserver without autoreload")
    parser.add_argument(
        "--stripe-port", type=int, default=int(os.environ.get("LOCALSTRIPE_PORT", "8420"))
    )
    args = parser.parse_args(argv)
    runserver = [sys.executable, "manage.py", "runserver", args.addrport]
    if args.noreload:
        runserver.append("--noreload")

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    children: list[subprocess.Popen] = []
    try:
        return _serve(args.addrport, runserver, args.stripe_port, children)
    except _Stopped:
        return 0
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut cleanup short
        # The children have sessions of their own, so Ctrl-C reached only us: pass it on,
        # the site first (SIGINT, as from a terminal), then localstripe.
        for process in reversed(children):
            stop_process(process, signal.SIGINT)
        _say("stopped")


def _serve(
    addrport: str, runserver: list[str], stripe_port: int, children: list[subprocess.Popen]
) -> int:
    """Start localstripe (unless keys are set) and the site; return when the site ends."""
    env = dict(os.environ)
    localstripe = None
    if env.get("STRIPE_SECRET_KEY"):
        _say("STRIPE_SECRET_KEY is set: using that Stripe, no local one")
    else:
        localstripe, stripe_base = start_localstripe(stripe_port, children)
        webhook_secret = f"whsec_{secrets.token_hex(16)}"
        site_url = env.get("SITE_URL") or _site_url(addrport)
        try:
            register_webhook(
                stripe_base, url=f"{site_url}/api/v1/webhooks/stripe/", secret=webhook_secret
            )
        except OSError as error:
            raise SystemExit(f"rundev: could not register the webhook: {error}") from error
        env.update(
            STRIPE_SECRET_KEY=SECRET_KEY,
            STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
            STRIPE_WEBHOOK_SECRET=webhook_secret,
            STRIPE_API_BASE=stripe_base,
            SITE_URL=site_url,
            PAYMENTS_SIMULATED="1",
        )
        _say(
            f"localstripe (pid {localstripe.pid}) on {stripe_base}, webhook registered; "
            "payments are simulated (test card 4242 4242 4242 4242)"
        )

    site = _start(runserver, children, env=env)
    _say(f"site (pid {site.pid}) on {_site_url(addrport)}")
    while site.poll() is None:
        if localstripe is not None and localstripe.poll() is not None:
            _say("localstripe exited; stopping the site")
            return 1
        time.sleep(0.2)
    return site.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
