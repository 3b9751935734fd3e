"""Where media bytes live: one interface, `MediaStore`, on local disk (the default,
CHORUS_MEDIA_STORE=local, under CHORUS_MEDIA_DIR) or in any S3-compatible bucket
(CHORUS_MEDIA_STORE=s3: CHORUS_S3_BUCKET, CHORUS_S3_ENDPOINT, CHORUS_S3_REGION; credentials from
the standard AWS variables or instance role, never from Chorus's settings).

The invariant, the same for every implementation (tests/test_storage.py runs one suite against
both): an object is stored whole or not at all (local: a temporary file renamed into place; S3:
one PUT), so a reader never sees half of one; `read(key, start, stop)` yields exactly the bytes
[start, stop) of it; `delete` of a missing key is no error; a key is a relative path of lower-case
letters, digits, `.`, `_` and `-` segments, each starting with a letter or digit (no `..`, no
absolute path), so no key can leave the store's root. Blocking calls (file and boto3 I/O) run in
threads, never on the event loop.

Shared infrastructure: it imports no domain. Who may read an object is the caller's business.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
from collections.abc import AsyncIterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from backend.settings import Settings

CHUNK = 256 * 1024
_KEY = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}(/[a-z0-9][a-z0-9._-]{0,127}){0,7}")


class MissingObject(LookupError):
    """No object under this key."""


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a media key: {key!r}")
    return key


class MediaStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` (replacing any object there), whole or not at all."""

    def read(self, key: str, start: int = 0, stop: int | None = None) -> AsyncIterator[bytes]:
        """The bytes [start, stop) of the object, in chunks; MissingObject if there is none."""

    async def size(self, key: str) -> int | None:
        """The object's length in bytes, None when there is none."""

    async def delete(self, key: str) -> None:
        """Remove the object; nothing happens when there is none."""


class LocalStore:
    """Objects as files under `root` (written to a temporary name, then renamed)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
            try:
                with temporary.open("wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                temporary.replace(path)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise

        await asyncio.to_thread(write)

    async def read(self, key: str, start: int = 0, stop: int | None = None) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError as exc:
            raise MissingObject(key) from exc
        try:
            await asyncio.to_thread(handle.seek, start)
            left = None if stop is None else max(0, stop - start)
            while left is None or left > 0:
                chunk = await asyncio.to_thread(
                    handle.read, CHUNK if left is None else min(CHUNK, left)
                )
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)

    async def size(self, key: str) -> int | None:
        path = self._path(key)
        try:
            stat = await asyncio.to_thread(path.stat)
        except FileNotFoundError:
            return None
        return stat.st_size

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(path.unlink, True)


class S3Store:
    """Objects in one bucket of any S3-compatible service, through boto3 in threads (a boto3
    client is safe to share between threads). `endpoint` empty: AWS itself."""

    def __init__(
        self, bucket: str, *, endpoint: str = "", region: str = "", prefix: str = ""
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint or None,
            region_name=region or None,
            # path-style addressing works with every S3 look-alike (MinIO, Ceph, moto, R2)
            config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard"}),
        )

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self._client.put_object,
            Bucket=self.bucket,
            Key=self._key(key),
            Body=data,
            ContentType=content_type,
        )

    async def read(self, key: str, start: int = 0, stop: int | None = None) -> AsyncIterator[bytes]:
        from botocore.exceptions import ClientError

        if stop is not None and stop <= start:
            if await self.size(key) is None:
                raise MissingObject(key)
            return
        extra = {}
        if start or stop is not None:
            extra["Range"] = f"bytes={start}-{'' if stop is None else stop - 1}"
        try:
            answer = await asyncio.to_thread(
                self._client.get_object, Bucket=self.bucket, Key=self._key(key), **extra
            )
        except ClientError as exc:
            if _code(exc) in ("NoSuchKey", "404", "NotFound"):
                raise MissingObject(key) from exc
            if _code(exc) == "InvalidRange":  # starts at or past the end: nothing to read
                return
            raise
        body = answer["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, CHUNK):
                yield chunk
        finally:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(body.close)

    async def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            head = await asyncio.to_thread(
                self._client.head_object, Bucket=self.bucket, Key=self._key(key)
            )
        except ClientError as exc:
            if _code(exc) in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        return int(head["ContentLength"])

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=self._key(key))


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def media_dir(settings: Settings) -> Path:
    return Path(settings.media_dir or Path(settings.data_dir) / "media")


@lru_cache(maxsize=4)
def store_for(settings: Settings) -> MediaStore:
    """The store the settings name (one per settings, kept for the life of the process)."""
    if settings.media_store == "s3":
        return S3Store(settings.s3_bucket, endpoint=settings.s3_endpoint, region=settings.s3_region)
    return LocalStore(media_dir(settings))
