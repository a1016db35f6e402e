"""Events, stages, sessions and tags: the agenda's data and the rules the database enforces."""

import datetime as dt
import zoneinfo
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from core.models import TimeStampedModel


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("“%(value)s” is not an IANA time zone.", params={"value": value})


def validate_event_days(start_date: dt.date, end_date: dt.date) -> None:
    """Refuses (on `end_date`) an event of more days than GREENROOM_MAX_EVENT_DAYS: every day
    is drawn, exported and synced, so a decades-long event makes megabytes of empty agenda."""
    cap = settings.GREENROOM_MAX_EVENT_DAYS
    days = (end_date - start_date).days + 1
    if days > cap:
        unit = "day" if cap == 1 else "days"
        raise ValidationError(
            {"end_date": f"An event lasts at most {cap} {unit}; this one would last {days}."}
        )


currency_validator = RegexValidator(r"^[a-z]{3}$", "Use an ISO 4217 code in lowercase, e.g. usd.")


class EventStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Virtual"
    HYBRID = "hybrid", "Hybrid"


class SessionFormat(models.TextChoices):
    KEYNOTE = "keynote", "Keynote"
    PANEL = "panel", "Panel"
    FIRESIDE_CHAT = "fireside_chat", "Fireside chat"
    INTERVIEW = "interview", "Interview"
    WORKSHOP = "workshop", "Workshop"
    BREAKOUT = "breakout", "Breakout"
    PITCH = "pitch", "Pitch"
    NETWORKING = "networking", "Networking"
    BREAK = "break", "Break"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Event(TimeStampedModel):
    """A conference such as “TC Sessions: Mobility 2021”, held on whole days in one time zone."""

    Status = EventStatus
    AttendanceMode = AttendanceMode

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    tagline = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    start_date = models.DateField(help_text="First day, in the event's time zone.")
    end_date = models.DateField(help_text="Last day, in the event's time zone.")
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="IANA zone the event happens in, e.g. America/Los_Angeles.",
    )
    attendance_mode = models.CharField(
        max_length=16, choices=AttendanceMode.choices, default=AttendanceMode.IN_PERSON
    )
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.CharField(max_length=300, blank=True)
    currency = models.CharField(max_length=3, default="usd", validators=[currency_validator])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    speaker_logistics = models.TextField(
        "logistics for speakers",
        blank=True,
        help_text="Shown to speakers in their portal only: arrival and check-in, the green "
        "room, A/V (slides format, microphones), whom to call on the day.",
    )

    class Meta:
        ordering = ["start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="event_ends_on_or_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EventStatus.values), name="event_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def starts_at(self) -> dt.datetime:
        """Midnight at the start of the first day, in the event's zone."""
        return dt.datetime.combine(self.start_date, dt.time.min, tzinfo=self.tzinfo)

    @property
    def ends_at(self) -> dt.datetime:
        """Midnight after the last day, in the event's zone."""
        return dt.datetime.combine(
            self.end_date + dt.timedelta(days=1), dt.time.min, tzinfo=self.tzinfo
        )

    @property
    def days(self) -> list[dt.date]:
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + dt.timedelta(days=offset) for offset in range(count)]

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The last day cannot be before the first day."})
        if self.start_date and self.end_date:
            validate_event_days(self.start_date, self.end_date)


class Stage(TimeStampedModel):
    """A room or track of an event; sessions on one stage never overlap."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the agenda.")
    capacity = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["event", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slug"], name="stage_slug_unique_per_event"),
            models.UniqueConstraint(fields=["event", "name"], name="stage_name_unique_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.event.name}"


class Tag(TimeStampedModel):
    """A topic such as `robotaxi` or `self-driving-cars`, shared across events."""

    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Session(TimeStampedModel):
    """An agenda item: a keynote, panel, fireside chat… on one stage at one time."""

    Format = SessionFormat
    Status = SessionStatus

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(max_length=200)
    abstract = models.TextField(blank=True)
    format = models.CharField(max_length=20, choices=Format.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    tags = models.ManyToManyField(Tag, blank=True, related_name="sessions")
    is_published = models.BooleanField(
        "published", default=False, help_text="Only published sessions appear on the agenda."
    )
    # Cancelling keeps the session's id and its place in every export, marked, so apps that
    # stored the id (bookmarks, reminders) learn of it; deleting is for mistakes only.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    livestream_url = models.URLField(
        "livestream link", blank=True, help_text="Where to watch the session live."
    )
    recording_url = models.URLField(
        "recording link", blank=True, help_text="Where to watch the session afterwards."
    )

    class Meta:
        ordering = ["starts_at", "stage__position", "title"]
        indexes = [models.Index(fields=["stage", "starts_at"]), models.Index(fields=["updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(format__in=SessionFormat.values), name="session_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values), name="session_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    def marked_title(self) -> str:
        """The title as exports without a status field show it (frab, a calendar's summary):
        a cancelled session's says so, since the title is what every app shows."""
        return f"Cancelled: {self.title}" if self.is_cancelled else self.title

    def local_slot_label(self) -> str:
        """When the session runs, as organizers and attendees read it in the event's zone."""
        zone = self.event.tzinfo
        start, end = self.starts_at.astimezone(zone), self.ends_at.astimezone(zone)
        end_format = "%H:%M" if end.date() == start.date() else "%a %d %b %H:%M"
        return f"{start:%a %d %b %Y, %H:%M}–{end.strftime(end_format)} ({self.event.time_zone})"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A session must end after it starts."})
