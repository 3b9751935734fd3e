"""Files for the media tests: a JPEG full of metadata, a PNG, and MP4s built box by box (no
encoder on this machine: the container is what Chorus checks, never the frames)."""

from __future__ import annotations

import io
import struct

from PIL import Image

SECRET_COMMENT = b"chorus-media-secret-comment-71c2"
CAMERA = "MediaCam 3000"


def jpeg_with_secrets(size: tuple[int, int] = (1600, 900)) -> bytes:
    """A JPEG with a COM comment and EXIF naming the camera and where it stood (GPS IFD)."""
    exif = Image.Exif()
    exif[0x010F] = CAMERA  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 24.0)
    gps[3], gps[4] = "E", (2.0, 21.0, 3.0)
    out = io.BytesIO()
    Image.new("RGB", size, (30, 140, 200)).save(
        out, format="JPEG", exif=exif, comment=SECRET_COMMENT
    )
    return out.getvalue()


def png(size: tuple[int, int] = (400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (240, 200, 20)).save(out, format="PNG")
    return out.getvalue()


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def tkhd(width: int, height: int) -> bytes:
    """A version-0 track header: flags, times, track id, duration, layer..., matrix, size."""
    body = b"\x00\x00\x00\x03" + struct.pack(">IIIII", 0, 0, 1, 0, 1000) + b"\x00" * 8
    body += struct.pack(">hhhh", 0, 0, 0, 0)
    body += struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    body += struct.pack(">II", width << 16, height << 16)
    return box(b"tkhd", body)


def mp4(width: int = 640, height: int = 360, media_bytes: int = 50_000) -> bytes:
    """ftyp + moov (one track of width x height) + mdat of `media_bytes` patterned bytes."""
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    moov = box(b"moov", box(b"mvhd", b"\x00" * 100) + box(b"trak", tkhd(width, height)))
    mdat = box(b"mdat", bytes(i % 251 for i in range(media_bytes)))
    return ftyp + moov + mdat
