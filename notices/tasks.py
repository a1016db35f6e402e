"""Celery tasks of the notices app: thin, take ids, safe to run twice."""

from celery import shared_task

from notices import digests


@shared_task
def send_programme_digest(user_id: int) -> bool:
    """Tell one person, once, of everything that changed in the sessions they bookmarked."""
    return digests.send_programme_digest(user_id=user_id)
