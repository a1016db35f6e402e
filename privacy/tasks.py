"""Celery tasks of the privacy app: thin, safe to run twice.

Beat runs `anonymise_past_attendees` daily (GREENROOM_ATTENDEE_RETENTION_DAYS).
"""

from celery import shared_task

from privacy import services


@shared_task
def anonymise_past_attendees() -> int:
    return services.anonymise_past_attendees()
