"""Media on challenges: images and short videos an admin attaches for employees to share with
their post (POST/DELETE /api/v1/admin/challenges/{id}/media[/{mediaId}]).

The invariants:
- A file is judged by its content, never by its name or declared type: its first bytes say
  JPEG, PNG, WebP or MP4 (else 415), and they must agree with the declared family (image/* or
  video/mp4, else 415); an image that does not decode or an MP4 whose box structure is broken
  or truncated is 422.
- Nothing of an image survives but its pixels: it is re-encoded as a JPEG in the photo
  processes (the cleaner the composition root registers: backend/community/imaging.py), so no
  EXIF (GPS), XMP, comment or ICC profile reaches anyone. A video is kept as uploaded once its
  container is checked (backend/challenges/mp4.py).
- At most MAX_PER_CHALLENGE per challenge (409 beyond), counted under the challenge's row lock.
- The stored object (backend/storage.py) is written before its row and deleted after it, so a
  row never names a missing object; an object whose row never came is deleted at once.
- Who may fetch a medium is who may see its challenge: any admin of the organization; anyone
  else only while it is published and they are in its audience (service._visible_row's rule);
  everything else is 404, whatever exists.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol
from uuid import UUID, uuid4

import msgspec

from backend.challenges import cache
from backend.challenges.mp4 import check_mp4
from backend.challenges.schemas import ChallengeMedia
from backend.challenges.tables import Challenge
from backend.core.errors import Conflict, DomainError, Invalid, NotFound
from backend.core.i18n import msg, msg_n
from backend.core.identity import ROLE_RANK, CurrentUser
from backend.db import DB
from backend.storage import MediaStore

MAX_BYTES = 25 * 1024 * 1024
MAX_PER_CHALLENGE = 10
MAX_IMAGE_SIDE = 2048  # infographics and quote cards stay sharp on a phone's screen
ACCEPTED = ("image/jpeg", "image/png", "image/webp", "video/mp4")
_EXTENSION = {"image/jpeg": "jpg", "video/mp4": "mp4"}

# What the challenge reads select of their media (service._COLUMNS), in upload order.
MEDIA_COLUMN = (
    "(SELECT coalesce(jsonb_agg(jsonb_build_object('id', m.id, 'kind', m.kind, "
    "'contentType', m.content_type, 'bytes', m.bytes, 'width', m.width, 'height', m.height) "
    "ORDER BY m.position), '[]'::jsonb) FROM challenge_media m WHERE m.challenge = c.id) AS media"
)


class UnsupportedMedia(DomainError):
    status = 415
    title = "Unsupported media type"


class MediaTooLarge(DomainError):
    status = 413
    title = "Media too large"


class RangeNotSatisfiable(DomainError):
    status = 416
    title = "Range not satisfiable"


class CleanImage(Protocol):
    @property
    def jpeg(self) -> bytes: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...


# (raw, longest side, most bytes) → the image re-encoded from its pixels alone
ImageCleaner = Callable[[bytes, int, int], Awaitable[CleanImage]]
_cleaner: ImageCleaner | None = None


def use_image_cleaner(cleaner: ImageCleaner) -> None:
    """Set by the composition root (backend/app.py): the photo processes' cleaner."""
    global _cleaner
    _cleaner = cleaner


class MediaFile(msgspec.Struct, frozen=True):
    key: str
    content_type: str
    size: int


def url_of(challenge_id: UUID, media_id: UUID) -> str:
    return f"/api/v1/challenges/{challenge_id}/media/{media_id}"


def media_read(row: dict[str, Any]) -> list[ChallengeMedia]:
    """A challenge row's `media` column as the wire shows it (empty for rows without it)."""
    items = row.get("media") or []
    if isinstance(items, str):
        items = msgspec.json.decode(items)
    return [
        ChallengeMedia(
            id=UUID(item["id"]),
            kind=item["kind"],
            url=url_of(row["id"], UUID(item["id"])),
            bytes=item["bytes"],
            content_type=item["contentType"],
            width=item["width"],
            height=item["height"],
        )
        for item in items
    ]


def sniff(raw: bytes) -> str | None:
    """The content type the first bytes say, whatever the file was called."""
    if raw.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if raw.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(raw) >= 12 and raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    if len(raw) >= 12 and raw[4:8] == b"ftyp":
        return "video/mp4"
    return None


def check_declared(declared: str) -> None:
    if declared not in ACCEPTED:
        raise UnsupportedMedia(
            msg("Send the file as image/jpeg, image/png, image/webp or video/mp4 (at most 25 MB).")
        )


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Challenge.raw(sql, *args)
    return rows


async def upload(
    actor: CurrentUser, challenge_id: UUID, raw: bytes, declared: str, store: MediaStore
) -> ChallengeMedia:
    check_declared(declared)
    if not raw:
        raise Invalid(msg("The file is empty."))
    if len(raw) > MAX_BYTES:
        raise MediaTooLarge(msg("The file is too large (at most 25 MB)."))
    found = sniff(raw)
    if found is None or (found == "video/mp4") != (declared == "video/mp4"):
        raise UnsupportedMedia(
            msg("This file is not a JPEG, PNG, WebP image or MP4 video (judged by its content).")
        )
    await check_room(actor.org_id, challenge_id)  # before the work, and again under the lock
    width: int | None
    height: int | None
    kind: Literal["image", "video"]
    if found == "video/mp4":
        width, height = check_mp4(raw)
        data, content_type, kind = raw, "video/mp4", "video"
    else:
        if _cleaner is None:
            raise RuntimeError("no image cleaner registered (backend/app.py)")
        clean = await _cleaner(raw, MAX_IMAGE_SIDE, MAX_BYTES)
        data, content_type, kind = clean.jpeg, "image/jpeg", "image"
        width, height = clean.width, clean.height
    media_id = uuid4()
    key = f"challenges/{actor.org_id}/{challenge_id}/{media_id}.{_EXTENSION[content_type]}"
    await store.put(key, data, content_type)
    try:
        async with DB.transaction():
            await check_room(actor.org_id, challenge_id, lock=True)
            await _rows(
                "INSERT INTO challenge_media (id, org, challenge, kind, content_type, bytes, "
                "width, height, storage_key, position, created_by) "
                "SELECT {}, {}, {}, {}, {}, {}, {}, {}, {}, "
                "coalesce(max(position), 0) + 1, {} FROM challenge_media WHERE challenge = {}",
                media_id,
                actor.org_id,
                challenge_id,
                kind,
                content_type,
                len(data),
                width,
                height,
                key,
                actor.id,
                challenge_id,
            )
    except BaseException:
        await store.delete(key)
        raise
    await cache.announce_org(actor.org_id)
    return ChallengeMedia(
        id=media_id,
        kind=kind,
        url=url_of(challenge_id, media_id),
        bytes=len(data),
        content_type=content_type,
        width=width,
        height=height,
    )


async def check_room(org_id: UUID, challenge_id: UUID, *, lock: bool = False) -> None:
    """The organization's challenge has room for one more medium: else 404 or 409."""
    rows = await _rows(
        "SELECT c.id FROM challenge c WHERE c.org = {} AND c.id = {}"  # noqa: S608 (constants)
        + (" FOR UPDATE" if lock else ""),
        org_id,
        challenge_id,
    )
    if not rows:
        raise NotFound(msg("No such challenge in your organization."))
    counted = await _rows(
        "SELECT count(*) AS n FROM challenge_media WHERE challenge = {}", challenge_id
    )
    if counted[0]["n"] >= MAX_PER_CHALLENGE:
        raise Conflict(
            msg(
                "A challenge has at most {n} media; delete one to add another.",
                n=MAX_PER_CHALLENGE,
            )
        )


async def delete(actor: CurrentUser, challenge_id: UUID, media_id: UUID, store: MediaStore) -> None:
    rows = await _rows(
        "DELETE FROM challenge_media WHERE id = {} AND challenge = {} AND org = {} "
        "RETURNING storage_key",
        media_id,
        challenge_id,
        actor.org_id,
    )
    if not rows:
        raise NotFound(msg("No such media on this challenge."))
    await store.delete(rows[0]["storage_key"])
    await cache.announce_org(actor.org_id)


async def file_for(viewer: CurrentUser, challenge_id: UUID, media_id: UUID) -> MediaFile:
    """The stored object of a medium `viewer` may see (the module's rule), else 404."""
    rows = await _rows(
        "SELECT m.storage_key, m.content_type, m.bytes, c.state, c.audience_team_ids "
        "FROM challenge_media m JOIN challenge c ON c.id = m.challenge "
        "WHERE m.id = {} AND m.challenge = {} AND c.org = {}",
        media_id,
        challenge_id,
        viewer.org_id,
    )
    if not rows:
        raise NotFound(msg("No such media."))
    row = rows[0]
    if ROLE_RANK[viewer.role] < ROLE_RANK["admin"]:
        audience = row["audience_team_ids"]
        if row["state"] != "published" or (audience and viewer.team_id not in audience):
            raise NotFound(msg("No such media."))
    return MediaFile(key=row["storage_key"], content_type=row["content_type"], size=row["bytes"])


_RANGE = re.compile(r"(?i:bytes)=([0-9]{0,18})-([0-9]{0,18})")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, stop) of a `Range: bytes=` header asking for one range; None for the whole file
    (no header, one this server ignores as RFC 9110 allows: several ranges, another unit, a
    malformed one); RangeNotSatisfiable when it asks only for bytes past the end."""
    matched = _RANGE.fullmatch(header.strip()) if header else None
    if matched is None:
        return None
    first, last = matched.groups()
    if not (first or last):
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise _unsatisfiable(size)
        return max(0, size - suffix), size
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise _unsatisfiable(size)
    stop = size if not last else min(size, int(last) + 1)
    return start, stop


def _unsatisfiable(size: int) -> RangeNotSatisfiable:
    return RangeNotSatisfiable(
        msg_n(
            "The file has {n} bytes; ask for a range within them.",
            "The file has {n} bytes; ask for a range within them.",
            size,
            n=size,
        ),
        headers={"Content-Range": f"bytes */{size}"},
    )
