"""My account: orders and tickets, my agenda, my speaker pages, my data, deleting the account."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.selectors import verified_emails
from agenda.selectors import bookmarked_sessions
from core import personal_data
from core.exceptions import DomainError
from notices.push import application_server_key
from notices.selectors import programme_notices_on
from privacy.exceptions import ConfirmationRequired
from privacy.services import erase_own_account
from speakers.selectors import lineup_entries_for_emails
from tickets.selectors import orders_of


@login_required
def account(request):
    """Everything a signed-in person holds here, and the ways to change or take it away."""
    return TemplateResponse(
        request,
        "web/account.html",
        {
            "orders": orders_of(request.user),
            "bookmarks": bookmarked_sessions(request.user),
            "speaker_entries": lineup_entries_for_emails(verified_emails(request.user)),
            "notices_on": programme_notices_on(request.user),
            "push_key": application_server_key(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    """Erase the account (privacy's service, as DELETE /api/v1/me/ does), after a confirmation
    that says what will happen."""
    error = ""
    if request.method == "POST":
        try:
            erase_own_account(
                user=request.user,
                confirm=request.POST.get("confirm") == "yes",
                void_future_tickets=request.POST.get("void_future_tickets") == "yes",
            )
        except ConfirmationRequired:
            error = _(
                "Tick both boxes to confirm: erasing cannot be undone, and your tickets for "
                "events still to come would be voided."
            )
        except DomainError as refusal:
            error = refusal.message
        else:
            logout(request)
            messages.success(request, _("Your account and its personal data are erased."))
            return redirect("web:home")
    return TemplateResponse(
        request,
        "web/account_delete.html",
        {"preview": personal_data.preview_erasure(request.user), "error": error},
        status=400 if error else 200,
    )
