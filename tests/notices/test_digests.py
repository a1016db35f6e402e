"""Digests of programme changes: one e-mail per person per batching window, for those who
bookmarked the session and did not turn notices off, sent once however often the task runs."""

import datetime as dt
import email.policy

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from agenda.services import add_bookmark
from core import domain_events
from notices.digests import send_overdue_digests, send_programme_digest
from notices.models import ProgrammeNotice
from notices.services import record_programme_change, set_programme_notices
from tests.factories import SessionFactory, StageFactory, UserFactory
from tests.helpers import wait_for
from tests.notices.conftest import move, publish_change, session_event

pytestmark = pytest.mark.django_db


def test_three_rapid_edits_make_one_digest_showing_where_the_session_is_now(
    session, bookmarker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        move(session, minutes=30)
        move(session, minutes=30)
        session.stage = StageFactory(event=session.event, name="Hall B")
        session.save()
        publish_change(session, "stage_changed")

    (message,) = mail.outbox
    text = message.body
    assert message.to == ["ada@example.com"]
    assert message.subject == "Programme change: Robotaxis at scale"
    # 10:00 in Los Angeles, moved twice by half an hour: the current time, once, in local time.
    assert "Mon 10 Jun 2030, 11:00–11:45 (America/Los_Angeles)" in text
    assert text.count("Robotaxis at scale") == 1
    assert "Hall B" in text
    assert "(moved, changed stage)" in text


def test_edits_are_collected_by_one_task_for_the_batching_window(
    session, bookmarker, django_capture_on_commit_callbacks, settings
):
    settings.NOTICES_BATCH_WINDOW = 600

    with django_capture_on_commit_callbacks() as scheduled:
        move(session, minutes=15)
        move(session, minutes=15)
        move(session, minutes=15)

    assert len(scheduled) == 1


def test_the_digest_e_mail_has_html_and_the_one_click_unsubscribe_headers(
    session, bookmarker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        move(session, minutes=30)

    (message,) = mail.outbox
    unsubscribe_url = message.extra_headers["List-Unsubscribe"].strip("<>")
    html, content_type = message.alternatives[0]
    assert content_type == "text/html"
    session_url = f"http://127.0.0.1:8000/events/{session.event.slug}/sessions/{session.pk}/"
    assert f'href="{session_url}"' in html
    assert unsubscribe_url in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # As the SMTP backend writes it: the URL whole on its line, not cut into encoded words.
    sent = message.message(policy=email.policy.SMTP).as_bytes().decode()
    assert f"\r\nList-Unsubscribe: <{unsubscribe_url}>\r\n" in sent


def test_running_the_digest_twice_sends_once(session, bookmarker):
    move(session, minutes=30)  # the task is not run: no commit inside the test's transaction

    first = send_programme_digest(user_id=bookmarker.pk)
    second = send_programme_digest(user_id=bookmarker.pk)

    assert (first, second, len(mail.outbox)) == (True, False, 1)
    assert not ProgrammeNotice.objects.filter(sent_at__isnull=True).exists()


def test_a_cancelled_session_is_told_as_cancelled(
    session, bookmarker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session.status = session.Status.CANCELLED
        session.save()
        publish_change(session, "cancelled")

    (message,) = mail.outbox
    assert "(cancelled)" in message.body
    assert "Cancelled." in message.body


def test_nothing_is_sent_to_a_person_who_turned_notices_off(
    session, bookmarker, django_capture_on_commit_callbacks
):
    set_programme_notices(user=bookmarker, on=False)

    with django_capture_on_commit_callbacks(execute=True):
        move(session, minutes=30)

    assert mail.outbox == []
    assert not ProgrammeNotice.objects.exists()


def test_notices_turned_off_within_the_window_are_dropped_unsent(session, bookmarker):
    move(session, minutes=30)
    set_programme_notices(user=bookmarker, on=False)

    sent = send_programme_digest(user_id=bookmarker.pk)

    assert (sent, mail.outbox) == (False, [])
    assert not ProgrammeNotice.objects.exists()


@pytest.mark.parametrize("changes", [["retitled"], ["speakers_changed"], []])
def test_a_new_title_or_speakers_alone_are_not_told(session, bookmarker, changes):
    publish_change(session, *changes)

    assert not ProgrammeNotice.objects.exists()


def test_people_who_did_not_bookmark_the_session_get_nothing(
    session, bookmarker, django_capture_on_commit_callbacks
):
    other_session = SessionFactory(event=session.event)
    UserFactory(username="grace", email="grace@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        move(other_session, minutes=30)

    assert mail.outbox == []


def test_one_digest_covers_every_bookmarked_session_that_changed(
    session, bookmarker, django_capture_on_commit_callbacks
):

    panel = SessionFactory(event=session.event, title="Lidar panel")
    add_bookmark(user=bookmarker, session=panel)

    with django_capture_on_commit_callbacks(execute=True):
        move(session, minutes=30)
        move(panel, minutes=60)

    (message,) = mail.outbox
    assert message.subject == "Programme changes: 2 sessions you bookmarked"
    assert ("Robotaxis at scale" in message.body, "Lidar panel" in message.body) == (True, True)


def test_the_unsubscribe_link_works_without_logging_in(
    session, bookmarker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        move(session, minutes=30)
    unsubscribe_path = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    unsubscribe_path = unsubscribe_path.removeprefix("http://127.0.0.1:8000")
    mail.outbox.clear()
    anonymous = Client(enforce_csrf_checks=True)

    confirm = anonymous.get(unsubscribe_path)
    one_click = anonymous.post(unsubscribe_path, {"List-Unsubscribe": "One-Click"})
    with django_capture_on_commit_callbacks(execute=True):
        move(session, minutes=30)

    assert (confirm.status_code, one_click.status_code) == (200, 200)
    assert "Switch notices off" in confirm.content.decode()
    assert mail.outbox == []


def test_a_forged_unsubscribe_link_is_not_found(client):
    response = client.post("/notices/off/not-a-token/")

    assert response.status_code == 404


def test_a_digest_for_a_session_deleted_meanwhile_sends_nothing(session, bookmarker):
    move(session, minutes=30)
    session.delete()

    assert send_programme_digest(user_id=bookmarker.pk) is False
    assert mail.outbox == []


@pytest.mark.requires_redis
def test_a_real_worker_sends_one_digest_after_the_window(
    celery_worker_on_redis, session, bookmarker, settings
):
    settings.NOTICES_BATCH_WINDOW = 1

    with transaction.atomic():  # the change commits, so its digest task goes to Redis
        move(session, minutes=30)
        move(session, minutes=30)

    assert wait_for(lambda: not ProgrammeNotice.objects.filter(sent_at__isnull=True).exists()), (
        "the worker did not send the digest in 20 s"
    )
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]


def test_the_sweep_sends_a_digest_whose_task_never_ran(session, bookmarker):
    move(session, minutes=30)  # its task is not run: no commit inside the test's transaction
    late = timezone.now() + dt.timedelta(seconds=settings.NOTICES_BATCH_WINDOW, minutes=6)

    assert (send_overdue_digests(), len(mail.outbox)) == (0, 0)  # still within its window
    assert (send_overdue_digests(now=late), len(mail.outbox)) == (1, 1)


@pytest.mark.parametrize("bookmarkers", [1, 6])
def test_recording_a_change_runs_a_fixed_number_of_queries(
    session, django_assert_num_queries, bookmarkers
):

    for _ in range(bookmarkers):
        add_bookmark(user=UserFactory(), session=session)

    event_type, data = session_event(session, "moved")
    happened = domain_events.DomainEvent(type=event_type, event_id=session.event_id, data=data)

    # The bookmarkers, who of them said no, who already waits for a digest, one insert.
    with django_assert_num_queries(4):
        record_programme_change(happened)

    assert ProgrammeNotice.objects.count() == bookmarkers
