"""Per-request SQL accounting for benchmark servers (bench/settings.py adds it when the
environment has BENCH_TRACE=1; bench/flash_sale.py sets that).

Every answer gets headers the load generator aggregates:

- `X-Bench-Queries`: SQL statements the request ran;
- `X-Bench-Sql-Ms`: time spent in them;
- `X-Bench-Lock-Wait-Ms`: time spent in statements that take inventory row locks: the
  inventory counters' conditional UPDATE (tickets/inventory.py) and any `SELECT … FOR UPDATE`
  (mostly waiting for the row locks other transactions hold);
- `X-Bench-Lock-Hold-Ms`: from the end of the first of those (locks taken) to the end of the
  transaction's COMMIT (locks released); only for committed transactions;
- `X-Bench-Commit-Ms`: from the end of the transaction's last statement to the end of its
  COMMIT (WAL flush; Python between the two is included);
- `X-Bench-Server-Ms`: the whole request inside Django, from this middleware's view.

Cost: two `perf_counter()` calls and a string test per statement.
"""

import time

from django.db import connection, transaction

# Statements that take row locks held to the end of the transaction.
LOCKING = ("FOR UPDATE", 'UPDATE "tickets_inventorycounter"')


class _Trace:
    def __init__(self) -> None:
        self.count = 0
        self.sql = 0.0
        self.lock_wait = 0.0
        self.locked_at: float | None = None
        self.committed_at: float | None = None
        self.last_ended = 0.0
        self.last_before_commit = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ended = time.perf_counter()
            self.last_ended = ended
            self.count += 1
            self.sql += ended - started
            if any(marker in sql for marker in LOCKING):
                self.lock_wait += ended - started
                if self.locked_at is None:
                    self.locked_at = ended
                    transaction.on_commit(self._committed)

    def _committed(self) -> None:
        self.committed_at = time.perf_counter()
        self.last_before_commit = self.last_ended


class QueryTraceMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        trace = _Trace()
        started = time.perf_counter()
        with connection.execute_wrapper(trace):
            response = self.get_response(request)
        response["X-Bench-Server-Ms"] = f"{(time.perf_counter() - started) * 1000:.3f}"
        response["X-Bench-Queries"] = str(trace.count)
        response["X-Bench-Sql-Ms"] = f"{trace.sql * 1000:.3f}"
        response["X-Bench-Lock-Wait-Ms"] = f"{trace.lock_wait * 1000:.3f}"
        if trace.locked_at is not None and trace.committed_at is not None:
            hold = (trace.committed_at - trace.locked_at) * 1000
            response["X-Bench-Lock-Hold-Ms"] = f"{hold:.3f}"
            commit = (trace.committed_at - trace.last_before_commit) * 1000
            response["X-Bench-Commit-Ms"] = f"{commit:.3f}"
        return response
