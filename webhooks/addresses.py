"""Where a webhook may go: http(s) URLs whose host resolves to public addresses only.

An organizer's endpoint URL is requested from inside our network, so a URL naming the loopback,
a private range or a cloud metadata address (169.254.169.254) would let it reach our own
services (server-side request forgery). Checked when the endpoint is registered and again at
each delivery, because DNS may answer differently later: the delivery connects to the very
address that was checked (webhooks.transport), so a second lookup cannot switch it.

WEBHOOKS_ALLOW_PRIVATE_ADDRESSES (on in development and tests, off in production) lifts the
address check; WEBHOOKS_REQUIRE_HTTPS (on in production) refuses plain http.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from webhooks.exceptions import WebhooksError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """A URL taken apart, with the addresses its host resolved to (all of them allowed)."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def is_public(address: IPAddress) -> bool:
    """Whether an address is one on the open internet: not private, loopback, link-local,
    multicast, reserved or unspecified (an IPv4-mapped IPv6 address is judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str) -> None:
    """Raise WebhooksError unless `url` is one we would deliver to (resolving its host)."""
    resolve_target(url)


def resolve_target(url: str) -> Target:
    """The URL's parts and its host's addresses; WebhooksError if any address is refused."""
    parts = urlsplit(url)
    allowed_schemes = {"https"} if settings.WEBHOOKS_REQUIRE_HTTPS else {"http", "https"}
    if parts.scheme not in allowed_schemes:
        raise WebhooksError(
            f"Webhook URLs must start with {' or '.join(sorted(allowed_schemes))}://.",
            field="url",
            code="webhook_url_scheme",
        )
    if not parts.hostname:
        raise WebhooksError("The URL names no host.", field="url", code="webhook_url_host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhooksError(
            "The URL's port is not a number.", field="url", code="webhook_url_port"
        ) from None
    addresses = _resolve(parts.hostname, port)
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        refused = [str(address) for address in addresses if not is_public(address)]
        if refused:
            raise WebhooksError(
                f"{parts.hostname} resolves to {', '.join(refused)}, an address webhooks may "
                "not reach (private, loopback, link-local, multicast or reserved).",
                field="url",
                code="webhook_url_private",
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        path=path,
        addresses=tuple(str(address) for address in addresses),
    )


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise WebhooksError(
            f"{host} does not resolve ({error}).", field="url", code="webhook_url_unresolved"
        ) from None
    # The scope of a link-local IPv6 answer ("fe80::1%eth0") is not part of the address.
    unique = dict.fromkeys(answer[4][0].split("%")[0] for answer in answers)
    return [ipaddress.ip_address(address) for address in unique]
