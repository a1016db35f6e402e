"""A local stand-in for a browser's push service (RFC 8030), for the Web Push tests.

A real HTTP server in a thread of the test process takes the push message the site posts. It
checks what a push service checks, the VAPID header (RFC 8292): `vapid t=<JWT>, k=<public key>`,
the JWT signed ES256 with that key, for this server's origin, not expired, with a contact.
And it decrypts the body (RFC 8291, aes128gcm) as the browser would, with the browser's
private key and auth secret, which the test made like a browser does.
"""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Browser:
    """What a browser keeps for one push subscription: its key pair and auth secret."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


@dataclass
class ReceivedPush:
    """One push message as the push service saw it, checked and decrypted."""

    path: str
    claims: dict
    signature_valid: bool
    vapid_public_key: str
    payload: dict


def verify_vapid(authorization: str, *, audience: str) -> tuple[dict, bool, str]:
    """The JWT's claims, whether its ES256 signature verifies with the key in `k` and its
    claims are good (audience, expiry within a day, a contact), and that key."""
    scheme, _, parameters = authorization.partition(" ")
    values = dict(part.strip().split("=", 1) for part in parameters.split(",") if "=" in part)
    token, key = values["t"], values["k"]
    signing_input, _, signature = token.rpartition(".")
    header = json.loads(b64url_decode(signing_input.split(".")[0]))
    claims = json.loads(b64url_decode(signing_input.split(".")[1]))
    raw_signature = b64url_decode(signature)
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    try:
        public_key.verify(
            encode_dss_signature(
                int.from_bytes(raw_signature[:32], "big"), int.from_bytes(raw_signature[32:], "big")
            ),
            signing_input.encode(),
            ec.ECDSA(hashes.SHA256()),
        )
        signed = True
    except InvalidSignature:
        signed = False
    now = time.time()
    valid = (
        signed
        and scheme.lower() == "vapid"
        and header.get("alg") == "ES256"
        and claims.get("aud") == audience
        and now < int(claims.get("exp", 0)) <= now + 24 * 3600
        and bool(claims.get("sub"))
    )
    return claims, valid, key


class PushService:
    """The server, its received messages, and the status it answers with (201 by default)."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.received: list[ReceivedPush] = []
        self.answer_status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                claims, valid, key = verify_vapid(
                    self.headers["Authorization"], audience=service.origin
                )
                plaintext = http_ece.decrypt(
                    body,
                    private_key=service.browser.private_key,
                    auth_secret=service.browser.auth_secret,
                    version=self.headers["Content-Encoding"],
                )
                service.received.append(
                    ReceivedPush(self.path, claims, valid, key, json.loads(plaintext))
                )
                self.send_response(service.answer_status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "PushService":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
