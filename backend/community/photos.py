"""Story photos: checked by their header, decoded, shrunk, turned upright and re-encoded as a
plain JPEG. Nothing of the original file survives but its pixels: no EXIF (no GPS position,
camera serial or capture time), no XMP, no comment, no ICC profile.

A photo is refused by its header, before a pixel is decoded: past MAX_PIXELS, or not a JPEG,
PNG or WebP. This is the work itself, plain and synchronous: the API runs it in its photo
processes (backend/community/imaging.py), never on the event loop.
"""

from __future__ import annotations

import io
import struct
import warnings
from typing import NamedTuple

from PIL import ExifTags, Image, UnidentifiedImageError

from backend.core.errors import DomainError, Invalid
from backend.core.i18n import msg, msg_n

MAX_SIDE = 1280
MAX_INPUT_BYTES = 8 * 1024 * 1024
# 40 megapixels: a 6000x6000 photo (36 MP) and every 12-24 MP phone photo pass (the 48-50 MP
# full-resolution modes of a few phones seldom fit in 8 MB anyway). A JPEG is decoded at 1/2,
# 1/4 or 1/8 scale (45 MB at 36 MP, measured); a PNG cannot be, and peaks near 235 MB at 40 MP.
MAX_PIXELS = 40_000_000
# Pillow decodes a WebP through three full-size copies (about 16 bytes a pixel, 270 MB at
# 16 MP, measured): 16 MP keeps it within the PNG's budget, and 4000x4000 still passes.
MAX_PIXELS_BY_FORMAT = {"WEBP": 16_000_000}
ACCEPTED = {"image/jpeg", "image/png", "image/webp"}
# The only decoders Pillow may try (a phone's MPO, a JPEG with extra frames, comes through JPEG).
FORMATS = ("JPEG", "PNG", "WEBP")

# Pillow's own guard says the same: it warns past this and refuses past twice this; the warning
# is raised as an error where photos are opened (below), so it refuses past MAX_PIXELS too.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# EXIF orientation → what turns the pixels upright (as ImageOps.exif_transpose does).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error)


class PhotoTooLarge(DomainError):
    status = 413
    title = "Photo too large"


class CleanPhoto(NamedTuple):
    """The photo as Chorus stores it."""

    jpeg: bytes
    width: int
    height: int


def _too_many_pixels(limit: int = MAX_PIXELS) -> PhotoTooLarge:
    megapixels = limit // 1_000_000
    return PhotoTooLarge(
        msg_n(
            "The photo has too many pixels (at most {n} megapixels); send a smaller version of it.",
            "The photo has too many pixels (at most {n} megapixels); send a smaller version of it.",
            megapixels,
            n=megapixels,
        )
    )


def clean_photo(
    raw: bytes, max_side: int = MAX_SIDE, max_bytes: int = MAX_INPUT_BYTES
) -> CleanPhoto:
    """The photo re-encoded from its pixels alone, at most `max_side` pixels on its longer side
    (challenge media pass their own limits: backend/challenges/media.py)."""
    if not raw:
        raise Invalid(msg("The photo is empty."))
    if len(raw) > max_bytes:
        raise PhotoTooLarge(
            msg("The photo is too large (at most {mb} MB).", mb=max_bytes // 1_048_576)
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=FORMATS) as source:  # reads the header only
                limit = MAX_PIXELS_BY_FORMAT.get(str(source.format), MAX_PIXELS)
                if source.width * source.height > limit:
                    raise _too_many_pixels(limit)
                image = _shrink(source, max_side)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except _UNREADABLE as exc:
        raise Invalid(msg("This file is not a photo Chorus can read.")) from exc
    # Pillow writes a JPEG comment from `info` when it re-encodes: nothing of the original stays
    image.info.clear()
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82, optimize=True)  # no exif=, icc_profile=, xmp=
    return CleanPhoto(out.getvalue(), image.width, image.height)


def _shrink(source: Image.Image, max_side: int = MAX_SIDE) -> Image.Image:
    """Decoded as small as the format allows, shrunk, then turned upright: the full-size pixels
    are held once at most (a PNG's), never copied."""
    orientation = source.getexif().get(ExifTags.Base.Orientation)
    if source.format in ("JPEG", "MPO"):
        source.draft("RGB", (max_side, max_side))  # libjpeg decodes at 1/2, 1/4 or 1/8 scale
    image = source
    if image.mode not in ("RGB", "RGBA", "L", "LA"):  # palette, CMYK, 16-bit: shrink in RGB
        image = image.convert("RGB")
    image.thumbnail((max_side, max_side))
    image = image.convert("RGB")
    turn = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    return image.transpose(turn) if turn is not None else image
