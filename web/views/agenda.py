"""The programme pages: an event's agenda, one session, the bookmark star on both, and the
changelog of the schedule's releases."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from agenda.selectors import (
    agenda_tags,
    bookmarked_session_ids,
    event_releases,
    get_public_event_with_agenda_version,
    get_published_session,
    published_sessions_on_day,
)
from agenda.services import add_bookmark, remove_bookmark
from events.selectors import get_public_event
from web.agenda import default_day, time_grid
from web.changelog import changelog
from web.forms import AgendaFilterForm

AGENDA_BODY = "agenda-body"  # the element htmx swaps when a day or filter changes


def is_htmx(request) -> bool:
    """An htmx request for a fragment (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def agenda(request, slug: str):
    """A day of the agenda, filtered by stage and topic; htmx swaps just the agenda body.

    The grid is what costs (a day of a large agenda is thousands of template nodes): for
    anonymous visitors it is rendered once per agenda version, URL and language and then
    taken from the cache, and its sessions are only read when it is rendered.
    """
    event = get_public_event_with_agenda_version(slug)
    form = AgendaFilterForm(
        request.GET, event=event, stages=list(event.stages.all()), tags=list(agenda_tags(event))
    )
    day = form.value("day") or default_day(event)
    sessions = published_sessions_on_day(
        event, day, stage_slug=form.value("stage") or "", tag_slug=form.value("tag") or ""
    )
    partial = is_htmx(request) and request.headers.get("HX-Target") == AGENDA_BODY
    response = TemplateResponse(
        request,
        "web/agenda.html#agenda-body" if partial else "web/agenda.html",
        {
            "event": event,
            "form": form,
            "day": day,
            "partial": partial,
            "grid": SimpleLazyObject(
                lambda: time_grid(
                    list(sessions), bookmarked=bookmarked_session_ids(request.user, event=event)
                )
            ),
            "grid_cache_key": grid_cache_key(request, event),
        },
    )
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def grid_cache_key(request, event) -> str:
    """What an anonymous visitor's agenda grid depends on; "" when it must not be cached
    (a signed-in person sees their own stars)."""
    if request.user.is_authenticated or event.agenda_counter is None:
        return ""
    return f"{event.pk}:{event.agenda_counter}:{get_language()}:{request.get_full_path()}"


def session_detail(request, slug: str, session_id: int):
    """One published session: when and where, what about, who speaks."""
    event = get_public_event(slug)
    session = get_published_session(event, session_id)
    return TemplateResponse(
        request,
        "web/session.html",
        {
            "event": event,
            "session": session,
            "bookmarked": session.pk in bookmarked_session_ids(request.user, event=event),
        },
    )


def changelog_page(request, slug: str):
    """The schedule's releases, newest first, with what changed in each."""
    event = get_public_event(slug)
    entries = changelog(event_releases(event))
    return TemplateResponse(request, "web/changelog.html", {"event": event, "entries": entries})


@require_POST
def bookmark(request, slug: str, session_id: int):
    """Put a session on the signed-in person's agenda (`bookmarked=1`) or take it off (`0`),
    through the services the API's personal agenda uses; htmx gets the new star back."""
    event = get_public_event(slug)
    session = get_published_session(event, session_id)
    session_page = reverse("web:session", args=[event.slug, session.pk])
    if not request.user.is_authenticated:
        return redirect_to_login(session_page)
    bookmarked = request.POST.get("bookmarked") == "1"
    if bookmarked:
        add_bookmark(user=request.user, session=session)
    else:
        remove_bookmark(user=request.user, session_id=session.pk)
    back = request.POST.get("next", "")
    if is_htmx(request):
        context = {"event": event, "session": session, "bookmarked": bookmarked, "next": back}
        return TemplateResponse(request, "web/partials/bookmark.html#star", context)
    safe = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(back if safe else session_page)
