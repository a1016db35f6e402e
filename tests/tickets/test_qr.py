"""Ticket QR codes: what they carry, that the images read back to it, and parsing a scan."""

import io
import xml.etree.ElementTree as ET

import pytest
import segno
from PIL import Image

from tests.tickets.helpers import paid_ticket, png_modules, read_qr_png
from tickets.qr import parse_qr_payload, ticket_qr_payload, ticket_qr_png, ticket_qr_svg

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def ticket(db):
    return paid_ticket(attendee_name="Grace Hopper", attendee_email="grace@example.com")


def test_qr_payload_is_the_versioned_ticket_code(ticket):
    assert ticket_qr_payload(ticket) == f"GR1:{ticket.code}"


def test_qr_payload_carries_nothing_personal(ticket):
    payload = ticket_qr_payload(ticket)

    for personal in ("Grace", "Hopper", "grace@example.com", "buyer@example.com", "@"):
        assert personal not in payload
    assert ticket.order.code not in payload
    assert ticket.order.secret not in payload


def test_qr_png_reads_back_as_the_payload(ticket):
    png = ticket_qr_png(ticket)

    assert png.startswith(PNG_SIGNATURE)
    assert read_qr_png(png) == ticket_qr_payload(ticket)


def test_qr_png_is_segnos_symbol_of_exactly_the_payload_at_level_q(ticket):
    expected = segno.make_qr(ticket_qr_payload(ticket), error="q", boost_error=False)

    matrix, _, _ = png_modules(ticket_qr_png(ticket))

    assert matrix == [[bool(module) for module in row] for row in expected.matrix]


def test_qr_png_has_the_quiet_zone_and_asked_scale(ticket):
    png = ticket_qr_png(ticket, scale=5)

    matrix, scale, quiet_zone = png_modules(png)
    width, height = Image.open(io.BytesIO(png)).size
    assert (scale, quiet_zone) == (5, 4)
    assert width == height == (len(matrix) + 2 * 4) * 5


def test_qr_png_default_scale_is_eight_pixels_per_module(ticket):
    _, scale, _ = png_modules(ticket_qr_png(ticket))

    assert scale == 8


def test_qr_svg_is_an_svg_document_on_a_white_background(ticket):
    svg = ticket_qr_svg(ticket)

    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    assert svg.startswith(b"<?xml")
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # Opaque light modules: a transparent code vanishes on a phone in dark mode.
    assert b"#fff" in svg
    assert b"Grace" not in svg


def test_qr_images_differ_between_tickets(ticket):
    other = paid_ticket()

    assert read_qr_png(ticket_qr_png(other)) == f"GR1:{other.code}"
    assert ticket_qr_png(other) != ticket_qr_png(ticket)


CODE = "Zx9_-aB3kLmNoPqRsTuVwXyZ01234567"


@pytest.mark.parametrize(
    ("scanned", "code"),
    [
        (f"GR1:{CODE}", CODE),
        (CODE, CODE),
        (f"  GR1:{CODE}\n", CODE),
        (f"\t{CODE} ", CODE),
        (f"gr1:{CODE}", CODE),
    ],
)
def test_parse_qr_payload_accepts_the_payload_or_a_bare_code(scanned, code):
    assert parse_qr_payload(scanned) == code


@pytest.mark.parametrize(
    "scanned",
    [
        "",
        "   ",
        "GR1:",
        "hello",
        f"GR2:{CODE}",
        f"GR1:GR1:{CODE}",
        f"https://example.com/t/{CODE}",
        f"{CODE[:16]} {CODE[16:]}",
        f"{CODE};DROP TABLE",
        "A" * 49,
        "A" * 15,
    ],
)
def test_parse_qr_payload_rejects_junk(scanned):
    assert parse_qr_payload(scanned) is None


def test_parse_qr_payload_round_trips_a_real_ticket(ticket):
    assert parse_qr_payload(ticket_qr_payload(ticket)) == ticket.code
