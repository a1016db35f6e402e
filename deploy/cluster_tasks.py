"""A task the cluster check can hold mid-flight on any queue, then kill its worker.

`probe(probe_id)` records that it started (which worker), waits until the check releases it
(a key in the shared cache), then records that it completed. Each record is committed at
once, so the table `cluster_probe_run` (made by deploy/cluster_check.py) shows a start by the
killed worker, then a start and the one completion by the other. Loaded only by
deploy/cluster_settings.py.
"""

import time

from celery import shared_task
from django.core.cache import cache
from django.db import connection

RELEASE_WAIT_SECONDS = 300


def release_key(probe_id: str) -> str:
    return f"cluster-check:release:{probe_id}"


def record(probe_id: str, hostname: str, step: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cluster_probe_run (probe_id, hostname, step) VALUES (%s, %s, %s)",
            [probe_id, hostname, step],
        )


@shared_task(bind=True, name="cluster_check.probe")
def probe(self, probe_id: str) -> None:
    record(probe_id, self.request.hostname, "started")
    deadline = time.monotonic() + RELEASE_WAIT_SECONDS
    while not cache.get(release_key(probe_id)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"probe {probe_id} was never released")
        time.sleep(0.1)
    record(probe_id, self.request.hostname, "completed")
