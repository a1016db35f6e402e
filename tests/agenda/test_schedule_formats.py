"""frab / C3VOC schedule.xml and schedule.json: valid by the published schemas, in local time."""

import datetime as dt
import functools
import json
import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import FormatChecker
from jsonschema.validators import validator_for
from lxml import etree

from agenda.schedule_formats import GREENROOM_NAMESPACE, schedule_json, schedule_xml
from agenda.selectors import published_sessions
from events.models import Event, Session
from speakers.models import SessionSpeaker
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    StageFactory,
    TagFactory,
    local_time,
)

pytestmark = pytest.mark.django_db

FRAB = Path(__file__).resolve().parent / "frab_schemas"
RFC3339_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@functools.cache
def xml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(FRAB / "schedule.xml.xsd"))


@functools.cache
def json_validator():
    """A validator of the schema's own draft that also checks the formats the schema names."""
    schema = json.loads((FRAB / "schedule.schema.json").read_text())
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    # Without optional packages jsonschema skips date-time and uri; check them here instead.
    formats = FormatChecker()

    @formats.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        dt.datetime.fromisoformat(value)
        return bool(RFC3339_DATE_TIME.fullmatch(value))

    @formats.checks("uri")
    def is_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc)

    return validator_class(schema, format_checker=formats)


def assert_valid_xml(document: bytes) -> etree._Element:
    root = etree.fromstring(document)
    xml_schema().assertValid(root)
    return root


def assert_valid_json(document: dict) -> dict:
    # What the view will send: the document as JSON text, read back.
    sent = json.loads(json.dumps(document))
    json_validator().validate(sent)
    return sent


def event_url(event: Event) -> str:
    return f"https://greenroom.example/api/v1/events/{event.slug}/"


def as_xml(event: Event, sessions: Iterable[Session]) -> bytes:
    return schedule_xml(event=event, sessions=sessions, base_url=event_url(event))


def as_json(event: Event, sessions: Iterable[Session]) -> dict:
    return schedule_json(event=event, sessions=sessions, base_url=event_url(event))


def guid(kind: str, pk: int) -> str:
    return str(uuid.uuid5(GREENROOM_NAMESPACE, f"{kind}:{pk}"))


def xml_event_fields(element: etree._Element) -> dict[str, str]:
    return {child.tag: child.text or "" for child in element if len(child) == 0}


def xml_events_by_id(root: etree._Element) -> dict[int, etree._Element]:
    return {int(element.get("id")): element for element in root.iterfind("day/room/event")}


def json_events(document: dict) -> list[dict]:
    return [
        talk
        for day in document["schedule"]["conference"]["days"]
        for talks in day["rooms"].values()
        for talk in talks
    ]


def build_agenda():
    """Two stages over two days in Los Angeles; the panel is the session checked field by field."""
    event = EventFactory(
        name="TC Sessions: Mobility 2030",
        slug="mobility-2030",
        start_date=dt.date(2030, 6, 10),
        end_date=dt.date(2030, 6, 11),
        time_zone="America/Los_Angeles",
    )
    main = StageFactory(event=event, name="Main Stage", position=1, capacity=800)
    breakout = StageFactory(event=event, name="Breakout Room", position=2, capacity=None)
    robotaxi = TagFactory(name="robotaxi")
    self_driving = TagFactory(name="self-driving-cars")

    panel = SessionFactory(
        event=event,
        stage=main,
        title="The road to robotaxis",
        abstract="Who gets driverless cars onto public roads first, and how.",
        format=Session.Format.PANEL,
        starts_at=local_time(event, 0, 10),
        ends_at=local_time(event, 0, 10, 45),
    )
    panel.tags.add(self_driving, robotaxi)
    moderator = SpeakerFactory(name="Jewel Li", job_title="Reporter", organization__name="TC")
    panelist = SpeakerFactory(name="Tony Han", job_title="CEO", organization__name="WeRide")
    SessionSpeakerFactory(
        session=panel, speaker=moderator, role=SessionSpeaker.Role.MODERATOR, position=1
    )
    SessionSpeakerFactory(
        session=panel, speaker=panelist, role=SessionSpeaker.Role.PANELIST, position=2
    )

    keynote = SessionFactory(
        event=event,
        stage=main,
        title="Opening keynote",
        format=Session.Format.KEYNOTE,
        starts_at=local_time(event, 0, 9),
        ends_at=local_time(event, 0, 9, 30),
    )
    keynote.tags.add(robotaxi)
    SessionSpeakerFactory(session=keynote, role=SessionSpeaker.Role.SPEAKER, position=1)
    SessionFactory(
        event=event,
        stage=breakout,
        title="Lidar hands-on",
        format=Session.Format.WORKSHOP,
        starts_at=local_time(event, 0, 9, 30),
        ends_at=local_time(event, 0, 11),
    )
    SessionFactory(
        event=event,
        stage=main,
        title="Closing fireside chat",
        format=Session.Format.FIRESIDE_CHAT,
        starts_at=local_time(event, 1, 16),
        ends_at=local_time(event, 1, 16, 30),
    )
    return event, panel


def test_schedule_xml_of_an_agenda_validates_against_the_xsd():
    event, _ = build_agenda()

    document = as_xml(event, published_sessions(event))

    root = assert_valid_xml(document)
    assert len(root.findall("day/room/event")) == 4


def test_schedule_json_of_an_agenda_validates_against_the_schema():
    event, _ = build_agenda()

    document = as_json(event, published_sessions(event))

    sent = assert_valid_json(document)
    assert len(json_events(sent)) == 4


def test_schedule_xml_session_carries_its_fields():
    event, panel = build_agenda()
    moderator, panelist = (entry.speaker for entry in panel.session_speakers.all())

    document = as_xml(event, published_sessions(event))

    element = xml_events_by_id(etree.fromstring(document))[panel.pk]
    assert element.get("guid") == guid("session", panel.pk)
    assert xml_event_fields(element) == {
        "date": "2030-06-10T10:00:00-07:00",
        "start": "10:00",
        "duration": "00:45",
        "room": "Main Stage",
        "slug": f"mobility_2030-{panel.pk}-the-road-to-robotaxis",
        "url": f"https://greenroom.example/api/v1/events/mobility-2030/sessions/{panel.pk}/",
        "title": "The road to robotaxis",
        "subtitle": "",
        "track": "robotaxi",
        "type": "panel",
        "language": "en",
        "abstract": "Who gets driverless cars onto public roads first, and how.",
        "description": "",
        "links": "",
        "attachments": "",
    }
    assert [(p.get("id"), p.get("guid"), p.text) for p in element.iterfind("persons/person")] == [
        (str(moderator.pk), guid("speaker", moderator.pk), "Jewel Li"),
        (str(panelist.pk), guid("speaker", panelist.pk), "Tony Han"),
    ]


def test_schedule_json_session_carries_its_fields():
    event, panel = build_agenda()
    moderator, panelist = (entry.speaker for entry in panel.session_speakers.all())

    document = as_json(event, published_sessions(event))

    day = document["schedule"]["conference"]["days"][0]
    assert day["rooms"]["Main Stage"][1] == {
        "guid": guid("session", panel.pk),
        "id": panel.pk,
        "date": "2030-06-10T10:00:00-07:00",
        "start": "10:00",
        "end": "2030-06-10T10:45:00-07:00",
        "duration": "00:45",
        "room": "Main Stage",
        "slug": f"mobility_2030-{panel.pk}-the-road-to-robotaxis",
        "url": f"https://greenroom.example/api/v1/events/mobility-2030/sessions/{panel.pk}/",
        "title": "The road to robotaxis",
        "subtitle": "",
        "track": "robotaxi",
        "type": "panel",
        "language": "en",
        "abstract": "Who gets driverless cars onto public roads first, and how.",
        "description": "",
        "persons": [
            {"id": moderator.pk, "guid": guid("speaker", moderator.pk), "public_name": "Jewel Li"},
            {"id": panelist.pk, "guid": guid("speaker", panelist.pk), "public_name": "Tony Han"},
        ],
        "links": [],
        "attachments": [],
    }


def test_schedule_json_conference_describes_the_event_days_and_rooms():
    event, _ = build_agenda()
    main, breakout = event.stages.order_by("position")

    document = as_json(event, published_sessions(event))

    schedule = document["schedule"]
    conference = schedule["conference"]
    assert schedule["base_url"] == "https://greenroom.example/api/v1/events/mobility-2030/"
    assert schedule["url"] == "https://greenroom.example/api/v1/events/mobility-2030/schedule.json"
    assert {key: value for key, value in conference.items() if key != "days"} == {
        "acronym": "mobility_2030",
        "title": "TC Sessions: Mobility 2030",
        "start": "2030-06-10",
        "end": "2030-06-11",
        "daysCount": 2,
        "timeslot_duration": "00:05",
        "time_zone_name": "America/Los_Angeles",
        "rooms": [
            {"name": "Main Stage", "guid": guid("stage", main.pk), "capacity": 800},
            {"name": "Breakout Room", "guid": guid("stage", breakout.pk), "capacity": None},
        ],
    }
    assert [
        (day["index"], day["date"], day["day_start"], day["day_end"], list(day["rooms"]))
        for day in conference["days"]
    ] == [
        (
            1,
            "2030-06-10",
            "2030-06-10T00:00:00-07:00",
            "2030-06-11T00:00:00-07:00",
            ["Main Stage", "Breakout Room"],
        ),
        (
            2,
            "2030-06-11",
            "2030-06-11T00:00:00-07:00",
            "2030-06-12T00:00:00-07:00",
            ["Main Stage", "Breakout Room"],
        ),
    ]


def test_schedule_xml_conference_and_days_describe_the_event():
    event, _ = build_agenda()
    main, breakout = event.stages.order_by("position")

    document = as_xml(event, published_sessions(event))

    root = etree.fromstring(document)
    assert root.find("generator").get("name") == "greenroom"
    assert root.findtext("url") == (
        "https://greenroom.example/api/v1/events/mobility-2030/schedule.xml"
    )
    assert xml_event_fields(root.find("conference")) == {
        "acronym": "mobility_2030",
        "title": "TC Sessions: Mobility 2030",
        "start": "2030-06-10",
        "end": "2030-06-11",
        "days": "2",
        "timeslot_duration": "00:05",
        "time_zone_name": "America/Los_Angeles",
        "base_url": "https://greenroom.example/api/v1/events/mobility-2030/",
    }
    assert [dict(day.attrib) for day in root.iterfind("day")] == [
        {
            "index": "1",
            "date": "2030-06-10",
            "start": "2030-06-10T00:00:00-07:00",
            "end": "2030-06-11T00:00:00-07:00",
        },
        {
            "index": "2",
            "date": "2030-06-11",
            "start": "2030-06-11T00:00:00-07:00",
            "end": "2030-06-12T00:00:00-07:00",
        },
    ]
    rooms = [("Main Stage", guid("stage", main.pk)), ("Breakout Room", guid("stage", breakout.pk))]
    for day in root.iterfind("day"):
        assert [(room.get("name"), room.get("guid")) for room in day.iterfind("room")] == rooms


def test_schedule_sessions_on_a_day_are_in_start_order():
    event, _ = build_agenda()
    main = event.stages.get(name="Main Stage")
    SessionFactory(
        event=event,
        stage=main,
        title="Morning coffee",
        format=Session.Format.NETWORKING,
        starts_at=local_time(event, 0, 8),
        ends_at=local_time(event, 0, 8, 45),
    )
    # Latest first, so the order out is the functions' own.
    sessions = sorted(published_sessions(event), key=lambda s: s.starts_at, reverse=True)

    xml_root = etree.fromstring(as_xml(event, sessions))
    document = as_json(event, sessions)

    expected = ["Morning coffee", "Opening keynote", "The road to robotaxis"]
    xml_titles = xml_root.xpath("day[@index='1']/room[@name='Main Stage']/event/title/text()")
    assert xml_titles == expected
    json_room = document["schedule"]["conference"]["days"][0]["rooms"]["Main Stage"]
    assert [talk["title"] for talk in json_room] == expected


def test_schedule_session_late_in_the_evening_stays_on_its_local_day():
    # 23:30 in Los Angeles is already the next day in UTC.
    event, _ = build_agenda()
    late = SessionFactory(
        event=event,
        stage=event.stages.get(name="Breakout Room"),
        title="Night drive",
        starts_at=local_time(event, 0, 23, 30),
        ends_at=local_time(event, 1, 0, 15),
    )
    sessions = list(published_sessions(event))

    document = as_json(event, sessions)
    xml_root = etree.fromstring(as_xml(event, sessions))

    first_day = document["schedule"]["conference"]["days"][0]
    assert [
        (talk["title"], talk["date"], talk["start"], talk["duration"])
        for talk in first_day["rooms"]["Breakout Room"]
    ] == [
        ("Lidar hands-on", "2030-06-10T09:30:00-07:00", "09:30", "01:30"),
        ("Night drive", "2030-06-10T23:30:00-07:00", "23:30", "00:45"),
    ]
    # The day runs on until its last session ends.
    assert first_day["day_end"] == "2030-06-11T00:15:00-07:00"
    assert xml_root.xpath(f"day[room/event/@id='{late.pk}']/@date") == ["2030-06-10"]
    assert_valid_xml(etree.tostring(xml_root))
    assert_valid_json(document)


def test_schedule_across_a_dst_change_keeps_local_start_times():
    # Clocks in Los Angeles go from 02:00 PST to 03:00 PDT on Sunday 10 March 2030.
    event = EventFactory(
        slug="spring-forward",
        start_date=dt.date(2030, 3, 9),
        end_date=dt.date(2030, 3, 10),
        time_zone="America/Los_Angeles",
    )
    stage = StageFactory(event=event, name="Main Stage")
    saturday = SessionFactory(
        event=event,
        stage=stage,
        starts_at=local_time(event, 0, 10),
        ends_at=local_time(event, 0, 11),
    )
    sunday = SessionFactory(
        event=event,
        stage=stage,
        starts_at=local_time(event, 1, 10),
        ends_at=local_time(event, 1, 11),
    )
    sessions = list(published_sessions(event))

    document = as_json(event, sessions)
    xml_root = assert_valid_xml(as_xml(event, sessions))

    assert_valid_json(document)
    days = document["schedule"]["conference"]["days"]
    assert [
        (
            day["day_start"],
            day["day_end"],
            [(t["date"], t["start"]) for t in day["rooms"]["Main Stage"]],
        )
        for day in days
    ] == [
        (
            "2030-03-09T00:00:00-08:00",
            "2030-03-10T00:00:00-08:00",
            [("2030-03-09T10:00:00-08:00", "10:00")],
        ),
        (
            "2030-03-10T00:00:00-08:00",
            "2030-03-11T00:00:00-07:00",
            [("2030-03-10T10:00:00-07:00", "10:00")],
        ),
    ]
    assert [
        xml_event_fields(xml_events_by_id(xml_root)[session.pk])["start"]
        for session in (saturday, sunday)
    ] == ["10:00", "10:00"]


def test_schedule_of_an_empty_agenda_still_validates():
    event = EventFactory(slug="quiet-days-2030")

    xml_root = assert_valid_xml(as_xml(event, []))
    document = assert_valid_json(as_json(event, []))

    assert [day.get("date") for day in xml_root.iterfind("day")] == ["2030-06-10", "2030-06-11"]
    assert xml_root.findall("day/room") == []
    assert [(day["date"], day["rooms"]) for day in document["schedule"]["conference"]["days"]] == [
        ("2030-06-10", {}),
        ("2030-06-11", {}),
    ]
    assert document["schedule"]["conference"]["rooms"] == []


@pytest.mark.parametrize(
    ("event_slug", "title", "slug"),
    [
        ("ai", "Q&A", "ai_2030-{pk}-qa"),
        ("mobility-2030", "?", "mobility_2030-{pk}-session"),
        ("mobility-2030", "A", "mobility_2030-{pk}-a-session"),
        (
            "Mobility-2030",
            "Radar, now! " * 6,
            "mobility_2030-{pk}-radar-now-radar-now-radar-now-radar-now-radar-now",
        ),
    ],
)
def test_schedule_slugs_fit_both_schemas_whatever_the_names(event_slug, title, slug):
    event = EventFactory(slug=event_slug)
    session = SessionFactory(event=event, title=title)
    sessions = list(published_sessions(event))

    xml_root = assert_valid_xml(as_xml(event, sessions))
    document = assert_valid_json(as_json(event, sessions))

    assert xml_root.findtext("day/room/event/slug") == slug.format(pk=session.pk)
    assert json_events(document)[0]["slug"] == slug.format(pk=session.pk)


def test_schedule_json_leaves_out_a_zone_name_its_schema_refuses():
    event = EventFactory(time_zone="Etc/GMT-3")
    sessions = [SessionFactory(event=event)]

    xml_root = assert_valid_xml(as_xml(event, sessions))
    document = assert_valid_json(as_json(event, sessions))

    assert xml_root.findtext("conference/time_zone_name") == "Etc/GMT-3"
    assert "time_zone_name" not in document["schedule"]["conference"]
    assert json_events(document)[0]["date"] == "2030-06-10T10:00:00+03:00"


def test_schedule_version_is_stable_and_follows_the_content():
    event, panel = build_agenda()

    def versions() -> tuple[str, str]:
        sessions = list(published_sessions(event))
        xml_root = etree.fromstring(as_xml(event, sessions))
        document = as_json(event, sessions)
        return xml_root.findtext("version"), document["schedule"]["version"]

    before = versions()
    again = versions()
    panel.title = "The long road to robotaxis"
    panel.save()
    retitled = versions()
    panel.is_published = False
    panel.save()
    withdrawn = versions()

    assert before == again
    assert before[0] == before[1]
    assert len({before[0], retitled[0], withdrawn[0]}) == 3


def test_schedule_exports_issue_no_queries(django_assert_num_queries):
    event, _ = build_agenda()
    sessions = list(published_sessions(event))

    with django_assert_num_queries(0):
        schedule_xml(event=event, sessions=sessions, base_url=event_url(event))
        schedule_json(event=event, sessions=sessions, base_url=event_url(event))


def person_kinds_matched(person: dict) -> list[str]:
    """Which of the schema's two person kinds (its Person oneOf) `person` is."""
    validator = json_validator()
    definitions = validator.schema["definitions"]
    return [
        kind
        for kind in ("FrabPerson", "PretalxPerson")
        if validator.evolve(
            schema={"$ref": f"#/definitions/{kind}", "definitions": definitions}
        ).is_valid(person)
    ]


def test_schedule_json_persons_are_frab_persons_with_a_public_name():
    event, panel = build_agenda()

    sent = assert_valid_json(as_json(event, published_sessions(event)))

    [talk] = [talk for talk in json_events(sent) if talk["id"] == panel.pk]
    assert [person["public_name"] for person in talk["persons"]] == ["Jewel Li", "Tony Han"]
    assert [person_kinds_matched(person) for person in talk["persons"]] == [["FrabPerson"]] * 2


def test_schedule_exports_link_the_livestream_and_the_recording_validly():
    event = EventFactory()
    session = SessionFactory(
        event=event,
        livestream_url="https://stream.example/main",
        recording_url="https://video.example/talk-1",
    )

    sent = assert_valid_json(as_json(event, published_sessions(event)))
    root = assert_valid_xml(as_xml(event, published_sessions(event)))

    links = [
        {"type": "media", "url": "https://stream.example/main", "title": "Livestream"},
        {"type": "media", "url": "https://video.example/talk-1", "title": "Recording"},
    ]
    assert json_events(sent)[0]["links"] == links
    xml_links = xml_events_by_id(root)[session.pk].iterfind("links/link")
    assert [
        {"type": link.get("type"), "url": link.get("href"), "title": link.text}
        for link in xml_links
    ] == links
