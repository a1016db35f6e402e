"""Web Push, the one module that talks to push services (pywebpush, VAPID per RFC 8292).

The site's VAPID key comes from VAPID_PRIVATE_KEY. Without one, a development key is made
once and kept in VAPID_DEVELOPMENT_KEY_FILE (under var/, never committed), so `make run` and
the tests push with a stable key; production settings set no such file, so there push is off
until the keys are configured, and `web_push_enabled()` tells the site not to offer it.
"""

import base64
import json
import logging
import os
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from notices.models import PushSubscription

logger = logging.getLogger(__name__)

# How long a push service keeps a notice for a device that is offline: a programme change
# matters until the day is over, not for a week.
PUSH_TTL_SECONDS = 12 * 3600
# Answers meaning the push service forgot the subscription (RFC 8030 §7.3): delete it.
GONE_STATUSES = {404, 410}
PUSH_TIMEOUT_SECONDS = 10


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def keys_are_usable(*, p256dh: str, auth: str) -> bool:
    """Whether a browser's subscription keys can encrypt a push (RFC 8291): a P-256 public
    point and a 16-byte auth secret, base64url."""
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(p256dh))
        return len(b64url_decode(auth)) == 16
    except ValueError:
        return False


def new_private_key() -> str:
    """A fresh VAPID private key: its raw 32 bytes, base64url."""
    private = ec.generate_private_key(ec.SECP256R1())
    return b64url(private.private_numbers().private_value.to_bytes(32, "big"))


def new_key_pair() -> str:
    """A fresh key pair as the environment takes it (see README, Environment variables)."""
    private_key = new_private_key()
    public_key = application_server_key_of(Vapid02.from_string(private_key))
    return f"VAPID_PRIVATE_KEY={private_key}\nVAPID_PUBLIC_KEY={public_key}"


def _development_private_key(path: Path) -> str:
    """The development key kept in `path`, made (readable by its owner only) on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Exclusive creation: two processes starting at once keep the first one's key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as key_file:
        key_file.write(new_private_key())
    return path.read_text().strip()


def vapid_key() -> Vapid02 | None:
    """The site's VAPID signing key, or None where Web Push is off."""
    if settings.VAPID_PRIVATE_KEY:
        private_key = settings.VAPID_PRIVATE_KEY
    elif settings.VAPID_DEVELOPMENT_KEY_FILE:
        private_key = _development_private_key(Path(settings.VAPID_DEVELOPMENT_KEY_FILE))
    else:
        return None
    key = Vapid02.from_string(private_key)
    public_key = application_server_key_of(key)
    if settings.VAPID_PUBLIC_KEY and public_key != settings.VAPID_PUBLIC_KEY:
        raise ImproperlyConfigured("VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY.")
    return key


def application_server_key_of(key: Vapid02) -> str:
    """The public key as browsers take it (`applicationServerKey`): the uncompressed point."""
    return b64url(
        key.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def application_server_key() -> str:
    """The public key for the site's "notify me on this device" button; "" where push is off."""
    key = vapid_key()
    return application_server_key_of(key) if key else ""


def send_push(*, user_id: int, payload: dict) -> int:
    """Push `payload` (JSON) to every device of the person; returns how many took it.

    Each subscription's last success or failure is stamped; one the push service has forgotten
    (404, 410) is deleted. A failure is logged and not retried: the e-mail carries the notice.
    """
    key = vapid_key()
    if key is None:
        return 0
    delivered = 0
    data = json.dumps(payload)
    for subscription in PushSubscription.objects.filter(user_id=user_id):
        try:
            webpush(
                subscription.subscription_info(),
                data=data,
                vapid_private_key=key,
                # A fresh dict each time: pywebpush writes the audience and expiry into it.
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=PUSH_TTL_SECONDS,
                timeout=PUSH_TIMEOUT_SECONDS,
            )
        except (WebPushException, requests.RequestException) as error:
            response = getattr(error, "response", None)
            status = response.status_code if response is not None else None
            if status in GONE_STATUSES:
                subscription.delete()
                continue
            logger.warning(
                "Push to subscription %s failed (%s): %s", subscription.pk, status, error
            )
            _stamp(subscription, "last_failure_at")
        else:
            _stamp(subscription, "last_success_at")
            delivered += 1
    return delivered


def _stamp(subscription: PushSubscription, field: str) -> None:
    PushSubscription.objects.filter(pk=subscription.pk).update(**{field: timezone.now()})
