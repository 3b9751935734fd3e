"""The media store's contract (backend/storage.py), one suite run against both implementations:
the local disk (the default) and S3, through boto3 against moto's server: a real S3 endpoint
speaking HTTP on 127.0.0.1 (no AWS account, no network)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.settings import load_settings
from backend.storage import LocalStore, MediaStore, MissingObject, S3Store, store_for

DATA = bytes(i % 256 for i in range(700_000))  # more than two chunks of 256 KiB


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(params=["local", "s3"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> MediaStore:
    if request.param == "local":
        return LocalStore(tmp_path / "media")
    endpoint = request.getfixturevalue("s3_endpoint")
    # the standard AWS variables, as in production (moto takes any key)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    bucket = "chorus-" + tmp_path.name.lower().replace("_", "-")[-40:].strip("-")
    s3 = S3Store(bucket, endpoint=endpoint, region="us-east-1")
    s3._client.create_bucket(Bucket=s3.bucket)
    return s3


async def read_all(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in chunks])


async def test_what_is_put_is_read_back_whole(store: MediaStore) -> None:
    await store.put("challenges/org/c1/m1.mp4", DATA, "video/mp4")
    assert await read_all(store.read("challenges/org/c1/m1.mp4")) == DATA
    assert await store.size("challenges/org/c1/m1.mp4") == len(DATA)


@pytest.mark.parametrize(
    ("start", "stop"), [(0, 1), (0, 100), (100, 300_000), (699_999, 700_000), (5, None), (0, None)]
)
async def test_a_range_is_exactly_those_bytes(store: MediaStore, start: int, stop: Any) -> None:
    await store.put("a/range.bin", DATA, "application/octet-stream")
    assert await read_all(store.read("a/range.bin", start, stop)) == DATA[start:stop]


async def test_an_empty_range_reads_nothing(store: MediaStore) -> None:
    await store.put("a/empty-range.bin", DATA, "application/octet-stream")
    assert await read_all(store.read("a/empty-range.bin", 10, 10)) == b""


async def test_put_replaces_and_delete_removes(store: MediaStore) -> None:
    await store.put("a/b.jpg", b"first", "image/jpeg")
    await store.put("a/b.jpg", b"second!", "image/jpeg")
    assert await read_all(store.read("a/b.jpg")) == b"second!"
    await store.delete("a/b.jpg")
    assert await store.size("a/b.jpg") is None
    with pytest.raises(MissingObject):
        await read_all(store.read("a/b.jpg"))
    await store.delete("a/b.jpg")  # again: no error


async def test_a_missing_object_is_missing(store: MediaStore) -> None:
    assert await store.size("never/put.jpg") is None
    with pytest.raises(MissingObject):
        await read_all(store.read("never/put.jpg", 0, 10))


@pytest.mark.parametrize(
    "key", ["../escape.jpg", "/abs.jpg", "a/../../b", "A/Upper.jpg", "a//b", ".hidden", "a/.x", ""]
)
async def test_no_key_leaves_the_store(store: MediaStore, key: str) -> None:
    with pytest.raises(ValueError, match="not a media key"):
        await store.put(key, b"x", "image/jpeg")


async def test_concurrent_writers_leave_one_whole_object(store: MediaStore) -> None:
    versions = [bytes([n]) * 300_000 for n in range(6)]
    await asyncio.gather(*(store.put("race/one.bin", v, "x/y") for v in versions))
    assert await read_all(store.read("race/one.bin")) in versions


def test_a_local_store_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    asyncio.run(store.put("x/y.jpg", b"data", "image/jpeg"))
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["y.jpg"]


def test_the_settings_pick_the_store(tmp_path: Path) -> None:
    local = load_settings({"CHORUS_MEDIA_DIR": str(tmp_path / "m"), "CHORUS_DOTENV": "/none"})
    chosen = store_for(local)
    assert isinstance(chosen, LocalStore) and chosen.root == tmp_path / "m"
    default = load_settings({"CHORUS_DATA_DIR": str(tmp_path), "CHORUS_DOTENV": "/none"})
    assert store_for(default).root == tmp_path / "media"  # type: ignore[attr-defined]
    s3 = load_settings(
        {
            "CHORUS_MEDIA_STORE": "s3",
            "CHORUS_S3_BUCKET": "chorus-media",
            "CHORUS_S3_ENDPOINT": "http://127.0.0.1:9",
            "CHORUS_S3_REGION": "eu-west-1",
            "CHORUS_DOTENV": "/none",
        }
    )
    chosen = store_for(s3)
    assert isinstance(chosen, S3Store) and chosen.bucket == "chorus-media"


def test_s3_without_a_bucket_is_refused() -> None:
    from backend.settings import SettingsError

    settings = load_settings(
        {
            "CHORUS_MEDIA_STORE": "s3",
            "CHORUS_DATABASE_URL": "postgresql://x/y",
            "CHORUS_REDIS_URL": "redis://x",
            "CHORUS_ENV": "dev",
            "CHORUS_DOTENV": "/none",
        }
    )
    with pytest.raises(SettingsError, match="CHORUS_S3_BUCKET"):
        settings.check()
