"""The API's one timestamp convention: RFC 3339 in UTC with `Z`, to the second.

Every instant the JSON API writes reads like `2026-12-25T17:15:00Z`: serializer fields through
REST_FRAMEWORK["DATETIME_FORMAT"] (TIME_ZONE is UTC and nothing activates another zone, so
DRF's fields write UTC), and datetimes put into hand-built answers and error bodies through
the renderer's encoder below. One fixed shape parses with every platform's stock ISO 8601
parser (Swift's ISO8601DateFormatter rejects fractions unless told to expect them, and then
requires them). What an instant means locally is the event's business: every answer about an
event carries, or sits under an event that carries, its IANA `time_zone`. Whole seconds lose
nothing an app shows; `synced_at` is rounded down, so sending it back repeats at most a
second more of changes (see config/api/delta.py). Dates (`start_date`) stay `YYYY-MM-DD`; the
frab and iCalendar exports keep the formats their specifications fix.
"""

import datetime as dt

from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder


def api_timestamp(moment: dt.datetime) -> str:
    """`moment` (aware) as the API writes instants."""
    return moment.astimezone(dt.UTC).strftime(api_settings.DATETIME_FORMAT)


class TimestampEncoder(JSONEncoder):
    """DRF's JSON encoder, writing datetimes by the API's convention."""

    def default(self, obj):
        if isinstance(obj, dt.datetime):
            return api_timestamp(obj)
        return super().default(obj)


class ApiJSONRenderer(JSONRenderer):
    """JSON answers of the API, instants by the convention."""

    encoder_class = TimestampEncoder
