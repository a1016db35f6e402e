"""Helpers shared by the tickets admin screens: times in the event's zone, one `now` per page."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from events.models import Event


def local_time(value: dt.datetime | None, event: Event) -> str:
    """An instant as the event's wall clock reads it, with the zone's abbreviation."""
    if value is None:
        return "—"
    return f"{value.astimezone(event.tzinfo):%Y-%m-%d %H:%M %Z}"


def request_now(request: HttpRequest) -> dt.datetime:
    """One `now` per request, so every figure on a page is counted at the same instant."""
    if not hasattr(request, "greenroom_now"):
        request.greenroom_now = timezone.now()
    return request.greenroom_now
