"""Story photos: decoded, turned upright, shrunk and re-encoded as a plain JPEG. Nothing of the
original file survives — no EXIF, so no GPS position, camera serial or capture time."""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from backend.core.errors import Invalid

MAX_SIDE = 1280
MAX_INPUT_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs long before memory suffers
ACCEPTED = {"image/jpeg", "image/png", "image/webp"}

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def clean_photo(raw: bytes) -> tuple[bytes, int, int]:
    """The photo as Chorus stores it: (JPEG bytes, width, height)."""
    if not raw:
        raise Invalid("The photo is empty.")
    if len(raw) > MAX_INPUT_BYTES:
        raise Invalid("The photo is too large (at most 8 MB).")
    try:
        with Image.open(io.BytesIO(raw)) as source:
            if source.format not in ("JPEG", "PNG", "WEBP"):
                raise Invalid("Send a JPEG, PNG or WebP photo.")
            if source.width * source.height > MAX_PIXELS:
                raise Invalid("The photo has too many pixels.")
            upright = ImageOps.exif_transpose(source)  # keep how it looked, drop the tags
            image = upright.convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise Invalid("This file is not a photo Chorus can read.") from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82, optimize=True)  # no exif= : none is written
    return out.getvalue(), image.width, image.height
