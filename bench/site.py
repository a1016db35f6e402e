"""Throughput of the public site's pages against a minimal Django view (on demand).

    cd /work/main && .venv/bin/python bench/site.py [--duration 10] [--connections 16]

Uses the event of bench/agenda.py (200 published sessions over 4 stages, 400 speakers) in the
PostgreSQL database `greenroom_bench`, the same gunicorn server (2 sync workers, Redis cache)
and load generator, and prints requests/s, p50/p99 and each page as a share of the minimal
view, anonymous, rendered from the database each time. Pages carry a fresh CSP nonce in every
answer, so a browser cannot revalidate them with a 304 (the body differs each time) and no
shared cache may keep them: every request is a render. Run it with
`--settings bench.settings_uncached` (VERSION_CACHE_SECONDS=0: the agenda version read from the
database every time) for the uncached figures. Never run in CI.
"""

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.agenda import (
    EVENT_SLUG,
    Target,
    load_generator,
    measure_on_server,
    parse_args,
    print_results,
)
from bench.common import fetch, machine_facts

SITE = f"/events/{EVENT_SLUG}"

# Shares of the minimal view's requests/s to aim for: a page renders far more than an API
# page of JSON does.
AIMS = (
    ("event home", "home-full", 0.25),
    ("agenda page, 200 sessions", "agenda-full", 0.1),
)


def make_targets() -> list[Target]:
    return [
        Target("minimal", "(a) minimal Django view", "/bench/minimal/", 200),
        Target("home-full", "(b) event home (200)", f"{SITE}/", 200),
        Target("agenda-full", "(c) agenda page, 200 sessions (200)", f"{SITE}/agenda/", 200),
        Target("speakers-full", "(d) speakers page, 400 speakers (200)", f"{SITE}/speakers/", 200),
        Target(
            "agenda-gzip",
            "(e) agenda page, Accept-Encoding: gzip (200)",
            f"{SITE}/agenda/",
            200,
            headers={"Accept-Encoding": "gzip"},
        ),
    ]  # fmt: skip


def verify(port: int, targets: list[Target]) -> None:
    """Each page answers what it should before anything is measured; note its size."""
    for target in targets:
        answer = fetch(port, target.path, target.headers)
        if answer.status != target.expect:
            sys.exit(f"ABORT: {target.label} GET {target.path} answered {answer.status}")
        target.body_bytes = len(answer.body)


def main() -> None:
    args = parse_args()
    targets = make_targets()
    again, wrk = measure_on_server(args, targets, verify)
    print_results(targets, AIMS)
    drift = again.result["rps"] / targets[0].result["rps"] - 1
    print(f"reference drift: the minimal view measured last moved {drift:+.0%}.")
    print("response bodies (bytes): " + ", ".join(f"{t.key} {t.body_bytes}" for t in targets))
    machine_facts(load_generator(wrk))


if __name__ == "__main__":
    main()
