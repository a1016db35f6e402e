"""The optional human check at order placement: a Turnstile/hCaptcha-style token, verified
server-side. Off unless GREENROOM_HUMAN_CHECK_URL and GREENROOM_HUMAN_CHECK_SECRET are set.

Both Cloudflare Turnstile and hCaptcha verify the same way: POST `secret`, `response` (the
token the widget gave the client) and `remoteip` as a form to their `siteverify` URL, and read
`success` from the JSON answer. A token is single-use, so the check runs once per new order.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tickets.exceptions import HumanCheckFailed, HumanCheckUnavailable

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5


def is_enabled() -> bool:
    return bool(settings.GREENROOM_HUMAN_CHECK_URL and settings.GREENROOM_HUMAN_CHECK_SECRET)


def verify(token: str, *, client_address: str = "") -> None:
    """Raise HumanCheckFailed unless the verifier accepts `token`; HumanCheckUnavailable when
    it does not answer. Does nothing when the check is off."""
    if not is_enabled():
        return
    if not token:
        raise HumanCheckFailed("Please complete the human check.", field="human_check_token")
    url = settings.GREENROOM_HUMAN_CHECK_URL
    if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
        raise ImproperlyConfigured("HUMAN_CHECK_URL must be an https:// (or http://) URL.")
    form = {"secret": settings.GREENROOM_HUMAN_CHECK_SECRET, "response": token}
    if client_address:
        form["remoteip"] = client_address
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        # The operator's URL, its scheme checked above: never a file: or custom scheme.
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 # nosec B310
            outcome = json.loads(answer.read(64 * 1024))
    except (OSError, ValueError) as error:
        logger.warning("Human check unavailable: %s", type(error).__name__)
        raise HumanCheckUnavailable(
            "The human check is not answering right now; please try again in a moment."
        ) from None
    if not (isinstance(outcome, dict) and outcome.get("success") is True):
        raise HumanCheckFailed(
            "The human check did not pass; please try it again.", field="human_check_token"
        )
