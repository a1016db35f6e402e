"""Settings for benchmark servers: the product's own, plus a URLconf with reference views."""

import os

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.benchurls"

# As if behind one reverse proxy: the client address is the last X-Forwarded-For entry. The
# load generator gives each request its own address, so the throttles see many clients with
# short histories, as in production, rather than one address with a minute of history.
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": 1}  # noqa: F405

# Per-request SQL and lock timings in response headers (bench/trace.py), outermost.
if os.environ.get("BENCH_TRACE") == "1":
    MIDDLEWARE = ["bench.trace.QueryTraceMiddleware", *MIDDLEWARE]  # noqa: F405
