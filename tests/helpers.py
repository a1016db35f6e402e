"""Small helpers shared by tests in several apps."""

import io
import struct
import time
import zlib
from collections.abc import Callable

from PIL import Image


def wait_for(condition: Callable[[], bool], *, seconds: float = 20.0) -> bool:
    """Poll `condition` until it holds or `seconds` pass (for work done by other threads)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def photo(size=(1200, 800), *, image_format="JPEG", mode="RGB", exif=None) -> bytes:
    """A plain image of `size` encoded as `image_format`, with `exif` (bytes) if given."""
    image = Image.new(mode, size, "teal")
    out = io.BytesIO()
    image.save(out, format=image_format, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width×height: what Image.open reads before decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )
