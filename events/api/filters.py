"""Query filters for the events list."""

import django_filters
from django.db.models import Q

from config.api.filters import StrictBooleanFilter
from events.models import Event
from events.selectors import not_yet_ended


class EventFilter(django_filters.FilterSet):
    """`upcoming`, `q` (name, tagline, description) and `tag` (a topic slug)."""

    upcoming = StrictBooleanFilter(
        method="filter_upcoming", label="Only events that have not ended yet."
    )
    q = django_filters.CharFilter(method="filter_text", label="Words in name, tagline or text.")
    tag = django_filters.CharFilter(
        method="filter_tag", label="Only events with a published session on this topic (slug)."
    )

    class Meta:
        model = Event
        fields = ("upcoming", "q", "tag")

    def filter_upcoming(self, queryset, name, value):
        if value is None:
            return queryset
        upcoming = not_yet_ended(queryset)
        return upcoming if value else queryset.exclude(pk__in=upcoming.values("pk"))

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(tagline__icontains=value) | Q(description__icontains=value)
        )

    def filter_tag(self, queryset, name, value):
        return queryset.filter(
            pk__in=Event.objects.filter(
                sessions__is_published=True, sessions__tags__slug=value
            ).values("pk")
        )
