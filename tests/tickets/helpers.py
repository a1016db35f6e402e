"""Test helpers for tickets: a paid ticket built the way fulfilment issues one, and a QR reader.

`paid_ticket` stands in for a TicketFactory: tickets only exist for paid orders, so it places
a real order, marks it paid and issues the ticket rows, rather than faking a Ticket alone.

`read_qr_png` is a small pure-Python QR decoder (versions 1–6, error levels M and Q, byte
mode, no damage): enough to prove our images say exactly what we meant, with no scanner
library to install. It follows the layout of ISO/IEC 18004 on its own and shares no code with
segno, which drew the image.
"""

import datetime as dt
import io

from django.utils import timezone
from PIL import Image

from tests.factories import PassTypeFactory, PromoCodeFactory, SessionFactory
from tickets.models import Order, OrderStatus, PassType, Ticket
from tickets.services.ordering import LineRequest, place_order


def paid_ticket(
    *,
    pass_type: PassType | None = None,
    attendee_name: str = "Ada Lovelace",
    attendee_email: str = "ada@example.com",
    buyer_email: str = "buyer@example.com",
    buyer=None,
) -> Ticket:
    """A valid ticket of a paid one-pass order (a new pass type and event unless given),
    bought by the account `buyer` when given."""
    pass_type = pass_type or PassTypeFactory()
    attendee = {"name": attendee_name, "email": attendee_email}
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, 1, attendees=(attendee,))],
        email=buyer_email,
        user=buyer,
    )
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID, paid_at=timezone.now())
    order.refresh_from_db()
    return Ticket.objects.create(
        order=order,
        line=order.lines.get(),
        pass_type=pass_type,
        attendee_name=attendee_name,
        attendee_email=attendee_email,
    )


def discounted_order(quantity: int = 2) -> Order:
    """A pending order of `quantity` General Admission passes at $190.00 with 10 % off (code
    TENOFF), for an event at Zellerbach Hall whose first session starts 10 June 2030, 09:30
    in Los Angeles."""
    pass_type = PassTypeFactory(name="General Admission", phase__price=19000, max_per_order=10)
    event = pass_type.event
    event.venue_name, event.venue_address = "Zellerbach Hall", "101 Zellerbach, Berkeley"
    event.save()
    SessionFactory(event=event, starts_at=dt.datetime(2030, 6, 10, 16, 30, tzinfo=dt.UTC))
    PromoCodeFactory(event=event, code="TENOFF", value=10)
    order, _ = place_order(
        event=event,
        lines=[LineRequest(pass_type.pk, quantity)],
        email="buyer@example.com",
        promo_code="TENOFF",
    )
    return order


# --- reading a QR code back -------------------------------------------------------------------

# Error correction level by its two format bits, and (version, level) → data codewords per block.
_LEVELS = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}
_DATA_BLOCKS = {
    (1, "M"): [16],
    (1, "Q"): [13],
    (2, "M"): [28],
    (2, "Q"): [22],
    (3, "M"): [44],
    (3, "Q"): [17, 17],
    (4, "M"): [32, 32],
    (4, "Q"): [24, 24],
    (5, "M"): [43, 43],
    (5, "Q"): [15, 15, 16, 16],
    (6, "M"): [27, 27, 27, 27],
    (6, "Q"): [19, 19, 19, 19],
}
_TOTAL_CODEWORDS = {1: 26, 2: 44, 3: 70, 4: 100, 5: 134, 6: 172}
_MASKS = [
    lambda row, col: (row + col) % 2 == 0,
    lambda row, col: row % 2 == 0,
    lambda row, col: col % 3 == 0,
    lambda row, col: (row + col) % 3 == 0,
    lambda row, col: (row // 2 + col // 3) % 2 == 0,
    lambda row, col: (row * col) % 2 + (row * col) % 3 == 0,
    lambda row, col: ((row * col) % 2 + (row * col) % 3) % 2 == 0,
    lambda row, col: ((row + col) % 2 + (row * col) % 3) % 2 == 0,
]


def png_modules(png: bytes) -> tuple[list[list[bool]], int, int]:
    """The module matrix of a QR PNG (True is dark), the pixels per module and the quiet zone
    width in modules, found from the image alone."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    pixels = image.load()
    dark = [[pixels[x, y] < 128 for x in range(width)] for y in range(height)]
    top = next(y for y in range(height) if any(dark[y]))
    left = next(x for x in range(width) if dark[top][x])
    # The top-left finder pattern's first row is seven dark modules in a row.
    run = next(x for x in range(left, width) if not dark[top][x]) - left
    scale = run // 7
    size = (width - 2 * left) // scale
    matrix = [
        [
            dark[top + row * scale + scale // 2][left + col * scale + scale // 2]
            for col in range(size)
        ]
        for row in range(size)
    ]
    return matrix, scale, left // scale


def _format_bits(level_bits: int, mask: int) -> int:
    data = level_bits << 3 | mask
    remainder = data
    for _ in range(10):
        remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
    return (data << 10 | remainder) ^ 0x5412


def _read_format(matrix: list[list[bool]]) -> tuple[str, int]:
    """Error level and mask from the format bits beside the top-left finder."""
    cells = [(row, 8) for row in range(6)] + [(7, 8), (8, 8), (8, 7)]
    cells += [(8, 14 - index) for index in range(9, 15)]
    word = sum(int(matrix[row][col]) << index for index, (row, col) in enumerate(cells))
    candidates = {_format_bits(bits, mask): (bits, mask) for bits in range(4) for mask in range(8)}
    best = min(candidates, key=lambda valid: bin(valid ^ word).count("1"))
    assert bin(best ^ word).count("1") <= 3, "format information unreadable"
    bits, mask = candidates[best]
    return _LEVELS[bits], mask


def _is_function(row: int, col: int, size: int, version: int) -> bool:
    """Finder, separator and format areas, timing patterns, the alignment pattern."""
    if (row <= 8 and col <= 8) or (row <= 8 and col >= size - 8) or (row >= size - 8 and col <= 8):
        return True
    if row == 6 or col == 6:
        return True
    center = size - 7  # versions 2–6 have one alignment pattern, here
    return version >= 2 and abs(row - center) <= 2 and abs(col - center) <= 2


def read_qr_matrix(matrix: list[list[bool]]) -> str:
    """The text a QR module matrix encodes (byte mode, versions 1–6)."""
    size = len(matrix)
    version = (size - 17) // 4
    assert version in _TOTAL_CODEWORDS, f"version {version} is beyond this little reader"
    level, mask = _read_format(matrix)

    bits: list[int] = []
    right = size - 1
    while right >= 1:
        if right == 6:  # the vertical timing pattern has no data beside it
            right = 5
        upward = (right + 1) & 2 == 0
        for step in range(size):
            row = size - 1 - step if upward else step
            for col in (right, right - 1):
                if not _is_function(row, col, size, version):
                    bits.append(int(matrix[row][col] ^ _MASKS[mask](row, col)))
        right -= 2
    codewords = [
        int("".join(map(str, bits[index : index + 8])), 2)
        for index in range(0, _TOTAL_CODEWORDS[version] * 8, 8)
    ]

    # Data codewords are interleaved across blocks: first of each block, second of each, …
    block_sizes = _DATA_BLOCKS[(version, level)]
    blocks: list[list[int]] = [[] for _ in block_sizes]
    position = 0
    for index in range(max(block_sizes)):
        for block, block_size in zip(blocks, block_sizes, strict=True):
            if index < block_size:
                block.append(codewords[position])
                position += 1
    data_bits = "".join(f"{codeword:08b}" for block in blocks for codeword in block)

    mode, count = data_bits[:4], int(data_bits[4:12], 2)
    assert mode == "0100", f"mode {mode} is not byte mode"
    payload = bytes(int(data_bits[12 + 8 * index : 20 + 8 * index], 2) for index in range(count))
    return payload.decode("utf-8")


def read_qr_png(png: bytes) -> str:
    """The text a QR code PNG encodes."""
    matrix, _, _ = png_modules(png)
    return read_qr_matrix(matrix)
