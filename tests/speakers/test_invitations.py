"""Lineup answers and invitation e-mails, eagerly and through a real Celery worker."""

import pytest
from celery.result import EagerResult
from django.core import mail

from speakers.models import LineupEntry
from speakers.services import invite_speakers, send_invitation_email, set_lineup_status
from speakers.tasks import send_speaker_invitation
from tests.factories import EventFactory, LineupEntryFactory, SpeakerFactory
from tests.helpers import wait_for


@pytest.mark.django_db
def test_marking_confirmed_stamps_the_confirmation_time():
    entry = LineupEntryFactory()

    changed = set_lineup_status(event=entry.event, speakers=[entry.speaker], status="confirmed")

    entry.refresh_from_db()
    assert (changed, entry.status) == (1, "confirmed")
    assert entry.confirmed_at is not None


@pytest.mark.django_db
def test_marking_a_speaker_outside_the_lineup_adds_them_with_that_status():
    event, speaker = EventFactory(), SpeakerFactory()

    set_lineup_status(event=event, speakers=[speaker], status="declined")

    entry = LineupEntry.objects.get(event=event, speaker=speaker)
    assert entry.status == "declined"
    assert entry.declined_at is not None


@pytest.mark.django_db
def test_marking_the_status_a_speaker_already_has_changes_nothing():
    entry = LineupEntryFactory(status="declined", declined_at="2030-01-01T00:00:00Z")

    changed = set_lineup_status(event=entry.event, speakers=[entry.speaker], status="declined")

    entry.refresh_from_db()
    assert changed == 0
    assert entry.declined_at.isoformat() == "2030-01-01T00:00:00+00:00"


@pytest.mark.django_db
def test_invitation_sends_one_email_naming_the_event(django_capture_on_commit_callbacks):
    event = EventFactory(name="TC Sessions: Mobility 2021")
    speaker = SpeakerFactory(name="Huan Sun", email="huan@momenta.example")

    with django_capture_on_commit_callbacks(execute=True):
        result = invite_speakers(event=event, speakers=[speaker])

    assert result.queued == [speaker]
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["huan@momenta.example"], "Invitation to speak at TC Sessions: Mobility 2021")
    ]
    assert "Dear Huan Sun" in mail.outbox[0].body
    entry = LineupEntry.objects.get(event=event, speaker=speaker)
    assert entry.status == "invited"
    assert entry.invitation_sent_at is not None


@pytest.mark.django_db
def test_invitation_passes_over_speakers_without_email_or_already_confirmed(
    django_capture_on_commit_callbacks,
):
    confirmed = LineupEntryFactory(status="confirmed", confirmed_at="2030-01-01T00:00:00Z")
    without_email = SpeakerFactory(email="")

    with django_capture_on_commit_callbacks(execute=True):
        result = invite_speakers(event=confirmed.event, speakers=[confirmed.speaker, without_email])

    assert (result.queued, result.without_email) == ([], [without_email])
    assert result.already_confirmed == [confirmed.speaker]
    assert mail.outbox == []


@pytest.mark.django_db
def test_invitation_task_run_twice_sends_one_email():
    entry = LineupEntryFactory()

    first, second = send_speaker_invitation(entry.pk), send_speaker_invitation(entry.pk)

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_invitation_for_a_deleted_lineup_entry_sends_nothing():
    assert send_invitation_email(lineup_entry_id=987654) is False
    assert mail.outbox == []


@pytest.mark.requires_redis
def test_invitation_email_is_sent_by_a_real_worker_through_redis(celery_worker_on_redis):
    event = EventFactory(name="TC Sessions: Mobility 2021")
    speaker = SpeakerFactory(email="jennifer@weride.example")

    invite_speakers(event=event, speakers=[speaker])  # queued to Redis when its commit lands

    entry = LineupEntry.objects.get(event=event, speaker=speaker)
    # The worker sends, then its transaction stamps the entry: wait for the commit, not the send.
    assert wait_for(
        lambda: LineupEntry.objects.filter(pk=entry.pk, invitation_sent_at__isnull=False).exists()
    ), "the worker did not record a sent invitation in 20 s"
    assert [message.to for message in mail.outbox] == [["jennifer@weride.example"]]

    redelivered = send_speaker_invitation.delay(entry.pk)
    assert not isinstance(redelivered, EagerResult)
    assert redelivered.get(timeout=20) is False
    assert len(mail.outbox) == 1
