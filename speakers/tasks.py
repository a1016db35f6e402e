"""Celery tasks of the speakers app: thin wrappers that take ids and call one service."""

from celery import shared_task

from speakers import services


@shared_task
def send_speaker_invitation(lineup_entry_id: int) -> bool:
    return services.send_invitation_email(lineup_entry_id=lineup_entry_id)


@shared_task
def notify_organizers_of_answer(lineup_entry_id: int) -> bool:
    return services.send_answer_notification(lineup_entry_id=lineup_entry_id)
