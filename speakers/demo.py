"""Demo data of the speakers app: the lineup of “TC Sessions: Mobility 2021”.

Runs after `events.demo.seed()` (INSTALLED_APPS order), which creates the event, its stages
and tags. Names, titles and companies are those the event announced; bios state only those
facts. Morgan Reyes is a fictional host, there so the panels have a moderator. Real people get
no private e-mail or phone. The agenda app's demo puts them in sessions.
"""

from dataclasses import dataclass

from events.demo import CREATED, DEMO_EVENT_SLUG, UNCHANGED, SeedReport, ensure
from events.models import Event
from events.services import unique_slug
from speakers.models import InvitationStatus, LineupEntry, Organization, Speaker
from speakers.portal_links import portal_url
from speakers.services import set_lineup_status

DEMO_HOST = "Morgan Reyes"
DEMO_HOST_EMAIL = "host@greenroom.test"


@dataclass(frozen=True)
class DemoSpeaker:
    """A speaker of the demo lineup; `organization` is a company name or blank."""

    name: str
    job_title: str
    organization: str
    bio: str
    email: str = ""


SPEAKERS = (
    DemoSpeaker(
        "Jewel Li",
        "",
        "AutoX",
        "Jewel Li represents AutoX, a Chinese autonomous-vehicle startup that also operates "
        "outside China and counts the state-owned carmakers Dongfeng Motor and SAIC Motor "
        "among its backers.",
    ),
    DemoSpeaker(
        "Huan Sun",
        "",
        "Momenta",
        "Huan Sun represents Momenta, a Chinese autonomous-driving startup with work abroad "
        "whose $500 million round, closed in March 2021, brought in Bosch, Daimler and Toyota.",
    ),
    DemoSpeaker(
        "Jennifer Li",
        "",
        "WeRide",
        "Jennifer Li represents WeRide, a Chinese autonomous-vehicle startup active beyond "
        "China, valued at $3 billion after a financing round in May 2021.",
    ),
    DemoSpeaker(
        "Pam Fletcher",
        "VP of Global Innovation",
        "GM",
        "Pam Fletcher leads Global Innovation at GM as its vice president.",
    ),
    DemoSpeaker(
        "Alexandr Wang",
        "CEO",
        "Scale AI",
        "Alexandr Wang is the chief executive of Scale AI.",
    ),
    DemoSpeaker(
        "JoeBen Bevirt",
        "Founder and CEO",
        "Joby Aviation",
        "JoeBen Bevirt founded Joby Aviation and runs it as chief executive.",
    ),
    DemoSpeaker(
        "Reid Hoffman",
        "Investor; founder of LinkedIn",
        "LinkedIn",
        "Reid Hoffman is an investor and the founder of LinkedIn. His special purpose "
        "acquisition company has merged with Joby Aviation.",
    ),
    DemoSpeaker(
        "Clara Brenner",
        "Investor",
        "Urban Innovation Fund",
        "Clara Brenner invests in startups at Urban Innovation Fund.",
    ),
    DemoSpeaker(
        "Quin Garcia",
        "Investor",
        "Autotech Ventures",
        "Quin Garcia invests in startups at Autotech Ventures.",
    ),
    DemoSpeaker(
        "Rachel Holt",
        "Investor",
        "Construct Capital",
        "Rachel Holt invests in startups at Construct Capital.",
    ),
    DemoSpeaker(
        "Ahti Heinla",
        "Co-founder and CEO/CTO",
        "Starship Technologies",
        "Ahti Heinla co-founded Starship Technologies, where he is both CEO and CTO.",
    ),
    DemoSpeaker(
        "Jesse Levinson",
        "Co-founder and CTO",
        "Zoox",
        "Jesse Levinson co-founded Zoox and is its chief technology officer.",
    ),
    DemoSpeaker(
        "Tamika L. Butler",
        "Community organizer, transportation consultant and lawyer",
        "",
        "Tamika L. Butler works on transportation from three sides: as a community organizer, "
        "as a consultant and as a lawyer.",
    ),
    DemoSpeaker(
        "Tiffany Chu",
        "Co-founder and CEO",
        "Remix",
        "Tiffany Chu co-founded Remix and leads it as chief executive.",
    ),
    DemoSpeaker(
        "Frank Reig",
        "Co-founder and CEO",
        "Revel",
        "Frank Reig co-founded Revel and leads it as chief executive.",
    ),
    DemoSpeaker(
        DEMO_HOST,
        "Mobility Editor",
        "Greenroom Demo",
        "Morgan Reyes is a fictional persona made up for the Greenroom demo, not a real "
        "person: the host who opens each day, moderates the panels and runs the workshop.",
        email=DEMO_HOST_EMAIL,
    ),
)


def _seed_people(report: SeedReport) -> dict[str, Speaker]:
    organizations = {}
    for name in dict.fromkeys(row.organization for row in SPEAKERS if row.organization):
        organizations[name], outcome = ensure(
            Organization, {"name": name}, {}, on_create=lambda name=name: _slug(Organization, name)
        )
        report.record("organization", outcome)

    speakers = {}
    for row in SPEAKERS:
        values = {
            "job_title": row.job_title,
            "organization": organizations.get(row.organization),
            "bio": row.bio,
        }
        if row.email:
            # Only the fictional host has an address; real people get no private contact.
            values["email"] = row.email
        speakers[row.name], outcome = ensure(
            Speaker,
            {"name": row.name},
            values,
            on_create=lambda name=row.name: _slug(Speaker, name),
        )
        report.record("speaker", outcome)
    return speakers


def _slug(model: type[Organization | Speaker], name: str) -> dict[str, str]:
    return {"slug": unique_slug(model, name)}


def seed() -> SeedReport:
    """Load organizations, speakers and the confirmed lineup of the demo event."""
    report = SeedReport()
    event = Event.objects.get(slug=DEMO_EVENT_SLUG)
    speakers = _seed_people(report)

    # Only speakers missing from the lineup join it, confirmed; an organizer's later answer
    # (declined, invited again) stands.
    in_lineup = set(event.lineup.values_list("speaker_id", flat=True))
    missing = [speaker for speaker in speakers.values() if speaker.pk not in in_lineup]
    confirmed = set_lineup_status(event=event, speakers=missing, status=InvitationStatus.CONFIRMED)
    report.record("lineup confirmation", CREATED, confirmed)
    report.record("lineup confirmation", UNCHANGED, len(speakers) - confirmed)

    # A fresh link each run (valid GREENROOM_SPEAKER_LINK_DAYS): signing stores nothing.
    host = LineupEntry.objects.filter(event=event, speaker__email=DEMO_HOST_EMAIL).first()
    if host is not None:
        report.notes.append(f"speaker portal of {host.speaker.name}: {portal_url(host)}")
    return report
