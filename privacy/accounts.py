"""Privacy's own part of data rights: the account itself, its consents and API tokens.

Registered last (privacy comes after the domain apps in INSTALLED_APPS), so the apps holding
the account's orders and bookmarks have erased them before the account is deleted.
"""

import datetime as dt
import logging
from importlib import import_module

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core import personal_data
from core.personal_data import ErasureResult, PersonalDataHandler
from privacy.api.serializers import ApiTokenRecordSerializer, ConsentRecordSerializer
from privacy.models import Consent

logger = logging.getLogger(__name__)


class AccountPersonalData(PersonalDataHandler):
    """Consents and API tokens in the export; the account deleted on erasure.

    The account is deleted rather than deactivated: once its orders are unlinked nothing
    needs it, and a deleted row can neither sign in again nor leak its name later. Its
    bookmarks, consents and API token go with it (they cascade).
    """

    def export_fields(self) -> dict:
        return {
            "consents": ConsentRecordSerializer(many=True, help_text="Every answer, oldest first."),
            "api_tokens": ApiTokenRecordSerializer(many=True),
        }

    def export(self, user) -> dict:
        return {
            "consents": Consent.objects.filter(user=user).order_by("recorded_at", "pk"),
            "api_tokens": Token.objects.filter(user=user),
        }

    def erase_account(self, user, *, now: dt.datetime) -> ErasureResult:
        account_id = user.pk
        user.delete()
        _delete_sessions(account_id)
        _forget_name_in_admin_history(account_id)
        logger.info("Erased account %s.", account_id)
        return ErasureResult(account_erased=True)

    def erase_email(self, email: str, *, now: dt.datetime) -> ErasureResult:
        """Each account with the address, erased as a whole, as if it asked itself."""
        accounts = get_user_model().objects.select_for_update().filter(email__iexact=email)
        result = ErasureResult()
        for account in accounts.order_by("pk"):
            result += personal_data.erase_account(account, now=now)
        return result


def _forget_name_in_admin_history(account_id: int) -> None:
    """Django's admin history keeps each changed object's name (a username, for accounts);
    the entries stay as a record that something was changed, without saying who it was."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_id=str(account_id),
    ).update(object_repr=f"erased account {account_id}", change_message="")


def _delete_sessions(account_id: int) -> None:
    """Delete the stored sessions signed in as the account (database-backed stores; other
    stores only let them expire, unusable since their user is gone)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return
    sessions = store.get_model_class().objects
    signed_in = [
        session.session_key
        for session in sessions.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(account_id)
    ]
    sessions.filter(session_key__in=signed_in).delete()
