"""Output serializers for the agenda and the lineup. Private contacts never appear here."""

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from agenda.models import Bookmark, ReleaseChange, ScheduleRelease
from agenda.releases import ChangeKind
from agenda.rows import LARGEST_HEADSHOT
from config.api.delta import SYNCED_AT_HELP
from config.api.fields import OptionalURLField
from events.api.serializers import EventDetailSerializer, TagSerializer
from events.models import Session, Stage
from speakers.headshots import RENDITION_SIDES
from speakers.models import Organization, SessionSpeaker, Speaker, SpeakerLink

HEADSHOTS_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "The headshot as JPEGs fitted into squares of these sides in pixels (never "
    "enlarged, the whole picture kept), by side; null: no headshot.",
    "properties": {str(side): {"type": "string", "format": "uri"} for side in RENDITION_SIDES},
    "required": [str(side) for side in RENDITION_SIDES],
}


class StageRefSerializer(serializers.ModelSerializer):
    """The stage a session is on."""

    class Meta:
        model = Stage
        fields = ("id", "name")


def headshot_urls(speaker: Speaker, request) -> dict[str, str] | None:
    """Absolute URLs of the speaker's headshot renditions by side, or None without a headshot.

    Only renditions are handed out, never the stored file itself. Reads no database row.
    """
    if not speaker.headshot or not speaker.headshot_renditions:
        return None
    storage = speaker.headshot.storage
    urls = {side: storage.url(name) for side, name in speaker.headshot_renditions.items()}
    return {side: request.build_absolute_uri(url) if request else url for side, url in urls.items()}


class SessionSpeakerSerializer(serializers.ModelSerializer):
    """A speaker as shown on a session: who, in which role and order, and their headshot."""

    id = serializers.IntegerField(source="speaker.id", read_only=True)
    name = serializers.CharField(source="speaker.name", read_only=True)
    job_title = serializers.CharField(source="speaker.job_title", read_only=True)
    organization = serializers.CharField(
        source="speaker.organization.name", read_only=True, allow_null=True, default=None
    )
    headshots = serializers.SerializerMethodField()

    class Meta:
        model = SessionSpeaker
        fields = ("id", "name", "job_title", "organization", "role", "position", "headshots")

    @extend_schema_field(HEADSHOTS_SCHEMA)
    def get_headshots(self, session_speaker: SessionSpeaker) -> dict[str, str] | None:
        return headshot_urls(session_speaker.speaker, self.context.get("request"))


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A moderated panel",
            value={
                "id": 2,
                "title": "China's robotaxi race",
                "abstract": "Three leaders of Chinese autonomous-driving startups compare notes.",
                "format": "panel",
                "stage": {"id": 1, "name": "Main Stage"},
                "starts_at": "2026-12-25T17:15:00Z",
                "ends_at": "2026-12-25T18:00:00Z",
                "duration_minutes": 45,
                "status": "scheduled",
                "tags": [{"slug": "robotaxi", "name": "robotaxi"}],
                "speakers": [
                    {"id": 16, "name": "Morgan Reyes", "job_title": "Mobility Editor",
                     "organization": "Greenroom Demo", "role": "moderator", "position": 1,
                     "headshots": None},
                    {"id": 1, "name": "Jewel Li", "job_title": "", "organization": "AutoX",
                     "role": "panelist", "position": 2,
                     "headshots": {
                         "96": "https://greenroom.example/media/headshots/jewel-li_96.jpg",
                         "256": "https://greenroom.example/media/headshots/jewel-li_256.jpg",
                         "512": "https://greenroom.example/media/headshots/jewel-li_512.jpg",
                     }},
                ],
                "livestream_url": "https://stream.example/main-stage",
                "recording_url": None,
                "updated_at": "2026-11-28T02:55:01Z",
            },
            response_only=True,
        )
    ]
)  # fmt: skip
class SessionSerializer(serializers.ModelSerializer):
    """A session of the agenda; its event's `time_zone` is the zone to show its times in."""

    stage = StageRefSerializer(read_only=True)
    duration_minutes = serializers.SerializerMethodField()
    tags = TagSerializer(many=True, read_only=True)
    speakers = SessionSpeakerSerializer(source="session_speakers", many=True, read_only=True)
    livestream_url = OptionalURLField(help_text="Where to watch it live; null: not streamed.")
    recording_url = OptionalURLField(
        help_text="Where to watch it afterwards; null: no recording (yet)."
    )

    class Meta:
        model = Session
        fields = (
            "id",
            "title",
            "abstract",
            "format",
            "stage",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "status",
            "tags",
            "speakers",
            "livestream_url",
            "recording_url",
            "updated_at",
        )
        extra_kwargs = {
            "status": {
                "help_text": "`cancelled`: the session stays on the agenda with its id, marked; "
                "apps show it struck through rather than drop it."
            }
        }

    def get_duration_minutes(self, session: Session) -> int:
        return int(session.duration.total_seconds() // 60)


class OrganizationSerializer(serializers.ModelSerializer):
    """A speaker's company."""

    class Meta:
        model = Organization
        fields = ("id", "name", "website")


class SpeakerLinkSerializer(serializers.ModelSerializer):
    """A public link on a speaker's profile."""

    class Meta:
        model = SpeakerLink
        fields = ("url", "label")


class SpeakerSerializer(serializers.ModelSerializer):
    """A speaker's public profile (never e-mail or phone)."""

    organization = OrganizationSerializer(read_only=True, allow_null=True)
    links = SpeakerLinkSerializer(many=True, read_only=True)
    headshot_url = serializers.SerializerMethodField()
    headshots = serializers.SerializerMethodField()

    class Meta:
        model = Speaker
        fields = (
            "id",
            "name",
            "slug",
            "job_title",
            "organization",
            "pronouns",
            "bio",
            "headshot_url",
            "headshots",
            "links",
            "updated_at",
        )

    @extend_schema_field(HEADSHOTS_SCHEMA)
    def get_headshots(self, speaker: Speaker) -> dict[str, str] | None:
        return headshot_urls(speaker, self.context.get("request"))

    # null: no headshot. Kept for apps written before `headshots`: the largest rendition.
    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_headshot_url(self, speaker: Speaker) -> str | None:
        return (self.get_headshots(speaker) or {}).get(LARGEST_HEADSHOT)


class SpeakerRoleSerializer(serializers.ModelSerializer):
    """A session a speaker appears in, with their role."""

    session_id = serializers.IntegerField(source="session.id", read_only=True)
    event = serializers.CharField(source="session.event.slug", read_only=True)
    title = serializers.CharField(source="session.title", read_only=True)
    starts_at = serializers.DateTimeField(source="session.starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="session.ends_at", read_only=True)
    stage = serializers.CharField(source="session.stage.name", read_only=True)

    class Meta:
        model = SessionSpeaker
        fields = ("session_id", "event", "title", "starts_at", "ends_at", "stage", "role")


class LineupSpeakerSerializer(SpeakerSerializer):
    """A speaker of an event's lineup with their sessions at that event."""

    sessions = SpeakerRoleSerializer(source="event_roles", many=True, read_only=True)

    class Meta(SpeakerSerializer.Meta):
        fields = (*SpeakerSerializer.Meta.fields, "sessions")


class SpeakerProfileSerializer(SpeakerSerializer):
    """A speaker across events, with every published session they appear in."""

    sessions = SpeakerRoleSerializer(source="public_roles", many=True, read_only=True)

    class Meta(SpeakerSerializer.Meta):
        fields = (*SpeakerSerializer.Meta.fields, "sessions")


class DeletedSerializer(serializers.Serializer):
    """Ids removed since `updated_since`, by kind."""

    sessions = serializers.ListField(child=serializers.IntegerField())
    speakers = serializers.ListField(child=serializers.IntegerField())
    stages = serializers.ListField(child=serializers.IntegerField())
    tags = serializers.ListField(
        child=serializers.CharField(), help_text="Slugs of tags no session carries any more."
    )


class BundleSerializer(serializers.Serializer):
    """Everything an offline app stores about one event, in one answer."""

    event = EventDetailSerializer()
    tags = TagSerializer(many=True)
    sessions = SessionSerializer(many=True)
    speakers = LineupSpeakerSerializer(many=True)
    deleted = DeletedSerializer(required=False, help_text="Only with `updated_since`.")
    synced_at = serializers.DateTimeField(help_text=SYNCED_AT_HELP)


class BookmarkSerializer(serializers.ModelSerializer):
    """A session on my personal agenda."""

    session_id = serializers.IntegerField(read_only=True)
    event = serializers.SlugRelatedField(source="session.event", slug_field="slug", read_only=True)

    class Meta:
        model = Bookmark
        fields = ("session_id", "event", "created_at")


class BookmarkRecordSerializer(serializers.ModelSerializer):
    """A session on the personal agenda."""

    session = serializers.IntegerField(source="session_id")
    session_title = serializers.CharField(source="session.title")
    event = serializers.CharField(source="session.event.slug")

    class Meta:
        model = Bookmark
        fields = ("session", "session_title", "event", "created_at")


class ReleasedStageSerializer(serializers.Serializer):
    """The stage of a session as released."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class ReleasedSpeakerSerializer(serializers.Serializer):
    """A speaker of a session as released, in order on stage."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class ReleasedSessionSerializer(serializers.Serializer):
    """A session as one release showed it; times in UTC."""

    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    stage = ReleasedStageSerializer()
    speakers = ReleasedSpeakerSerializer(many=True)
    status = serializers.ChoiceField(choices=Session.Status.choices)


class ReleaseChangeSerializer(serializers.ModelSerializer):
    """How one session changed since the previous release."""

    session_id = serializers.IntegerField(source="session_key")
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=ChangeKind.choices))
    before = ReleasedSessionSerializer(
        allow_null=True, help_text="As the previous release showed it; null when new."
    )
    after = ReleasedSessionSerializer(
        allow_null=True, help_text="As this release shows it; null when removed."
    )

    class Meta:
        model = ReleaseChange
        fields = ("session_id", "title", "kinds", "before", "after")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A session moved",
            value={
                "version": "1.1",
                "note": "The robotaxi panel moves to the afternoon.",
                "released_at": "2026-12-01T17:00:00Z",
                "session_count": 24,
                "changes": [
                    {
                        "session_id": 2,
                        "title": "China's robotaxi race",
                        "kinds": ["moved"],
                        "before": {"title": "China's robotaxi race",
                                   "starts_at": "2026-12-25T17:15:00Z",
                                   "ends_at": "2026-12-25T18:00:00Z",
                                   "stage": {"id": 1, "slug": "main-stage", "name": "Main Stage"},
                                   "speakers": [{"id": 16, "name": "Morgan Reyes"}],
                                   "status": "scheduled"},
                        "after": {"title": "China's robotaxi race",
                                  "starts_at": "2026-12-25T22:00:00Z",
                                  "ends_at": "2026-12-25T22:45:00Z",
                                  "stage": {"id": 1, "slug": "main-stage", "name": "Main Stage"},
                                  "speakers": [{"id": 16, "name": "Morgan Reyes"}],
                                  "status": "scheduled"},
                    }
                ],
            },
            response_only=True,
        )
    ]
)  # fmt: skip
class ScheduleReleaseSerializer(serializers.ModelSerializer):
    """A release of the schedule with what changed since the previous one (nothing listed for
    the first release)."""

    changes = ReleaseChangeSerializer(many=True, read_only=True)

    class Meta:
        model = ScheduleRelease
        fields = ("version", "note", "released_at", "session_count", "changes")
