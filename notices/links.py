"""The absolute links a digest carries: the session page, the account page, and the signed
one-click link that turns programme-change notices off without logging in.

The unsubscribe token is `{"u": user id}` signed with the site's secret (salt
"notices.unsubscribe"); it never expires, as RFC 8058 expects of a List-Unsubscribe URL in an
e-mail a person may open months later, and it can only ever switch notices off. The pages live
in `web`, a layer above this app, so they are reversed by URL name.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from events.models import Session
from notices.exceptions import UnsubscribeLinkUnknown

SALT = "notices.unsubscribe"


def absolute(path: str) -> str:
    return f"{settings.GREENROOM_SITE_URL}{path}"


def session_url(session: Session) -> str:
    return absolute(reverse("web:session", args=[session.event.slug, session.pk]))


def account_url() -> str:
    return absolute(reverse("web:account"))


def unsubscribe_url(user) -> str:
    token = signing.dumps({"u": user.pk}, salt=SALT, compress=False)
    return absolute(reverse("web:notices-unsubscribe", args=[token]))


def user_for_unsubscribe_token(token: str):
    """The account an unsubscribe token was made for; UnsubscribeLinkUnknown (404) otherwise."""
    try:
        claims = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        claims = None
    user = None
    if isinstance(claims, dict):
        user = get_user_model().objects.filter(pk=claims.get("u")).first()
    if user is None:
        raise UnsubscribeLinkUnknown(_("There is no unsubscribe link at this address."))
    return user
