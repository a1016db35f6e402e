"""One POST to a webhook endpoint, connected to an address checked beforehand.

http.client is used rather than a client library because it lets the connection go to the
checked address while the Host header, TLS SNI and certificate check still use the URL's host
name; and it never follows redirects (a 3xx is simply a failed attempt, so a redirect cannot
lead a delivery to an address we did not check).
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from webhooks.addresses import Target

TIMEOUT_SECONDS = 10
EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Answer:
    """What became of a request: the status code and the start of the body, or the error."""

    status_code: int | None
    response_excerpt: str
    error: str
    duration_ms: int


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def post(target: Target, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to the target's first checked address; never raises for network trouble."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(
        target.host, target.port, address=target.addresses[0], timeout=TIMEOUT_SECONDS
    )
    started = time.monotonic()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_CHARS).decode("utf-8", errors="replace")
        status_code, error = response.status, ""
    except (OSError, http.client.HTTPException) as problem:
        status_code, excerpt = None, ""
        error = f"{type(problem).__name__}: {problem}"[:300]
    finally:
        connection.close()
    return Answer(
        status_code=status_code,
        response_excerpt=excerpt,
        error=error,
        duration_ms=round((time.monotonic() - started) * 1000),
    )
