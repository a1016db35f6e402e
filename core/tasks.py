"""Celery tasks of core: thin wrappers around services, safe to run twice."""

from celery import shared_task

from core import services


@shared_task
def purge_old_tombstones() -> int:
    return services.purge_old_tombstones()
