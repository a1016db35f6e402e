"""Output serializers for events, stages and tags."""

from rest_framework import serializers

from events.models import Event, Stage, Tag


class StageSerializer(serializers.ModelSerializer):
    """A stage (room or track) of an event."""

    class Meta:
        model = Stage
        fields = ("id", "name", "slug", "position", "capacity")


class TagSerializer(serializers.ModelSerializer):
    """A topic tag."""

    class Meta:
        model = Tag
        fields = ("slug", "name")


class EventSerializer(serializers.ModelSerializer):
    """An event as it appears in lists."""

    starts_at = serializers.DateTimeField(
        read_only=True, help_text="Midnight at the start of the first day, in `time_zone`."
    )
    ends_at = serializers.DateTimeField(
        read_only=True, help_text="Midnight after the last day, in `time_zone`."
    )

    class Meta:
        model = Event
        fields = (
            "slug",
            "name",
            "tagline",
            "start_date",
            "end_date",
            "starts_at",
            "ends_at",
            "time_zone",
            "attendance_mode",
            "venue_name",
            "venue_address",
            "currency",
            "status",
            "updated_at",
        )


class EventDetailSerializer(EventSerializer):
    """An event with its description, stages and whether its passes are on sale."""

    stages = StageSerializer(many=True, read_only=True)
    sales_status = serializers.SerializerMethodField(
        help_text="no_passes, not_yet_on_sale, on_sale, sold_out or sales_ended."
    )

    class Meta(EventSerializer.Meta):
        fields = (*EventSerializer.Meta.fields, "description", "stages", "sales_status")

    def get_sales_status(self, event: Event) -> str | None:
        return self.context.get("sales_status")
