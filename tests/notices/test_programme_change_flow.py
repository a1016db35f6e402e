"""Issue 13 end to end: organizers change the programme through the agenda's services, and the
change reaches the next release, the frab export and, once, the people who bookmarked it."""

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from agenda.services import add_bookmark, release_schedule
from tests.agenda.test_releases import move
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_session_moved_three_times_after_a_release_is_released_and_told_once(
    django_capture_on_commit_callbacks,
):
    session = SessionFactory(title="Robotaxis at scale")
    bookmarker = UserFactory(email="ada@example.com")
    add_bookmark(user=bookmarker, session=session)
    UserFactory(email="bob@example.com")  # bookmarked nothing
    release_schedule(event=session.event, version="1.0")

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            move(session, hours=1)
    release = release_schedule(event=session.event, version="1.1", note="Robotaxis later")

    change = release.changes.get()
    assert (change.session_key, change.kinds) == (session.pk, ["moved"])
    schedule = APIClient().get(reverse("schedule-json", args=[session.event.slug])).json()
    assert schedule["schedule"]["version"] == "1.1"
    releases = APIClient().get(reverse("release-list", args=[session.event.slug])).json()
    assert [r["version"] for r in releases["results"]] == ["1.1", "1.0"]
    (digest,) = mail.outbox
    assert digest.to == ["ada@example.com"]
    assert digest.body.count("Robotaxis at scale") == 1
