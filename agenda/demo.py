"""Demo data of the agenda app: the two-day agenda of “TC Sessions: Mobility 2021”.

Runs after the events and speakers apps' demos (INSTALLED_APPS order), which create the event,
its stages and tags, and the speakers. Session times are offsets from the event's stored first
day. A session is created only when the event has none of its title: an organizer's edits
(times, speakers, tags) survive the next `make run`. The schedule is released once, as 1.0,
so that the changelog has a first entry; later releases are the organizer's.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from agenda.services import SpeakerSlot, release_schedule, schedule_session
from events.demo import CREATED, DEMO_EVENT_SLUG, ORGANIZER_USERNAME, UNCHANGED, SeedReport
from events.models import Event, Session, SessionFormat, Stage, Tag
from speakers.demo import DEMO_HOST
from speakers.models import SessionRole, Speaker

Format = SessionFormat
HOST, MODERATOR, PANELIST, SPEAKER, INTERVIEWER = (
    SessionRole.HOST,
    SessionRole.MODERATOR,
    SessionRole.PANELIST,
    SessionRole.SPEAKER,
    SessionRole.INTERVIEWER,
)


@dataclass(frozen=True)
class DemoSession:
    """An agenda item: day 0 is the event's first day; times are local to the event."""

    day: int
    stage: str
    start: str
    end: str
    title: str
    format: str
    tags: tuple[str, ...]
    speakers: tuple[tuple[str, str], ...]  # (speaker name, role), in order on stage
    abstract: str


# fmt: off
SESSIONS = (
    # Day one
    DemoSession(
        0, "main-stage", "09:00", "09:15", "Opening remarks", Format.KEYNOTE,
        ("urban-mobility",), ((DEMO_HOST, HOST),),
        "Our host sets out the two days ahead: what is on each stage, and the questions about "
        "getting around that the speakers will try to answer.",
    ),
    DemoSession(
        0, "main-stage", "09:15", "10:00", "China's robotaxi race", Format.PANEL,
        ("robotaxi", "self-driving-cars", "china", "investing"),
        ((DEMO_HOST, MODERATOR), ("Jewel Li", PANELIST), ("Huan Sun", PANELIST),
         ("Jennifer Li", PANELIST)),
        "While American autonomous-vehicle companies merge and consolidate, money keeps flowing "
        "to China's robotaxi startups. Leaders from AutoX, Momenta and WeRide, three companies "
        "that also work outside China, compare strategies: lidar or cameras only, city "
        "robotaxis or first earning money with buses, trucks and industrial parks. Will "
        "investors keep backing the valuations, and how does China's race differ from the "
        "one in the United States?",
    ),
    DemoSession(
        0, "main-stage", "10:00", "10:30", "Innovation at GM with Pam Fletcher",
        Format.FIRESIDE_CHAT, ("automation", "electric-vehicles"),
        (("Pam Fletcher", SPEAKER), (DEMO_HOST, INTERVIEWER)),
        "GM's vice president of Global Innovation talks with our host about how a large "
        "carmaker chooses which new vehicles and services to bet on.",
    ),
    DemoSession(
        0, "main-stage", "10:30", "10:50", "Morning coffee break", Format.BREAK, (), (),
        "Coffee, a stretch, and time to find the people you came to meet.",
    ),
    DemoSession(
        0, "main-stage", "10:50", "11:20", "Alexandr Wang on AI behind the wheel",
        Format.INTERVIEW, ("automation", "self-driving-cars"),
        (("Alexandr Wang", SPEAKER), (DEMO_HOST, INTERVIEWER)),
        "The CEO of Scale AI on what artificial intelligence has to get right before cars "
        "can drive themselves.",
    ),
    DemoSession(
        0, "main-stage", "11:20", "12:00", "Air taxis: JoeBen Bevirt and Reid Hoffman",
        Format.FIRESIDE_CHAT, ("air-mobility", "investing"),
        ((DEMO_HOST, MODERATOR), ("JoeBen Bevirt", SPEAKER), ("Reid Hoffman", SPEAKER)),
        "Joby Aviation's founder and CEO sits down with Reid Hoffman, whose special purpose "
        "acquisition company merged with Joby, to discuss flying passengers across town and "
        "what taking the company public that way involved.",
    ),
    DemoSession(
        0, "main-stage", "12:00", "13:00", "Lunch break", Format.BREAK, (), (),
        "Lunch is served in the hall next to the Main Stage.",
    ),
    DemoSession(
        0, "breakout-stage", "12:00", "13:00", "Lunchtime topic tables", Format.NETWORKING,
        ("urban-mobility", "investing"), (),
        "Bring your lunch to a table hosted around one topic (autonomy, electric fleets, "
        "funding, city partnerships) and meet the people working on it.",
    ),
    DemoSession(
        0, "main-stage", "13:00", "13:45", "Where mobility money goes next", Format.PANEL,
        ("investing", "urban-mobility"),
        ((DEMO_HOST, MODERATOR), ("Clara Brenner", PANELIST), ("Quin Garcia", PANELIST),
         ("Rachel Holt", PANELIST)),
        "Investors from Urban Innovation Fund, Autotech Ventures and Construct Capital on what "
        "they look for in transportation startups, and which bets they think are early or late.",
    ),
    DemoSession(
        0, "main-stage", "13:45", "14:15", "Jesse Levinson on taking out the driver",
        Format.KEYNOTE, ("robotaxi", "self-driving-cars"), (("Jesse Levinson", SPEAKER),),
        "Zoox's co-founder and CTO on the engineering path from cars with safety drivers to "
        "vehicles with nobody at the wheel.",
    ),
    DemoSession(
        0, "main-stage", "14:15", "14:45", "Afternoon break", Format.BREAK, (), (),
        "Refill, recharge, and head to the Breakout Stage for the workshop.",
    ),
    DemoSession(
        0, "breakout-stage", "14:45", "16:15", "Workshop: plan a shared-mobility pilot",
        Format.WORKSHOP, ("urban-mobility", "policy-equity"), ((DEMO_HOST, HOST),),
        "A hands-on session in small groups: sketch a city pilot for shared vehicles, from "
        "where they park and which neighborhoods they serve to what data the city gets back, "
        "then test the plan against questions of access and fairness.",
    ),
    DemoSession(
        0, "main-stage", "16:30", "17:30", "Day one reception", Format.NETWORKING, (), (),
        "Drinks and conversation to close the first day.",
    ),
    # Day two
    DemoSession(
        1, "main-stage", "09:00", "09:10", "Day two welcome", Format.KEYNOTE, (),
        ((DEMO_HOST, HOST),),
        "A short look back at day one and a guide to what comes today.",
    ),
    DemoSession(
        1, "main-stage", "09:10", "09:40", "Who is transportation for?", Format.KEYNOTE,
        ("policy-equity", "urban-mobility"), (("Tamika L. Butler", SPEAKER),),
        "Tamika L. Butler, who works on transportation as a community organizer, consultant "
        "and lawyer, asks whom our streets and transit are built to serve, and what new "
        "mobility must change to serve everyone fairly.",
    ),
    DemoSession(
        1, "main-stage", "09:40", "10:25", "Cities and shared mobility", Format.PANEL,
        ("urban-mobility", "policy-equity"),
        ((DEMO_HOST, MODERATOR), ("Tiffany Chu", PANELIST), ("Frank Reig", PANELIST)),
        "The co-founders and CEOs of Remix and Revel on how startups and city governments can "
        "work together as shared services reshape the street.",
    ),
    DemoSession(
        1, "main-stage", "10:25", "10:45", "Day two coffee break", Format.BREAK, (), (),
        "A pause before the late-morning session.",
    ),
    DemoSession(
        1, "main-stage", "10:45", "11:15", "Ahti Heinla on delivery robots", Format.INTERVIEW,
        ("delivery-robots", "automation"),
        (("Ahti Heinla", SPEAKER), (DEMO_HOST, INTERVIEWER)),
        "Starship Technologies' co-founder, its CEO and CTO, on handing the last stretch of a "
        "delivery to robots and what it takes for them to share the sidewalk with people.",
    ),
    DemoSession(
        1, "main-stage", "11:15", "12:15", "Day two lunch break", Format.BREAK, (), (),
        "Lunch is served in the hall next to the Main Stage.",
    ),
    DemoSession(
        1, "breakout-stage", "12:30", "14:00", "Startup pitch session", Format.PITCH,
        ("investing", "electric-vehicles", "urban-mobility"),
        ((DEMO_HOST, HOST), ("Clara Brenner", PANELIST), ("Quin Garcia", PANELIST),
         ("Rachel Holt", PANELIST)),
        "Early-stage transportation startups get five minutes each to pitch, followed by "
        "questions from investors in the lineup.",
    ),
    DemoSession(
        1, "main-stage", "14:15", "14:30", "Closing remarks", Format.KEYNOTE, (),
        ((DEMO_HOST, HOST),),
        "What we heard over two days, and where to follow up.",
    ),
    DemoSession(
        1, "main-stage", "14:30", "16:30", "Farewell networking", Format.NETWORKING, (), (),
        "A last chance to trade contacts before everyone heads home.",
    ),
)
# fmt: on


def _seed_session(
    *,
    event: Event,
    row: DemoSession,
    stages: dict[str, Stage],
    speakers: dict[str, Speaker],
    tags: dict[str, Tag],
) -> str:
    """Create one session if it is missing (through the agenda rules); an existing one, with
    its speakers and tags, is the organizers' and is left alone."""
    if Session.objects.filter(event=event, title=row.title).exists():
        return UNCHANGED
    day = event.start_date + dt.timedelta(days=row.day)
    session = Session(
        event=event,
        title=row.title,
        stage=stages[row.stage],
        abstract=row.abstract,
        format=row.format,
        starts_at=dt.datetime.combine(day, dt.time.fromisoformat(row.start), event.tzinfo),
        ends_at=dt.datetime.combine(day, dt.time.fromisoformat(row.end), event.tzinfo),
        is_published=True,
    )
    slots = [
        SpeakerSlot(speakers[name], role, position)
        for position, (name, role) in enumerate(row.speakers, start=1)
    ]
    schedule_session(session=session, speakers=slots)
    session.tags.set(tags[slug] for slug in row.tags)
    return CREATED


def seed() -> SeedReport:
    """Load the agenda of the demo event, its speakers in their sessions."""
    report = SeedReport()
    event = Event.objects.get(slug=DEMO_EVENT_SLUG)
    names = {name for row in SESSIONS for name, _ in row.speakers}
    speakers = {speaker.name: speaker for speaker in Speaker.objects.filter(name__in=names)}
    stages = {stage.slug: stage for stage in event.stages.all()}
    tags = {tag.slug: tag for tag in Tag.objects.all()}
    for row in SESSIONS:
        outcome = _seed_session(event=event, row=row, stages=stages, speakers=speakers, tags=tags)
        report.record("session", outcome)
    report.record("schedule release", _seed_release(event))
    return report


DEMO_RELEASE = "1.0"
DEMO_RELEASE_NOTE = "The full two-day programme. Changes from here on are listed with each release."


def _seed_release(event: Event) -> str:
    """Release the demo schedule once, if it has never been released."""
    if event.schedule_releases.exists():
        return UNCHANGED
    organizer = get_user_model().objects.filter(username=ORGANIZER_USERNAME).first()
    release_schedule(event=event, version=DEMO_RELEASE, note=DEMO_RELEASE_NOTE, by=organizer)
    return CREATED
