"""Headshot images: size caps checked before decoding, one normalised JPEG, sized renditions.

An upload is refused when its bytes exceed GREENROOM_HEADSHOT_MAX_BYTES, or when its header
(read before any pixel is decoded) gives a side longer than GREENROOM_HEADSHOT_MAX_SIDE or more
pixels than Pillow's decompression-bomb limit (MAX_IMAGE_PIXELS): a refusal, never a warning.
What is stored is a re-encoding, never the upload: turned upright by its EXIF orientation, then
without EXIF (phones write the place a photo was taken there), flattened onto white, fitted
into STORED_SIDE, as JPEG: photos of faces are what JPEG is made for, every browser, mail
client and badge printer reads it, and a headshot needs no transparency. The API hands out
renditions fitted into RENDITION_SIDES, the whole picture kept (apps crop to a circle or
square with `object-fit: cover`).
"""

import io
import warnings

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from speakers.exceptions import SpeakersError

RENDITION_SIDES = (96, 256, 512)
STORED_SIDE = 1024
JPEG_QUALITY = 85
# Formats a camera, phone or image editor saves a photo in (the JPEG opener also takes MPO, the
# JPEG variant many phones write).
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def _too_many_pixels(width: int | None = None, height: int | None = None) -> SpeakersError:
    side = settings.GREENROOM_HEADSHOT_MAX_SIDE
    found = (
        _("The headshot is %(width)s×%(height)s pixels;") % {"width": width, "height": height}
        if width
        else _("The headshot has too many pixels;")
    )
    limit = _("at most %(side)s×%(side)s are accepted. Scale it down and upload it again.")
    return SpeakersError(
        f"{found} {limit % {'side': side}}",
        code="headshot_too_many_pixels",
        field="headshot",
    )


def open_headshot(file: File) -> Image.Image:
    """The decoded image of an uploaded or stored headshot, within the caps.

    Raises SpeakersError: `headshot_too_large` (bytes), `headshot_too_many_pixels` (sides,
    checked on the header before decoding) or `headshot_unreadable`.
    """
    max_bytes = settings.GREENROOM_HEADSHOT_MAX_BYTES
    if file.size > max_bytes:
        raise SpeakersError(
            _(
                "The headshot is %(size)s; at most %(limit)s is accepted. Save it smaller (a "
                "JPEG photo is usually well under 1 MiB) and upload it again."
            )
            % {"size": _mib(file.size), "limit": _mib(max_bytes)},
            code="headshot_too_large",
            field="headshot",
        )
    file.seek(0)
    max_side = settings.GREENROOM_HEADSHOT_MAX_SIDE
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; the checks below refuse.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(file, formats=ACCEPTED_FORMATS)  # reads the header only
        width, height = image.size
        too_many = Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS
        if width > max_side or height > max_side or too_many:
            raise _too_many_pixels(width, height)
        image.load()
    except Image.DecompressionBombError as error:
        raise _too_many_pixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise SpeakersError(
            _(
                "The headshot is not a readable JPEG, PNG or WebP image. Save it as a JPEG and "
                "upload it again."
            ),
            code="headshot_unreadable",
            field="headshot",
        ) from error
    return image


def upright_rgb(image: Image.Image) -> Image.Image:
    """`image` turned by its EXIF orientation, in RGB with any transparency on white."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def encode_jpeg(image: Image.Image, *, side: int) -> bytes:
    """`image` (upright RGB) fitted into side×side, never enlarged, as a JPEG without EXIF."""
    fitted = image.copy()
    fitted.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    fitted.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def square_crop(image: Image.Image) -> Image.Image:
    """The largest centred square of `image`, a little above the middle (where faces are)."""
    side = min(image.size)
    return ImageOps.fit(image, (side, side), centering=(0.5, 0.4))


def normalised_headshot(file: File, *, square: bool = False) -> ContentFile:
    """The stored form of an uploaded headshot: a JPEG named after the upload, within caps;
    cropped to a square when `square` (the speaker portal's uploads)."""
    image = upright_rgb(open_headshot(file))
    if square:
        image = square_crop(image)
    stem = (file.name or "headshot").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "headshot"
    return ContentFile(encode_jpeg(image, side=STORED_SIDE), name=f"{stem}.jpg")


def rendition_name(headshot_name: str, side: int) -> str:
    """Where the `side` px rendition of the headshot stored at `headshot_name` is kept."""
    return f"{headshot_name.rsplit('.', 1)[0]}_{side}.jpg"
