"""The speaker portal: a speaker answers the invitation, keeps their profile current, sees their
sessions and the logistics notes, and adds slides and recording links.

Two ways in, the same pages: the personal signed link of the invitation e-mail
(`/speaker/<token>/`, no password; speakers/portal_links.py), or signed in with an account
whose verified e-mail is the speaker's (`/account/speaker/<event slug>/`). The services decide;
these views only find the lineup entry, shape the input and pick the page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import verified_emails
from core.exceptions import DomainError
from speakers.exceptions import PortalLinkRefused, PortalLinkUnknown
from speakers.models import InvitationStatus, LineupEntry, SessionSpeaker
from speakers.portal_links import entry_for_token
from speakers.selectors import lineup_entries_for_emails, portal_roles
from speakers.services import answer_invitation, save_session_materials, update_speaker_profile
from web.forms import SessionMaterialsForm, SpeakerProfileForm

PAGES = ("home", "answer", "profile", "materials")


@dataclass(frozen=True)
class PortalAccess:
    """The lineup entry a request opened, and the portal's page addresses for that way in."""

    entry: LineupEntry
    urls: dict[str, str]


def _urls(prefix: str, **kwargs: str) -> dict[str, str]:
    return {
        page: reverse(f"web:{prefix}" if page == "home" else f"web:{prefix}-{page}", kwargs=kwargs)
        for page in PAGES
    }


def _open(request, *, token: str | None, slug: str | None) -> PortalAccess:
    if token is not None:
        return PortalAccess(entry_for_token(token), _urls("speaker-portal", token=token))
    entry = lineup_entries_for_emails(verified_emails(request.user)).filter(event__slug=slug)
    found = entry.first()
    if found is None:
        raise PortalLinkUnknown(_("There is no speaker portal at this address."))
    return PortalAccess(found, _urls("my-speaker-portal", slug=slug))


def portal_page(view: Callable) -> Callable:
    """Open the portal for the request (by link or signed in) and hand the view its access; an
    unknown link is a 404, an expired or revoked one a page that says so (410)."""

    @wraps(view)
    @never_cache
    def wrapper(request, token: str | None = None, slug: str | None = None) -> HttpResponse:
        if token is None and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            access = _open(request, token=token, slug=slug)
        except PortalLinkUnknown as unknown:
            raise Http404(unknown.message) from unknown
        except PortalLinkRefused as refusal:
            response = TemplateResponse(
                request, "web/portal/refused.html", {"refusal": refusal}, status=410
            )
        else:
            response = view(request, access)
        # The link is the key: never send it on to another site, never index or cache it.
        # (same-origin, not no-referrer: with that the browser sends `Origin: null` on the
        # portal's own forms, which CSRF's origin check refuses.)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


def _render_home(
    request, access: PortalAccess, *, invalid: SessionMaterialsForm | None = None
) -> HttpResponse:
    entry = access.entry
    sessions = []
    for role in portal_roles(entry):
        form = invalid if invalid is not None and invalid.prefix == _prefix(role) else None
        sessions.append((role, form or _materials_form(role)))
    return TemplateResponse(
        request,
        "web/portal/home.html",
        {
            "entry": entry,
            "event": entry.event,
            "speaker": entry.speaker,
            "portal": access.urls,
            "sessions": sessions,
            "Status": InvitationStatus,
        },
        status=400 if invalid is not None else 200,
    )


def _prefix(role: SessionSpeaker) -> str:
    return f"session-{role.session_id}"


def _materials_form(role: SessionSpeaker, data=None) -> SessionMaterialsForm:
    return SessionMaterialsForm(
        data,
        prefix=_prefix(role),
        initial={"slides_url": role.slides_url, "recording_url": role.recording_url},
    )


@require_http_methods(["GET", "HEAD"])
@portal_page
def home(request, access: PortalAccess):
    """The answer, the sessions with their materials, the logistics notes, the profile."""
    return _render_home(request, access)


@require_POST
@portal_page
def answer(request, access: PortalAccess):
    """Accept or decline (or change one's mind); the organizers are told."""
    choice = request.POST.get("answer", "")
    try:
        answer_invitation(entry=access.entry, status=choice)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        if choice == InvitationStatus.CONFIRMED:
            messages.success(request, _("Thank you: you are confirmed. We told the organizers."))
        else:
            messages.success(
                request, _("Your answer is recorded: you declined. We told the organizers.")
            )
    return redirect(access.urls["home"])


@require_POST
@portal_page
def materials(request, access: PortalAccess):
    """Slides and recording links for one of the speaker's sessions."""
    session_id = request.POST.get("session", "")
    role = next(
        (role for role in portal_roles(access.entry) if str(role.session_id) == session_id), None
    )
    if role is None:
        raise Http404(_("You do not speak in this session."))
    form = _materials_form(role, request.POST)
    if not form.is_valid():
        form.describe_errors()
        return _render_home(request, access, invalid=form)
    save_session_materials(
        speaker=access.entry.speaker,
        session_id=role.session_id,
        slides_url=form.cleaned_data["slides_url"],
        recording_url=form.cleaned_data["recording_url"],
    )
    messages.success(request, _("Links saved for “%(title)s”.") % {"title": role.session.title})
    return redirect(access.urls["home"])


@require_http_methods(["GET", "HEAD", "POST"])
@portal_page
def profile(request, access: PortalAccess):
    """Bio, photo (square, within the size caps), pronouns, title, company and links."""
    speaker = access.entry.speaker
    caps = {
        "max_bytes": settings.GREENROOM_HEADSHOT_MAX_BYTES,
        "max_side": settings.GREENROOM_HEADSHOT_MAX_SIDE,
    }
    if request.method == "POST":
        form = SpeakerProfileForm(request.POST, request.FILES, **caps)
        if form.is_valid():
            update_speaker_profile(speaker=speaker, change=form.change())
            messages.success(request, _("Your profile is saved."))
            return redirect(access.urls["home"])
        form.describe_errors()
    else:
        form = SpeakerProfileForm(
            initial={
                "job_title": speaker.job_title,
                "company": speaker.organization.name if speaker.organization else "",
                "pronouns": speaker.pronouns,
                "bio": speaker.bio,
                "links": "\n".join(link.url for link in speaker.links.all()),
            },
            **caps,
        )
    return TemplateResponse(
        request,
        "web/portal/profile.html",
        {
            "entry": access.entry,
            "event": access.entry.event,
            "speaker": speaker,
            "form": form,
            "portal": access.urls,
        },
        status=400 if form.errors else 200,
    )
