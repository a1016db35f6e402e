"""Celery tasks of the events app: thin wrappers around services, safe to run twice."""

from celery import shared_task

from events import services


@shared_task
def purge_old_tombstones() -> int:
    return services.purge_old_tombstones()
