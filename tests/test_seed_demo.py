"""Tests of `manage.py seed_demo`: the demo event, lineup and agenda, and that it runs twice."""

import datetime as dt
import io
import itertools
import re
import zoneinfo

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from events.demo import DEMO_EVENT_SLUG
from events.management.commands.seed_demo import demo_modules
from events.models import Event, Session, Tag
from speakers.models import InvitationStatus, SessionRole, SessionSpeaker, Speaker
from speakers.services import set_lineup_status

REAL_SPEAKERS = {
    "Jewel Li": ("", "AutoX"),
    "Huan Sun": ("", "Momenta"),
    "Jennifer Li": ("", "WeRide"),
    "Pam Fletcher": ("VP of Global Innovation", "GM"),
    "Alexandr Wang": ("CEO", "Scale AI"),
    "JoeBen Bevirt": ("Founder and CEO", "Joby Aviation"),
    "Reid Hoffman": ("Investor; founder of LinkedIn", "LinkedIn"),
    "Clara Brenner": ("Investor", "Urban Innovation Fund"),
    "Quin Garcia": ("Investor", "Autotech Ventures"),
    "Rachel Holt": ("Investor", "Construct Capital"),
    "Ahti Heinla": ("Co-founder and CEO/CTO", "Starship Technologies"),
    "Jesse Levinson": ("Co-founder and CTO", "Zoox"),
    "Tamika L. Butler": ("Community organizer, transportation consultant and lawyer", None),
    "Tiffany Chu": ("Co-founder and CEO", "Remix"),
    "Frank Reig": ("Co-founder and CEO", "Revel"),
}
DEMO_HOST = "Morgan Reyes"


def seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def database_snapshot() -> dict[str, tuple[int, dt.datetime | None]]:
    """Row count and latest `updated_at` of every model, through tables included."""
    snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        queryset = model._default_manager.all()
        has_updated_at = any(field.name == "updated_at" for field in model._meta.concrete_fields)
        latest = queryset.aggregate(latest=Max("updated_at"))["latest"] if has_updated_at else None
        snapshot[model._meta.label] = (queryset.count(), latest)
    return snapshot


def overlaps(first: Session, second: Session) -> bool:
    return first.starts_at < second.ends_at and second.starts_at < first.ends_at


@pytest.fixture
def demo_event(db) -> Event:
    seed_demo()
    return Event.objects.get(slug=DEMO_EVENT_SLUG)


@pytest.mark.django_db
def test_seed_demo_creates_published_hybrid_event_with_two_stages(demo_event):
    stage_names = list(demo_event.stages.values_list("name", flat=True))

    assert demo_event.name == "TC Sessions: Mobility 2021"
    assert demo_event.time_zone == "America/Los_Angeles"
    assert demo_event.currency == "usd"
    assert demo_event.status == Event.Status.PUBLISHED
    assert demo_event.attendance_mode == Event.AttendanceMode.HYBRID
    assert stage_names == ["Main Stage", "Breakout Stage"]


@pytest.mark.django_db
def test_seed_demo_dates_event_four_weeks_after_today_in_event_zone(demo_event):
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo("America/Los_Angeles"))

    assert demo_event.start_date == today + dt.timedelta(days=28)
    assert demo_event.end_date == demo_event.start_date + dt.timedelta(days=1)


@pytest.mark.django_db
def test_seed_demo_creates_topic_tags(demo_event):
    assert set(Tag.objects.values_list("slug", flat=True)) == {
        "robotaxi",
        "self-driving-cars",
        "automation",
        "china",
        "investing",
        "urban-mobility",
        "electric-vehicles",
        "delivery-robots",
        "air-mobility",
        "policy-equity",
    }


@pytest.mark.django_db
def test_seed_demo_loads_real_speakers_and_the_fictional_host(demo_event):
    speakers = Speaker.objects.select_related("organization")
    loaded = {
        speaker.name: (speaker.job_title, speaker.organization and speaker.organization.name)
        for speaker in speakers
    }
    host = speakers.get(name=DEMO_HOST)

    assert loaded == {**REAL_SPEAKERS, DEMO_HOST: ("Mobility Editor", "Greenroom Demo")}
    assert "fictional" in host.bio
    assert host.email == "host@greenroom.test"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "job_title", "organization"),
    [
        ("Pam Fletcher", "VP of Global Innovation", "GM"),
        ("Ahti Heinla", "Co-founder and CEO/CTO", "Starship Technologies"),
        ("Jewel Li", "", "AutoX"),
    ],
)
def test_seed_demo_gives_speaker_title_and_company(demo_event, name, job_title, organization):
    speaker = Speaker.objects.select_related("organization").get(name=name)

    assert speaker.job_title == job_title
    assert speaker.organization.name == organization


@pytest.mark.django_db
def test_seed_demo_stores_no_private_contact_for_real_people(demo_event):
    real = Speaker.objects.exclude(name=DEMO_HOST)

    assert list(real.exclude(email="", phone="").values_list("name", flat=True)) == []
    assert real.get(name="Tamika L. Butler").organization is None


@pytest.mark.django_db
def test_seed_demo_confirms_every_speaker_in_the_lineup(demo_event):
    statuses = set(demo_event.lineup.values_list("status", flat=True))

    assert demo_event.lineup.count() == Speaker.objects.count() == len(REAL_SPEAKERS) + 1
    assert statuses == {InvitationStatus.CONFIRMED}


@pytest.mark.django_db
def test_seed_demo_robotaxi_panel_has_three_panelists_and_a_moderator(demo_event):
    panel = demo_event.sessions.get(title="China's robotaxi race")
    roles = list(panel.session_speakers.order_by("position").values_list("speaker__name", "role"))

    assert panel.format == Session.Format.PANEL
    assert roles == [
        (DEMO_HOST, SessionRole.MODERATOR),
        ("Jewel Li", SessionRole.PANELIST),
        ("Huan Sun", SessionRole.PANELIST),
        ("Jennifer Li", SessionRole.PANELIST),
    ]
    assert set(panel.tags.values_list("slug", flat=True)) >= {"robotaxi", "china"}


@pytest.mark.django_db
def test_seed_demo_schedules_every_speaker_in_a_published_session(demo_event):
    sessions = demo_event.sessions.all()
    formats = set(sessions.values_list("format", flat=True))
    speakers_on_agenda = set(
        SessionSpeaker.objects.filter(session__event=demo_event).values_list("speaker", flat=True)
    )

    assert speakers_on_agenda == set(Speaker.objects.values_list("pk", flat=True))
    assert list(sessions.filter(is_published=False)) == []
    assert formats >= {"keynote", "panel", "fireside_chat", "interview", "workshop", "pitch"}
    assert formats >= {"networking", "break"}


@pytest.mark.django_db
def test_seed_demo_agenda_lies_within_event_days_in_local_hours(demo_event):
    zone = demo_event.tzinfo
    local_days = {
        session.starts_at.astimezone(zone).date() for session in demo_event.sessions.all()
    }
    earliest_start = min(s.starts_at.astimezone(zone).time() for s in demo_event.sessions.all())
    latest_end = max(s.ends_at.astimezone(zone).time() for s in demo_event.sessions.all())

    assert local_days == set(demo_event.days)
    assert earliest_start == dt.time(9, 0)
    assert latest_end <= dt.time(17, 30)


@pytest.mark.django_db
def test_seed_demo_agenda_has_no_overlap_on_any_stage(demo_event):
    sessions = list(demo_event.sessions.all())
    clashes = [
        (first.title, second.title)
        for first, second in itertools.combinations(sessions, 2)
        if first.stage_id == second.stage_id and overlaps(first, second)
    ]

    assert clashes == []


@pytest.mark.django_db
def test_seed_demo_agenda_books_no_speaker_twice_at_once(demo_event):
    seats = list(SessionSpeaker.objects.select_related("session", "speaker"))
    clashes = [
        (first.speaker.name, first.session.title, second.session.title)
        for first, second in itertools.combinations(seats, 2)
        if first.speaker_id == second.speaker_id and overlaps(first.session, second.session)
    ]

    assert clashes == []


@pytest.mark.django_db
def test_seed_demo_organizer_can_log_into_the_admin(demo_event, client):
    organizer = get_user_model().objects.get(username="organizer")

    logged_in = client.login(username="organizer", password="greenroom-demo")
    response = client.get("/admin/")

    assert logged_in is True
    assert response.status_code == 200
    assert organizer.email == "organizer@greenroom.test"
    assert (organizer.is_staff, organizer.is_superuser) == (True, False)
    assert list(organizer.groups.values_list("name", flat=True)) == ["Organizers"]


@pytest.mark.django_db
def test_seed_demo_keeps_an_existing_organizer_password():
    user = get_user_model().objects.create_user(username="organizer", password="my-own-secret")

    seed_demo()
    user.refresh_from_db()

    assert user.check_password("my-own-secret") is True


@pytest.mark.django_db
def test_seed_demo_second_run_changes_nothing(demo_event):
    before = database_snapshot()

    output = seed_demo()

    reports, logins = output.split("Demo logins", 1)
    # Notes (indented: the demo speaker's portal link) follow an app's line.
    lines = [line for line in reports.splitlines() if not line.startswith("  ")]

    assert database_snapshot() == before
    assert len(lines) == len(demo_modules())
    assert [line for line in lines if ": nothing new;" not in line] == []
    assert "organizer / greenroom-demo" in logins


@pytest.mark.django_db
def test_seed_demo_later_run_keeps_stored_dates_and_creates_missing_sessions_on_them(demo_event):
    moved_start = demo_event.start_date + dt.timedelta(days=10)
    Event.objects.filter(pk=demo_event.pk).update(
        start_date=moved_start, end_date=moved_start + dt.timedelta(days=1)
    )
    demo_event.sessions.filter(title="Opening remarks").delete()

    seed_demo()
    demo_event.refresh_from_db()
    opening = demo_event.sessions.get(title="Opening remarks")

    assert demo_event.start_date == moved_start
    assert opening.starts_at == dt.datetime.combine(moved_start, dt.time(9), demo_event.tzinfo)


@pytest.mark.django_db
def test_seed_demo_keeps_an_organizers_edit_of_a_sessions_speakers_and_tags(demo_event):
    panel = demo_event.sessions.get(title="China's robotaxi race")
    panel.session_speakers.filter(speaker__name="Huan Sun").delete()
    panel.tags.clear()

    output = seed_demo()

    assert "agenda: nothing new;" in output
    assert panel.session_speakers.count() == 3
    assert panel.tags.count() == 0


@pytest.mark.django_db
def test_seed_demo_keeps_an_organizers_edit_of_the_event(demo_event):
    Event.objects.filter(pk=demo_event.pk).update(name="Mobility 2021, renamed", tagline="Ours")

    seed_demo()
    demo_event.refresh_from_db()

    assert (demo_event.name, demo_event.tagline) == ("Mobility 2021, renamed", "Ours")


@pytest.mark.django_db
def test_seed_demo_keeps_an_organizers_edit_of_a_session(demo_event):
    keynote = demo_event.sessions.get(title="Jesse Levinson on taking out the driver")
    keynote.abstract = "Moved to the afternoon."
    keynote.is_published = False
    keynote.save()

    seed_demo()
    keynote.refresh_from_db()

    assert (keynote.abstract, keynote.is_published) == ("Moved to the afternoon.", False)


@pytest.mark.django_db
def test_seed_demo_keeps_an_organizers_edit_of_a_speaker(demo_event):
    Speaker.objects.filter(name="Pam Fletcher").update(job_title="Chief Innovation Officer")

    seed_demo()

    assert Speaker.objects.get(name="Pam Fletcher").job_title == "Chief Innovation Officer"


@pytest.mark.django_db
def test_seed_demo_keeps_a_declined_speaker_declined(demo_event):
    frank = Speaker.objects.get(name="Frank Reig")
    set_lineup_status(event=demo_event, speakers=[frank], status=InvitationStatus.DECLINED)
    entry = demo_event.lineup.get(speaker=frank)

    seed_demo()
    entry.refresh_from_db()

    assert entry.status == InvitationStatus.DECLINED


@pytest.mark.django_db
def test_seed_demo_recreates_a_deleted_session(demo_event):
    demo_event.sessions.filter(title="Lunch break").delete()

    output = seed_demo()

    assert "agenda: created 1 session;" in output
    assert demo_event.sessions.filter(title="Lunch break").count() == 1


def test_seed_demo_visits_apps_with_a_demo_module_in_installed_order():
    labels = [app_config.label for app_config, _ in demo_modules()]

    assert labels[:2] == ["events", "speakers"]
    assert "admin" not in labels


@pytest.mark.django_db
def test_seed_demo_refuses_a_demo_event_longer_than_the_cap(settings):
    settings.GREENROOM_MAX_EVENT_DAYS = 1

    with pytest.raises(ValidationError) as refused:
        seed_demo()

    assert refused.value.message_dict == {
        "end_date": ["An event lasts at most 1 day; this one would last 2."]
    }
    assert not Event.objects.filter(slug=DEMO_EVENT_SLUG).exists()


def test_seed_demo_prints_the_superuser_organizer_and_door_logins(db):
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    printed = out.getvalue()
    assert "admin / greenroom-demo" in printed
    assert "organizer / greenroom-demo" in printed
    assert "door / greenroom-demo" in printed
    assert get_user_model().objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_seed_demo_prints_a_demo_speakers_portal_link_that_opens_the_portal(client):
    output = seed_demo()

    link = re.search(r"speaker portal of Morgan Reyes: (\S+)", output).group(1)
    response = client.get(link)

    assert response.status_code == 200
    assert "Your speaker page for TC Sessions: Mobility 2021" in response.content.decode()


@pytest.mark.django_db
def test_seed_demo_releases_the_demo_schedule_once_as_1_0(demo_event):
    seed_demo()

    releases = list(demo_event.schedule_releases.all())

    assert [(release.version, release.session_count) for release in releases] == [
        ("1.0", demo_event.sessions.filter(is_published=True).count())
    ]
    assert releases[0].released_by.username == "organizer"
