"""The agenda page and the session page: what they show, in which zone, filters, query counts
and weight."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events.models import EventStatus
from speakers.models import SessionRole
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    StageFactory,
    TagFactory,
)
from web.agenda import default_day

pytestmark = pytest.mark.django_db

SITE_CSS = Path(settings.BASE_DIR) / "web" / "static" / "web" / "site.css"
PAGE_BUDGET = 50 * 1024


def agenda_url(event, **query) -> str:
    url = reverse("web:agenda", args=[event.slug])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def session_url(session) -> str:
    return reverse("web:session", args=[session.event.slug, session.pk])


def winter_event(**fields):
    """An event in Los Angeles in January: UTC-8, so 17:00 UTC reads 09:00."""
    return EventFactory(start_date=dt.date(2030, 1, 15), end_date=dt.date(2030, 1, 16), **fields)


def utc(hour: int, day: int = 15) -> dt.datetime:
    return dt.datetime(2030, 1, day, hour, tzinfo=dt.UTC)


def test_agenda_shows_each_session_with_time_title_format_stage_and_speakers(client):
    event = winter_event()
    stage = StageFactory(event=event, name="Main Stage")
    session = SessionFactory(
        event=event,
        stage=stage,
        title="Robotaxis at scale",
        format="fireside_chat",
        starts_at=utc(17),
        ends_at=utc(18),
    )
    SessionSpeakerFactory(session=session, speaker=SpeakerFactory(name="Ada Lovelace"))

    page = client.get(agenda_url(event)).content.decode()

    assert '<time datetime="2030-01-15T09:00:00-08:00">09:00</time>' in page
    assert '<time datetime="2030-01-15T10:00:00-08:00">10:00</time> · Main Stage' in page
    assert f'<a href="{session_url(session)}">Robotaxis at scale</a>' in page
    assert "Fireside chat · Ada Lovelace" in page


def test_agenda_leaves_out_unpublished_sessions(client):
    event = winter_event()
    SessionFactory(event=event, title="On the programme", starts_at=utc(17), ends_at=utc(18))
    SessionFactory(event=event, title="Still a draft", is_published=False, starts_at=utc(19))

    page = client.get(agenda_url(event)).content.decode()

    assert "On the programme" in page
    assert "Still a draft" not in page


@pytest.mark.parametrize("name", ["web:agenda", "web:speakers"])
def test_programme_pages_of_a_draft_event_are_404(client, name):
    draft = EventFactory(status=EventStatus.DRAFT)

    assert client.get(reverse(name, args=[draft.slug])).status_code == 404


def test_agenda_has_a_tab_per_day_and_marks_the_shown_one(client):
    event = winter_event()
    SessionFactory(event=event, title="Day one talk", starts_at=utc(17), ends_at=utc(18))
    SessionFactory(event=event, title="Day two talk", starts_at=utc(17, 16), ends_at=utc(18, 16))

    first = client.get(agenda_url(event)).content.decode()
    second = client.get(agenda_url(event, day="2030-01-16")).content.decode()

    assert re.findall(r'href="\?day=([\d-]+)"', first) == ["2030-01-15", "2030-01-16"]
    assert re.findall(r'href="\?day=([\d-]+)" aria-current="page"', first) == ["2030-01-15"]
    assert re.findall(r'href="\?day=([\d-]+)" aria-current="page"', second) == ["2030-01-16"]
    assert ("Day one talk" in first, "Day two talk" in first) == (True, False)
    assert ("Day one talk" in second, "Day two talk" in second) == (False, True)


def test_agenda_day_is_the_local_day_not_the_utc_one(client):
    event = winter_event()
    # 02:00 UTC on the 16th is 18:00 on the 15th in Los Angeles.
    SessionFactory(event=event, title="Evening mixer", starts_at=utc(2, 16), ends_at=utc(3, 16))

    first = client.get(agenda_url(event, day="2030-01-15")).content.decode()
    second = client.get(agenda_url(event, day="2030-01-16")).content.decode()

    assert (">18:00</time>" in first, "Evening mixer" in second) == (True, False)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC), dt.date(2030, 1, 15)),
        # 03:00 UTC on the 17th is still the 16th, the last day, in Los Angeles.
        (dt.datetime(2030, 1, 17, 3, tzinfo=dt.UTC), dt.date(2030, 1, 16)),
        (dt.datetime(2030, 1, 17, 9, tzinfo=dt.UTC), dt.date(2030, 1, 15)),
    ],
)
def test_default_day_is_today_in_the_event_zone_while_it_runs_else_the_first(now, expected):
    assert default_day(winter_event(), now=now) == expected


def test_agenda_opens_on_today_while_the_event_runs(client):
    today = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=-8))).date()
    event = EventFactory(
        time_zone="Etc/GMT+8", start_date=today - dt.timedelta(days=1), end_date=today
    )

    page = client.get(agenda_url(event)).content.decode()

    assert f'href="?day={today:%Y-%m-%d}" aria-current="page"' in page


@pytest.mark.parametrize("day", ["2030-01-17", "not-a-day"])
def test_agenda_day_outside_the_event_shows_its_first_day(client, day):
    event = winter_event()

    page = client.get(agenda_url(event, day=day)).content.decode()

    assert 'href="?day=2030-01-15" aria-current="page"' in page


def test_agenda_filters_by_stage_and_by_topic_and_keeps_the_day_in_the_tabs(client):
    event = winter_event()
    main, side = StageFactory(event=event, name="Main"), StageFactory(event=event, name="Side")
    tag = TagFactory(name="Lidar", slug="lidar")
    on_main = SessionFactory(event=event, stage=main, title="Main talk", starts_at=utc(17))
    SessionFactory(event=event, stage=side, title="Side talk", starts_at=utc(17))
    on_main.tags.add(tag)
    SessionFactory(event=event, stage=main, title="Untagged", starts_at=utc(19), ends_at=utc(20))

    by_stage = client.get(agenda_url(event, stage=side.slug)).content.decode()
    by_tag = client.get(agenda_url(event, tag="lidar")).content.decode()

    assert ("Side talk" in by_stage, "Main talk" in by_stage) == (True, False)
    assert ("Main talk" in by_tag, "Side talk" in by_tag, "Untagged" in by_tag) == (
        True,
        False,
        False,
    )
    assert f'<option value="{side.slug}" selected>Side</option>' in by_stage
    assert '<option value="lidar" selected>Lidar</option>' in by_tag
    assert 'href="?tag=lidar&amp;day=2030-01-16"' in by_tag


def test_agenda_filter_form_works_without_javascript(client):
    event = winter_event()
    SessionFactory(event=event, starts_at=utc(17))

    page = client.get(agenda_url(event)).content.decode()

    form = re.search(r'<form id="agenda-filter"[^>]*>', page).group(0)
    assert 'method="get"' in form
    assert f'action="{agenda_url(event)}"' in form
    assert '<label for="id_stage">Stage:</label><select name="stage"' in page
    assert '<label for="id_tag">Topic:</label><select name="tag"' in page
    assert '<input type="hidden" name="day" value="2030-01-15" id="agenda-day">' in page


def test_agenda_unknown_filter_values_show_the_whole_day(client):
    event = winter_event()
    SessionFactory(event=event, title="Still shown", starts_at=utc(17))

    page = client.get(agenda_url(event, stage="nowhere", tag="nothing")).content.decode()

    assert "Still shown" in page


def test_htmx_filter_answers_with_the_agenda_body_and_the_day_out_of_band(client):
    event = winter_event()
    SessionFactory(event=event, title="Day two talk", starts_at=utc(17, 16), ends_at=utc(18, 16))

    response = client.get(
        agenda_url(event, day="2030-01-16"),
        headers={"HX-Request": "true", "HX-Target": "agenda-body"},
    )

    body = response.content.decode().strip()
    assert body.startswith('<div id="agenda-body">')
    assert "<html" not in body
    assert "Day two talk" in body
    assert 'id="agenda-day" form="agenda-filter" hx-swap-oob="true"' in body
    assert 'value="2030-01-16"' in body
    assert "HX-Target" in response["Vary"]


def test_agenda_grid_puts_stages_side_by_side_and_spans_each_session_over_its_time(client):
    event = winter_event()
    main, side = StageFactory(event=event, position=1), StageFactory(event=event, position=2)
    long_one = SessionFactory(event=event, stage=main, starts_at=utc(17), ends_at=utc(19))
    first = SessionFactory(event=event, stage=side, starts_at=utc(17), ends_at=utc(18))
    second = SessionFactory(event=event, stage=side, starts_at=utc(18), ends_at=utc(19))

    page = client.get(agenda_url(event)).content.decode()

    placed = dict(re.findall(r'id="session-(\d+)" style="([^"]+)"', page))
    assert placed == {
        str(long_one.pk): "grid-row: 2 / 4; grid-column: 2",
        str(first.pk): "grid-row: 2 / 3; grid-column: 3",
        str(second.pk): "grid-row: 3 / 4; grid-column: 3",
    }
    assert 'class="agenda" style="--stages: 2"' in page
    assert re.findall(r'class="time-label"[^>]*>([\d:]+)<', page) == ["09:00", "10:00"]


def test_agenda_lists_sessions_by_start_time_for_phones(client):
    event = winter_event()
    late = SessionFactory(event=event, title="Late", starts_at=utc(20), ends_at=utc(21))
    early = SessionFactory(event=event, title="Early", starts_at=utc(17), ends_at=utc(18))

    page = client.get(agenda_url(event)).content.decode()

    assert re.findall(r'id="session-(\d+)"', page) == [str(early.pk), str(late.pk)]


def test_session_page_shows_what_when_where_who(client):
    event = winter_event()
    session = SessionFactory(
        event=event,
        stage=StageFactory(event=event, name="Main Stage"),
        title="Robotaxis at scale",
        abstract="How fleets grow.",
        format="panel",
        starts_at=utc(17),
        ends_at=utc(18),
    )
    session.tags.add(TagFactory(name="Lidar", slug="lidar"))
    moderator = SpeakerFactory(
        name="Grace Hopper",
        slug="grace-hopper",
        job_title="Admiral",
        headshot="headshots/grace.jpg",
        headshot_renditions={"96": "headshots/grace-96.jpg", "256": "headshots/grace-256.jpg"},
    )
    SessionSpeakerFactory(session=session, speaker=moderator, role=SessionRole.MODERATOR)

    page = client.get(session_url(session)).content.decode()

    assert "<h1>Robotaxis at scale</h1>" in page
    assert "Panel · Main Stage" in page
    assert ">Tuesday 15 January 2030, 09:00</time>–<time" in page
    assert ">10:00</time>" in page
    assert "How fleets grow." in page
    assert '?day=2030-01-15&amp;tag=lidar">Lidar</a>' in page
    speaker_page = reverse("web:speaker", args=[event.slug, "grace-hopper"])
    assert f'href="{speaker_page}"><strong>Grace Hopper</strong>' in page
    assert '<span class="role">Moderator</span>' in page
    assert 'src="/media/headshots/grace-96.jpg"' in page
    assert 'srcset="/media/headshots/grace-96.jpg 96w, /media/headshots/grace-256.jpg 256w"' in page
    assert f'href="/api/v1/events/{event.slug}/agenda.ics"' in page


@pytest.mark.parametrize(
    ("links", "shown"),
    [
        (
            {"livestream_url": "https://stream.example/main", "recording_url": ""},
            [("https://stream.example/main", "Watch live")],
        ),
        (
            {"livestream_url": "", "recording_url": "https://video.example/talk-1"},
            [("https://video.example/talk-1", "Watch the recording")],
        ),
        ({"livestream_url": "", "recording_url": ""}, []),
    ],
    ids=["live", "recorded", "neither"],
)
def test_session_page_links_where_to_watch(client, links, shown):
    session = SessionFactory(event=winter_event(), **links)

    page = client.get(session_url(session)).content.decode()

    watch_links = re.findall(r'<li><a href="([^"]+)" rel="noopener">([^<]+)</a></li>', page)
    assert watch_links == shown


def test_session_page_of_an_unpublished_or_other_event_session_is_404(client):
    event = winter_event()
    draft = SessionFactory(event=event, is_published=False)
    elsewhere = SessionFactory()

    assert client.get(session_url(draft)).status_code == 404
    assert client.get(reverse("web:session", args=[event.slug, elsewhere.pk])).status_code == 404


def test_session_page_of_a_draft_event_is_404(client):
    session = SessionFactory(event=EventFactory(status=EventStatus.DRAFT))

    assert client.get(session_url(session)).status_code == 404


def event_nav(page: str) -> str:
    return re.search(r'<nav class="event-nav".*?</nav>', page, re.S).group(0)


def test_event_nav_links_the_agenda_and_speakers_and_marks_the_current_page(client):
    event = winter_event()
    session = SessionFactory(event=event)

    agenda = event_nav(client.get(agenda_url(event)).content.decode())
    detail = event_nav(client.get(session_url(session)).content.decode())

    assert f'<a href="{agenda_url(event)}" aria-current="page">Agenda</a>' in agenda
    assert f'<a href="{reverse("web:speakers", args=[event.slug])}">Speakers</a>' in agenda
    assert f'<a href="{agenda_url(event)}" aria-current="true">Agenda</a>' in detail
