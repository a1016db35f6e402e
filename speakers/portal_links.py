"""The speaker portal's personal links: signed, expiring, revocable, no password needed.

A link carries `{"e": lineup entry id, "v": its link_version}` signed with the site's secret
(Django's TimestampSigner, salt "speakers.portal"), so nothing secret is stored: a database
copy gives no working link, and the same entry always yields a valid link for the re-send and
the demo loader. It expires GREENROOM_SPEAKER_LINK_DAYS after it was made; revoking bumps the
entry's `link_version`, which refuses every link made before. Reverse by URL name: the portal
pages live in `web`, a layer above this app.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from speakers.exceptions import PortalLinkRefused, PortalLinkUnknown
from speakers.models import LineupEntry

SALT = "speakers.portal"


def portal_token(entry: LineupEntry) -> str:
    """A fresh signed token for the entry's portal, valid for GREENROOM_SPEAKER_LINK_DAYS."""
    return signing.dumps({"e": entry.pk, "v": entry.link_version}, salt=SALT, compress=False)


def portal_url(entry: LineupEntry) -> str:
    """The absolute portal link the invitation e-mail carries."""
    path = reverse("web:speaker-portal", args=[portal_token(entry)])
    return f"{settings.GREENROOM_SITE_URL}{path}"


def link_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.GREENROOM_SPEAKER_LINK_DAYS)


def entry_for_token(token: str) -> LineupEntry:
    """The lineup entry (with event and speaker) a portal token opens.

    Raises PortalLinkUnknown (404) for a token this site never signed, or whose entry is gone;
    PortalLinkRefused (410) with code `link_expired` or `link_revoked` for a real link that no
    longer opens the portal.
    """
    try:
        claims = signing.loads(token, salt=SALT, max_age=link_max_age())
    except signing.SignatureExpired as error:
        raise PortalLinkRefused(
            _(
                "This link has expired. Ask the organizers for a new one: they can send it "
                "again in a minute."
            ),
            code="link_expired",
        ) from error
    except signing.BadSignature as error:
        raise PortalLinkUnknown(_("There is no speaker portal at this address.")) from error
    entry = (
        LineupEntry.objects.select_related("event", "speaker__organization")
        .filter(pk=claims.get("e") if isinstance(claims, dict) else None)
        .first()
    )
    if entry is None:
        raise PortalLinkUnknown(_("There is no speaker portal at this address."))
    if claims.get("v") != entry.link_version:
        raise PortalLinkRefused(
            _(
                "This link was revoked or replaced by a newer one. Open the latest invitation "
                "e-mail, or ask the organizers to send the link again."
            ),
            code="link_revoked",
        )
    return entry
