"""Query filters for the agenda and the lineup."""

import django_filters
from django.db.models import Q

from events.models import Session, SessionFormat
from events.selectors import sessions_on_local_day
from speakers.models import Speaker

MAX_ID = 2**63 - 1  # ids are 64-bit; a larger number must be a 400, not a database overflow


class SessionFilter(django_filters.FilterSet):
    """Filters of the agenda; `day` is a calendar day in the event's own time zone."""

    day = django_filters.DateFilter(
        method="filter_day", label="A day of the event (YYYY-MM-DD), in the event's zone."
    )
    stage = django_filters.CharFilter(
        method="filter_stage", max_length=200, label="Stage id or slug (e.g. `main-stage`)."
    )
    format = django_filters.ChoiceFilter(choices=SessionFormat.choices, label="Session format.")
    tag = django_filters.CharFilter(field_name="tags__slug", distinct=True, label="Topic tag slug.")
    speaker = django_filters.NumberFilter(
        field_name="session_speakers__speaker_id",
        distinct=True,
        label="Speaker id.",
        min_value=1,
        max_value=MAX_ID,
    )
    q = django_filters.CharFilter(method="filter_text", label="Words in title, abstract or names.")

    class Meta:
        model = Session
        fields = ("day", "stage", "format", "tag", "speaker", "q")

    def filter_day(self, queryset, name, value):
        return sessions_on_local_day(queryset, day=value)

    def filter_stage(self, queryset, name, value):
        """A stage by id, like every other id filter, or by slug, like tags."""
        if value.isdigit():
            # An id past 64 bits names no stage (and must not overflow the database).
            return queryset.filter(stage_id=int(value)) if int(value) <= MAX_ID else queryset.none()
        return queryset.filter(stage__slug=value)

    def filter_text(self, queryset, name, value):
        matches = Session.objects.filter(
            Q(title__icontains=value)
            | Q(abstract__icontains=value)
            | Q(session_speakers__speaker__name__icontains=value)
        )
        return queryset.filter(pk__in=matches.values("pk"))


class LineupFilter(django_filters.FilterSet):
    """Filters of an event's lineup."""

    q = django_filters.CharFilter(method="filter_text", label="Words in name, title or company.")
    organization = django_filters.NumberFilter(
        field_name="organization_id", label="Organization id.", min_value=1, max_value=MAX_ID
    )

    class Meta:
        model = Speaker
        fields = ("q", "organization")

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(job_title__icontains=value)
            | Q(organization__name__icontains=value)
        )
