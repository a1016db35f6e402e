"""A ticket's QR code: what it encodes, its PNG and SVG images, and reading a scan back.

The QR carries only the ticket's unguessable code behind a short version prefix, never a name
or an e-mail: a screenshot of a ticket passed around gives away nothing personal, and a door
app can tell our codes from any other QR it happens to scan.
"""

import io
import re

import segno

from tickets.models import Ticket

QR_PAYLOAD_PREFIX = "GR1:"
# Error correction "q" restores a quarter of the symbol: enough for a cracked phone screen or a
# creased printout. Boosting is off so the level (and the image) is always the same for a code.
QR_ERROR = "q"
# The four-module quiet zone the QR standard asks for; scanners miss codes that touch the edge.
QR_BORDER = 4
# Ticket codes are `secrets.token_urlsafe` output; a little slack either side of today's 32.
_CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,48}")


def ticket_qr_payload(ticket: Ticket) -> str:
    """The text the ticket's QR code encodes, e.g. `GR1:<ticket code>`."""
    return f"{QR_PAYLOAD_PREFIX}{ticket.code}"


def parse_qr_payload(text: str) -> str | None:
    """The ticket code in what a door app sent (our payload or a bare code), or None for junk."""
    text = (text or "").strip()
    if text[: len(QR_PAYLOAD_PREFIX)].upper() == QR_PAYLOAD_PREFIX:
        text = text[len(QR_PAYLOAD_PREFIX) :].strip()
    return text if _CODE_PATTERN.fullmatch(text) else None


def make_ticket_qr(ticket: Ticket) -> segno.QRCode:
    """The QR symbol of a ticket, before rendering."""
    return segno.make_qr(ticket_qr_payload(ticket), error=QR_ERROR, boost_error=False)


def ticket_qr_png(ticket: Ticket, *, scale: int = 8) -> bytes:
    """The ticket's QR code as a black-on-white PNG, `scale` pixels per module."""
    out = io.BytesIO()
    make_ticket_qr(ticket).save(out, kind="png", scale=scale, border=QR_BORDER)
    return out.getvalue()


def ticket_qr_svg(ticket: Ticket) -> bytes:
    """The ticket's QR code as an SVG document with an opaque white background.

    The light modules are painted white rather than left transparent: on a phone in dark mode a
    transparent background turns the code into dark-on-dark, which scanners cannot read.
    """
    out = io.BytesIO()
    make_ticket_qr(ticket).save(
        out, kind="svg", scale=8, border=QR_BORDER, dark="#000", light="#fff", xmldecl=True
    )
    return out.getvalue()
