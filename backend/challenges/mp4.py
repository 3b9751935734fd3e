"""An MP4 video's container, checked box by box without decoding a frame: the file is a chain of
ISO base media boxes that ends exactly at its last byte, starts with an `ftyp` box naming an
MP4 brand, and holds a movie header (`moov`) and media data (`mdat`). A truncated upload, a
renamed program or a box whose length points past the end is refused; nothing is rewritten
(the video is kept as uploaded). The picture's size is read from the first video track's
header, when it has one.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from backend.core.errors import Invalid
from backend.core.i18n import Message, msg

# Brands of MP4 (ISO/IEC 14496-14) and its common profiles; QuickTime (`qt  `) is not video/mp4.
BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso8", b"iso9", b"mp41", b"mp42"}
    | {b"avc1", b"hvc1", b"av01", b"M4V ", b"M4VP", b"dash", b"mmp4", b"msnv", b"MSNV"}
)
MAX_BOXES = 100_000  # top-level boxes (a fragmented MP4 has two per fragment)
_TYPE_BYTES = frozenset(range(0x20, 0x7F)) | {0xA9}


def is_mp4(raw: bytes) -> bool:
    """The file starts like an MP4 (its first box is `ftyp`): what it claims to be."""
    return len(raw) >= 12 and raw[4:8] == b"ftyp"


def _broken(why: Message) -> Invalid:
    return Invalid(msg("This video is not a complete MP4 file ({why}).", why=why))


def boxes(raw: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, body start, box end) of each box in raw[start:end]; the boxes must fill it."""
    position, count = start, 0
    while position < end:
        count += 1
        if count > MAX_BOXES:
            raise _broken(msg("too many boxes"))
        if end - position < 8:
            raise _broken(msg("a box is cut short"))
        size, kind = struct.unpack_from(">I4s", raw, position)
        header = 8
        if size == 1:
            if end - position < 16:
                raise _broken(msg("a box is cut short"))
            (size,) = struct.unpack_from(">Q", raw, position + 8)
            header = 16
        elif size == 0:  # this box runs to the end
            size = end - position
        if not all(byte in _TYPE_BYTES for byte in kind):
            raise _broken(msg("a box has no readable type"))
        if size < header or position + size > end:
            raise _broken(msg("a box runs past the end of the file"))
        yield kind, position + header, position + size
        position += size


def check_mp4(raw: bytes) -> tuple[int | None, int | None]:
    """(width, height) of a well-formed MP4 (None, None when it has no video track); Invalid
    (422) when the container is broken or not MP4."""
    if not is_mp4(raw):
        raise _broken(msg("it does not start with an ftyp box"))
    top = list(boxes(raw, 0, len(raw)))
    kind, body, end = top[0]
    if end - body < 8:
        raise _broken(msg("its ftyp box is too short"))
    brands = {raw[body : body + 4]} | {raw[i : i + 4] for i in range(body + 8, end - 3, 4)}
    if not brands & BRANDS:
        raise Invalid(msg("This video is not an MP4 (send video/mp4: H.264 or H.265 in MP4)."))
    kinds = [kind for kind, _, _ in top]
    if b"moov" not in kinds or b"mdat" not in kinds:
        raise _broken(msg("it has no movie header or no media data"))
    _, moov_body, moov_end = top[kinds.index(b"moov")]
    for kind, trak_body, trak_end in boxes(raw, moov_body, moov_end):
        if kind != b"trak":
            continue
        for inner, tkhd, tkhd_end in boxes(raw, trak_body, trak_end):
            if inner != b"tkhd":
                continue
            offset = tkhd + (88 if raw[tkhd] == 1 else 76)
            if offset + 8 > tkhd_end:
                raise _broken(msg("a track header is cut short"))
            width, height = struct.unpack_from(">II", raw, offset)
            if width >> 16 and height >> 16:
                return width >> 16, height >> 16
    return None, None
