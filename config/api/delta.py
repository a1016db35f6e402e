"""Delta sync for offline-first apps: `?updated_since=` gives what changed and what was removed.

The answer carries `synced_at`, the value to send as `updated_since` next time (SYNCED_AT_HELP
says it to app developers). Why it lies about a minute before the request: a row's
`updated_at` is stamped when it is saved, not when its transaction commits, so a change being
committed while an answer is read carries a stamp earlier than the answer. `synced_at` is the
moment the answer was read minus CLOCK_SKEW_MARGIN, rounded down to the second as the API
writes instants; deltas return what changed strictly after `updated_since`. Hence the
guarantee, tested in tests/agenda/test_delta_sync.py: any change missing from an answer whose
transaction committed within CLOCK_SKEW_MARGIN of saving it is in the next delta sent with
that answer's `synced_at`. The price is that the next delta repeats up to a minute of changes;
apps upsert by id, so a repeat is harmless. A body replayed from the cache (the agenda did not
change) keeps the `synced_at` of its first rendering: earlier still, so just as safe.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import APIException, ValidationError

from config.api.pagination import CappedPageNumberPagination

CLOCK_SKEW_MARGIN = dt.timedelta(minutes=1)

SYNCED_AT_HELP = (
    "Send this value unchanged as `updated_since` on the next sync (not your own clock, nor "
    "the largest `updated_at` seen): every change this answer may have missed is in that "
    "delta. It lies about a minute before the request, so that changes still being committed "
    "while the answer was read are not missed; the next delta may repeat changes you already "
    "have, so store items by id. A cached answer may carry an earlier value, which is as safe."
)

UPDATED_SINCE_PARAMETER = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description=(
        "Only items changed after this instant (RFC 3339, e.g. `2026-12-25T17:15:00Z`; any "
        "offset is accepted), plus the ids of items removed since then in `deleted`. Send the "
        "`synced_at` of the previous answer. "
        "Deletions are remembered for a limited number of days; older values answer 410 "
        "`delta_expired`, and the app should download everything again."
    ),
)


class DeltaExpired(APIException):
    """The app's last sync is older than the deletions we remember."""

    status_code = 410
    default_code = "delta_expired"
    default_detail = "The last sync is too old: download everything again, without updated_since."


def parse_updated_since(request) -> dt.datetime | None:
    """The `updated_since` query value as an aware datetime, or None when absent."""
    raw = request.query_params.get("updated_since")
    if raw is None:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # a bare "+" in a URL arrives as a space
    except ValueError:
        value = None
    if value is None or timezone.is_naive(value):
        raise ValidationError(
            {"updated_since": ["Give an ISO 8601 date and time with its offset."]},
            code="invalid",
        )
    if value > timezone.now() + CLOCK_SKEW_MARGIN:
        raise ValidationError(
            {"updated_since": ["That instant is in the future; send the last `synced_at`."]},
            code="invalid",
        )
    horizon = timezone.now() - dt.timedelta(days=settings.GREENROOM_TOMBSTONE_DAYS)
    if value < horizon:
        raise DeltaExpired()
    return value


def next_sync_point() -> dt.datetime:
    """The `synced_at` of an answer read now (see the module docstring)."""
    return (timezone.now() - CLOCK_SKEW_MARGIN).replace(microsecond=0)


class DeltaPagination(CappedPageNumberPagination):
    """Pages that also carry `deleted` ids (with `updated_since`) and `synced_at`."""

    def get_paginated_response(self, data, *, deleted=None, synced_at=None):
        response = super().get_paginated_response(data)
        response.data["synced_at"] = synced_at
        if deleted is not None:
            response.data["deleted"] = deleted
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["synced_at"] = {
            "type": "string",
            "format": "date-time",
            "description": SYNCED_AT_HELP,
            "example": "2026-11-28T02:59:00Z",
        }
        schema["properties"]["deleted"] = {
            "type": "array",
            "items": {"type": "integer"},
            "description": "With `updated_since`: ids removed since then; drop them.",
            "example": [7, 12],
        }
        schema["required"] = [*schema.get("required", []), "synced_at"]
        return schema


class DeltaListMixin:
    """A list view with delta sync; subclasses define `changed_since(queryset, since)` and
    `removed_ids_since(since)`."""

    pagination_class = DeltaPagination

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.synced_at = next_sync_point()
        self.updated_since = parse_updated_since(request)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.updated_since is not None:
            queryset = self.changed_since(queryset, self.updated_since)
        return queryset

    def get_paginated_response(self, data):
        deleted = None
        if self.updated_since is not None:
            deleted = self.removed_ids_since(self.updated_since)
        return self.paginator.get_paginated_response(
            data, deleted=deleted, synced_at=self.synced_at
        )
