"""Speakers across events, the companies they come from, event lineups and session roles."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from core.models import TimeStampedModel
from events.models import Event, Session


class Organization(TimeStampedModel):
    """A company or institution speakers come from: AutoX, Momenta, WeRide…"""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organization_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class Speaker(TimeStampedModel):
    """A person who speaks at events; `email` and `phone` are private, never shown publicly."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    job_title = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="speakers"
    )
    bio = models.TextField(blank=True)
    # Stored re-encoded, never as uploaded (speakers/headshots.py); the API hands out renditions.
    headshot = models.ImageField(upload_to="headshots/", blank=True)
    # {"96": storage name, "256": …, "512": …}: written by store_headshot_renditions.
    headshot_renditions = models.JSONField(default=dict, blank=True, editable=False)
    pronouns = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True, help_text="Private: for invitations only.")
    phone = models.CharField(max_length=40, blank=True, help_text="Private: for organizers only.")
    sessions = models.ManyToManyField(
        Session, through="SessionSpeaker", related_name="speakers", blank=True
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # One person, one record: e-mail identifies a speaker when it is known.
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="speaker_email_unique_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SpeakerLink(TimeStampedModel):
    """A public link on a speaker's profile: website, LinkedIn, X…"""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=500)
    label = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["speaker", "id"]
        constraints = [
            models.UniqueConstraint(fields=["speaker", "url"], name="speaker_link_unique"),
        ]

    def __str__(self) -> str:
        return self.label or self.url


class InvitationStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"

    @classmethod
    def answers(cls) -> tuple["InvitationStatus", ...]:
        """The statuses a speaker answers with."""
        return (cls.CONFIRMED, cls.DECLINED)


class LineupEntry(TimeStampedModel):
    """A speaker in an event's lineup, announced before any session is set."""

    Status = InvitationStatus

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="lineup")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="lineup_entries")
    status = models.CharField(
        max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.INVITED
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    # The speaker portal's link signs (entry, link_version); bumping the version revokes every
    # link handed out before (speakers/portal_links.py).
    link_version = models.PositiveIntegerField(default=1, editable=False)
    link_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "lineup entry"
        verbose_name_plural = "lineup entries"
        ordering = ["event", "speaker__name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "speaker"], name="lineup_speaker_once"),
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values), name="lineup_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="lineup_confirmed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | Q(declined_at__isnull=False),
                name="lineup_declined_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker} at {self.event} ({self.get_status_display()})"


class SessionRole(models.TextChoices):
    MODERATOR = "moderator", "Moderator"
    PANELIST = "panelist", "Panelist"
    SPEAKER = "speaker", "Speaker"
    HOST = "host", "Host"
    INTERVIEWER = "interviewer", "Interviewer"


class SessionSpeaker(TimeStampedModel):
    """A speaker's place in a session: their role and their order on stage."""

    Role = SessionRole

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="session_speakers")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="session_roles")
    role = models.CharField(max_length=16, choices=SessionRole.choices, default=SessionRole.SPEAKER)
    position = models.PositiveSmallIntegerField(default=1, help_text="Order on stage, from 1.")
    # Added by the speaker in the portal: their own deck, and where their talk can be watched.
    slides_url = models.URLField("slides", max_length=500, blank=True)
    recording_url = models.URLField("recording", max_length=500, blank=True)

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "speaker"], name="session_speaker_once"),
            models.UniqueConstraint(
                fields=["session", "position"], name="session_speaker_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(role__in=SessionRole.values), name="session_speaker_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker} ({self.get_role_display()}) in {self.session}"
