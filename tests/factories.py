"""factory_boy factories for Greenroom's models; each builds the smallest valid row."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from events.models import Event, Session, Stage, Tag
from speakers.models import LineupEntry, Organization, SessionSpeaker, Speaker, SpeakerLink
from tickets.models import InventoryPool, PassType, PricePhase, PromoCode
from tickets.services.checkin import ensure_door_staff_group

EVENT_ZONE = "America/Los_Angeles"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


def door_staff_user(**kwargs):
    """A door volunteer: may check tickets in, is not staff and cannot open the admin."""
    user = UserFactory(**kwargs)
    user.groups.add(ensure_door_staff_group())
    return user


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"TC Sessions: Test {n}")
    slug = factory.LazyAttribute(lambda event: slugify(event.name))
    start_date = dt.date(2030, 6, 10)
    end_date = dt.date(2030, 6, 11)
    time_zone = EVENT_ZONE
    status = Event.Status.PUBLISHED


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    slug = factory.LazyAttribute(lambda stage: slugify(stage.name))
    position = factory.Sequence(lambda n: n)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"topic {n}")
    slug = factory.LazyAttribute(lambda tag: slugify(tag.name))


def local_time(event: Event, day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
    """An aware instant on the event's `day_offset`-th day at hour:minute, in the event's zone."""
    day = event.start_date + dt.timedelta(days=day_offset)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=event.tzinfo)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    stage = factory.SubFactory(StageFactory, event=factory.SelfAttribute("..event"))
    title = factory.Sequence(lambda n: f"Session {n}")
    format = Session.Format.PANEL
    starts_at = factory.LazyAttribute(lambda session: local_time(session.event, 0, 10))
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + dt.timedelta(minutes=45))
    is_published = True


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.LazyAttribute(lambda org: slugify(org.name))


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    slug = factory.LazyAttribute(lambda speaker: slugify(speaker.name))
    job_title = "CEO"
    organization = factory.SubFactory(OrganizationFactory)
    email = factory.LazyAttribute(lambda speaker: f"{speaker.slug}@example.com")


class SpeakerLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpeakerLink

    speaker = factory.SubFactory(SpeakerFactory)
    url = factory.Sequence(lambda n: f"https://example.com/profile/{n}")


class LineupEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LineupEntry

    event = factory.SubFactory(EventFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    status = LineupEntry.Status.INVITED
    invited_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))


class SessionSpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionSpeaker

    session = factory.SubFactory(SessionFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    role = SessionSpeaker.Role.PANELIST
    position = factory.Sequence(lambda n: n + 1)


class PassTypeFactory(factory.django.DjangoModelFactory):
    """A pass with one open-ended price phase (`phase__price=…` sets it, `phase=None` omits it)."""

    class Meta:
        model = PassType
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Pass {n}")
    slug = factory.LazyAttribute(lambda pass_type: slugify(pass_type.name))
    capacity = 100
    phase = factory.RelatedFactory(
        "tests.factories.PricePhaseFactory", factory_related_name="pass_type"
    )


class PricePhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PricePhase

    pass_type = factory.SubFactory(PassTypeFactory, phase=None)
    name = "Regular"
    price = 12500


class InventoryPoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InventoryPool

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Seats {n}")
    capacity = 100


class PromoCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromoCode

    event = factory.SubFactory(EventFactory)
    code = factory.Sequence(lambda n: f"PROMO{n}")
    kind = PromoCode.Kind.PERCENT
    value = 20
