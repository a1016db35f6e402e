"""The door check-in screen: door staff scan a ticket's QR or search a name, and see the answer.

Every page needs the check-in permission (`tickets.check_in_ticket`: door staff, organizers,
superusers): anyone signed out is sent to log in, anyone else signed in gets a 403 page. Scans
go through the check-in service (one conditional UPDATE, logged with who and when); the page
works without JavaScript (plain forms and full pages) and htmx swaps just the answer, the
search results and the live counts where it runs.
"""

import functools

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from events.selectors import get_public_event, not_yet_ended, public_events
from tickets.exceptions import CheckInNotUndoable
from tickets.selectors import DOOR_SEARCH_LIMIT, door_pass_counts, door_search
from tickets.services.checkin import (
    UNDO_WINDOW,
    CheckInOutcome,
    can_check_in,
    check_in,
    undo_check_in,
)
from web.views.agenda import is_htmx

COUNTS_POLL_SECONDS = 10
RESULTS = "door-results"  # the element htmx swaps with new search results
SCANNED_EVENT = "door-scanned"  # sent after each scan: the counts and results refresh


def door_staff_required(view):
    """Signed out: to the login page; signed in without the check-in permission: 403."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_check_in(request.user):
            return TemplateResponse(request, "web/door/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _undo_messages() -> dict[str, str]:
    return {
        "undo_expired": _("Too late to undo: a check-in can be undone for one minute."),
        "undo_not_yours": _("Only the person who scanned the ticket can undo its check-in."),
        "undo_not_latest": _("This ticket was checked in again since; nothing was undone."),
        "undo_already_undone": _("This check-in was undone already."),
        "undo_not_admission": _("This scan did not check a ticket in; nothing to undo."),
    }


@require_GET
@door_staff_required
def door_home(request):
    """The events door staff can check in for: those not yet ended, soonest first."""
    events = not_yet_ended(public_events()).order_by("start_date", "name")
    return TemplateResponse(request, "web/door/home.html", {"events": events})


def _door_context(request, event) -> dict:
    query = request.GET.get("q", "").strip()
    return {
        "event": event,
        "query": query,
        "results": door_search(event, query),
        "search_limit": DOOR_SEARCH_LIMIT,
        "counts": door_pass_counts(event),
        "poll_seconds": COUNTS_POLL_SECONDS,
        "scanned_event": SCANNED_EVENT,
        "results_url": _door_url(event, query),
    }


def _door_url(event, query: str = "") -> str:
    url = reverse("web:door-event", args=[event.slug])
    return f"{url}?{urlencode({'q': query})}" if query else url


@require_GET
@door_staff_required
def door_event(request, slug: str):
    """The check-in screen of one event: camera, code entry, search, answer and counts."""
    event = get_public_event(slug)
    partial = is_htmx(request) and request.headers.get("HX-Target") == RESULTS
    response = TemplateResponse(
        request,
        "web/door/event.html#results" if partial else "web/door/event.html",
        _door_context(request, event),
    )
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _answer(request, event, context: dict):
    """The answer alone for htmx (and a nudge to refresh counts and results), else the page."""
    if is_htmx(request):
        response = TemplateResponse(request, "web/door/event.html#answer", context)
        response["HX-Trigger"] = SCANNED_EVENT
        return response
    return TemplateResponse(request, "web/door/event.html", _door_context(request, event) | context)


@require_POST
@door_staff_required
def door_scan(request, slug: str):
    """Check in what was scanned or typed (a QR payload or a ticket code) for this event."""
    event = get_public_event(slug)
    result = check_in(code=request.POST.get("code", ""), staff_user=request.user, event=event)
    context = {"event": event, "result": result}
    if result.outcome == CheckInOutcome.CHECKED_IN:
        context["undo_until"] = result.scan.scanned_at + UNDO_WINDOW
        context["undo_seconds"] = int(UNDO_WINDOW.total_seconds())
    return _answer(request, event, context)


@require_POST
@door_staff_required
def door_undo(request, slug: str):
    """Take back the admission of a scan, within a minute, by the person who scanned it."""
    event = get_public_event(slug)
    try:
        scan_id = int(request.POST.get("scan", ""))
    except ValueError:
        return redirect("web:door-event", slug=event.slug)
    try:
        scan = undo_check_in(scan_id=scan_id, staff_user=request.user, now=timezone.now())
    except CheckInNotUndoable as error:
        context = {"event": event, "undo_error": _undo_messages().get(error.code, error.message)}
    else:
        context = {"event": event, "undone": scan}
    return _answer(request, event, context)


@require_GET
@door_staff_required
def door_counts(request, slug: str):
    """Checked in / valid per pass type, polled by the screen."""
    event = get_public_event(slug)
    return TemplateResponse(
        request,
        "web/door/event.html#counts",
        {
            "event": event,
            "counts": door_pass_counts(event),
            "poll_seconds": COUNTS_POLL_SECONDS,
            "scanned_event": SCANNED_EVENT,
        },
    )
