"""The changelog page (releases of the schedule with their changes in the event's time) and
cancelled sessions marked on the agenda and session pages."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from agenda.services import cancel_session, release_schedule, schedule_session
from tests.factories import EventFactory, SessionFactory, StageFactory

pytestmark = pytest.mark.django_db


def winter_event(**fields):
    """An event in Los Angeles in January: UTC-8, so 17:00 UTC reads 09:00."""
    return EventFactory(start_date=dt.date(2030, 1, 15), end_date=dt.date(2030, 1, 16), **fields)


def utc(hour: int) -> dt.datetime:
    return dt.datetime(2030, 1, 15, hour, tzinfo=dt.UTC)


def changelog_url(event) -> str:
    return reverse("web:changelog", args=[event.slug])


def text(html: str) -> str:
    """The page's words without tags and with single spaces, as a screen reader reads them."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def reschedule(session, **fields) -> None:
    for name, value in fields.items():
        setattr(session, name, value)
    schedule_session(session=session, speakers=[])


def test_moved_session_shows_old_and_new_times_in_the_event_zone_with_a_link(client):
    event = winter_event()
    session = SessionFactory(event=event, title="Robotaxis", starts_at=utc(17), ends_at=utc(18))
    release_schedule(event=event, version="1.0")
    reschedule(session, starts_at=utc(20), ends_at=utc(21))
    release_schedule(event=event, version="1.1", note="The robotaxi panel moves.")

    page = client.get(changelog_url(event)).content.decode()

    session_link = (
        f'<a href="{reverse("web:session", args=[event.slug, session.pk])}">Robotaxis</a>'
    )
    assert session_link in page
    assert "was Tue 15 Jan, 09:00–10:00, now Tue 15 Jan, 12:00–13:00" in text(page)
    assert "The robotaxi panel moves." in page
    assert page.index("Version 1.1") < page.index("Version 1.0")


def test_changes_are_grouped_by_kind_in_a_fixed_order(client):
    event = winter_event()
    moved = SessionFactory(event=event, title="Moved one", starts_at=utc(17), ends_at=utc(18))
    dropped = SessionFactory(event=event, title="Dropped one", starts_at=utc(19), ends_at=utc(20))
    release_schedule(event=event, version="1.0")
    reschedule(moved, starts_at=utc(21), ends_at=utc(22), stage=StageFactory(event=event))
    cancel_session(session=dropped)
    late = utc(23)
    SessionFactory(
        event=event, title="Added one", starts_at=late, ends_at=late + dt.timedelta(hours=1)
    )
    release_schedule(event=event, version="1.1")

    headings = re.findall(r"<h3>([^<]+) <span", client.get(changelog_url(event)).content.decode())

    assert headings == ["New sessions", "Cancelled", "Moved", "Changed stage"]


def test_first_release_says_how_many_sessions_it_holds(client):
    event = winter_event()
    SessionFactory(event=event, starts_at=utc(17), ends_at=utc(18))
    release_schedule(event=event, version="1.0")

    page = client.get(changelog_url(event)).content.decode()

    assert "The first release of the schedule, with 1 session." in page


def test_changelog_before_any_release_says_so(client):
    page = client.get(changelog_url(winter_event())).content.decode()

    assert "The schedule has not been released yet" in page


def test_changelog_of_an_unpublished_event_is_not_found(client):
    event = winter_event(status="draft")

    assert client.get(changelog_url(event)).status_code == 404


def test_agenda_page_links_to_the_changelog(client):
    event = winter_event()

    page = client.get(reverse("web:agenda", args=[event.slug])).content.decode()

    assert f'<a href="{changelog_url(event)}">Schedule changes</a>' in page


@pytest.mark.parametrize("sessions", [2, 30])
def test_changelog_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, sessions):
    event = winter_event()
    stage = StageFactory(event=event)
    created = [
        SessionFactory(event=event, stage=stage, starts_at=utc(17) + dt.timedelta(minutes=15 * n),
                       ends_at=utc(17) + dt.timedelta(minutes=15 * n + 10))
        for n in range(sessions)
    ]  # fmt: skip
    release_schedule(event=event, version="1.0")
    for session in created:
        reschedule(session, title=f"{session.title}, retitled")
    release_schedule(event=event, version="1.1")

    with django_assert_num_queries(3):  # the event, its releases, their changes with sessions
        response = client.get(changelog_url(event))

    assert response.content.decode().count(", retitled</a>") == sessions


def test_cancelled_session_is_marked_in_words_on_the_agenda(client):
    event = winter_event()
    session = SessionFactory(event=event, title="Robotaxis", starts_at=utc(17), ends_at=utc(18))
    cancel_session(session=session)

    page = client.get(reverse("web:agenda", args=[event.slug])).content.decode()

    assert f'<article class="slot cancelled" id="session-{session.pk}"' in page
    assert "Cancelled Robotaxis" in text(page)


def test_cancelled_session_page_says_it_is_cancelled(client):
    event = winter_event()
    session = SessionFactory(event=event, title="Robotaxis", starts_at=utc(17), ends_at=utc(18))
    cancel_session(session=session)

    page = client.get(reverse("web:session", args=[event.slug, session.pk])).content.decode()

    assert "Cancelled Robotaxis" in text(page)
    assert "This session is cancelled." in page
