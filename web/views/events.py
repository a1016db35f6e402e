"""The front pages: upcoming events, and one event's home."""

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from agenda.selectors import featured_speakers
from events.selectors import get_public_event, not_yet_ended, public_events
from tickets.selectors import event_sales_status

FEATURED_SPEAKERS = 8


def home(request):
    """Upcoming events; with only one, that event's page."""
    events = list(not_yet_ended(public_events()).order_by("start_date", "pk"))
    if len(events) == 1:
        return redirect("web:event", slug=events[0].slug)
    return TemplateResponse(request, "web/home.html", {"events": events})


def event_home(request, slug: str):
    """An event's front page: when and where, who speaks, and the way to a pass."""
    event = get_public_event(slug)
    return TemplateResponse(
        request,
        "web/event_home.html",
        {
            "event": event,
            "speakers": featured_speakers(event)[:FEATURED_SPEAKERS],
            "sales_status": event_sales_status(event, now=timezone.now()),
        },
    )
