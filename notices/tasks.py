"""Celery tasks of the notices app: thin, take ids, safe to run twice.

Beat runs `send_overdue_programme_digests` every five minutes.
"""

from celery import shared_task

from notices import digests


@shared_task
def send_programme_digest(user_id: int) -> bool:
    """Tell one person, once, of everything that changed in the sessions they bookmarked."""
    return digests.send_programme_digest(user_id=user_id)


@shared_task
def send_overdue_programme_digests() -> int:
    """Send the digests whose own task was lost or came too early."""
    return digests.send_overdue_digests()
