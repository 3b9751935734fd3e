"""Story photos: nothing but pixels survives (no comment, EXIF, XMP); a decompression bomb is
refused by its header, never decoded; a 36 MP photo is shrunk to 1280 px in the photo processes
while the server keeps answering; each person sends at most 20 photos per 10 minutes; and one
rule says who sees a story's photo, in the app and on the public page."""

from __future__ import annotations

import asyncio
import functools
import io
import json
import multiprocessing
import os
import signal
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from backend.community import imaging
from backend.community.photos import MAX_PIXELS, MAX_SIDE, clean_photo
from backend.community.tables import Story
from tests.helpers import Account, add_member, assert_problem, bearer, signup
from tests.stack import chorus_stack
from tests.test_stories import make_challenge, write_story

SECRET_COMMENT = b"chorus-secret-comment-5f3a"
SECRET_XMP = b"<x:xmpmeta>chorus-secret-xmp-9c1d</x:xmpmeta>"
CAMERA = "SecretCam 9000"


def photo_with_secrets(size: tuple[int, int] = (2400, 1600), orientation: int = 1) -> bytes:
    """A JPEG with a COM comment, XMP, and EXIF naming the camera and where it stood."""
    exif = Image.Exif()
    exif[0x010F] = CAMERA  # Make
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 24.0)
    gps[3], gps[4] = "E", (2.0, 21.0, 3.0)
    out = io.BytesIO()
    Image.new("RGB", size, (30, 140, 200)).save(
        out, format="JPEG", exif=exif, comment=SECRET_COMMENT, xmp=SECRET_XMP
    )
    return out.getvalue()


@functools.cache
def big_photo(kind: str) -> bytes:
    """6000x6000 (36 MP): under the pixel limit, far over the stored size."""
    out = io.BytesIO()
    Image.new("RGB", (6000, 6000), (200, 120, 40)).save(out, format=kind)
    return out.getvalue()


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 90)).save(out, format="PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def png_bomb(side: int = 20_000) -> bytes:
    """A valid 1-bit PNG of side x side pixels (400 MP at 20,000) in a few tens of KB."""
    squeeze = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte, then the row's bits
    idat = b"".join(squeeze.compress(row) for _ in range(side)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


async def upload(
    client: Any, who: Account, challenge: dict[str, Any], raw: bytes, kind: str
) -> httpx.Response:
    resp: httpx.Response = await client.put(
        f"/api/v1/challenges/{challenge['id']}/story/photo",
        content=raw,
        headers={**bearer(who), "Content-Type": kind},
    )
    return resp


# -- what survives --------------------------------------------------------------------------


def test_only_the_pixels_survive_cleaning():
    raw = photo_with_secrets()
    assert SECRET_COMMENT in raw and SECRET_XMP in raw and CAMERA.encode() in raw
    assert b"\xff\xfe" in raw  # the COM marker

    cleaned = clean_photo(raw)

    for secret in (SECRET_COMMENT, SECRET_XMP, CAMERA.encode(), b"Exif", b"xmpmeta"):
        assert secret not in cleaned.jpeg
    assert b"\xff\xfe" not in cleaned.jpeg  # no COM segment (0xFF 0xFE never occurs in scan data)
    with Image.open(io.BytesIO(cleaned.jpeg)) as kept:
        assert kept.format == "JPEG" and kept.size == (MAX_SIDE, 853) == cleaned[1:]
        assert len(kept.getexif()) == 0 and "comment" not in kept.info and "xmp" not in kept.info


def test_a_sideways_photo_is_stored_upright():
    # orientation 6: the camera was turned; the stored photo is turned back, the tag dropped
    cleaned = clean_photo(photo_with_secrets((600, 400), orientation=6))
    assert (cleaned.width, cleaned.height) == (400, 600)


async def test_a_jpeg_comment_exif_and_xmp_are_never_served(client):
    admin = await signup(client)
    sam = await add_member(client, admin)
    challenge = await make_challenge(client, admin, verification="trust")
    await write_story(client, sam, challenge)
    resp = await upload(client, sam, challenge, photo_with_secrets(), "image/jpeg")
    assert resp.status_code == 200, resp.text
    story = (
        await client.post(f"/api/v1/challenges/{challenge['id']}/story/submit", headers=bearer(sam))
    ).json()
    in_app = await client.get(resp.json()["photoUrl"], headers=bearer(sam))
    public = await client.get(f"/stories/{story['slug']}/photo.jpg")
    for served in (in_app, public):
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        for secret in (SECRET_COMMENT, SECRET_XMP, CAMERA.encode(), b"Exif", b"\xff\xfe"):
            assert secret not in served.content


# -- how big ------------------------------------------------------------------------------------


def test_a_pixel_bomb_is_refused_by_its_header_without_decoding():
    bomb = png_bomb()
    assert len(bomb) < 200_000  # 400 MP of 1-bit pixels: 400 MB once decoded in Pillow's "1"
    # in a fresh process, so that its peak memory says what refusing it cost
    probe = (
        "import json, sys\n"
        "from backend.community.photos import clean_photo\n"
        "raw = sys.stdin.buffer.read()\n"
        "try:\n"
        "    clean_photo(raw)\n"
        "    outcome = 'accepted'\n"
        "except Exception as exc:\n"
        "    outcome = f'{type(exc).__name__}: {exc}'\n"
        # VmHWM: this program's own peak (ru_maxrss would keep pytest's, from before its exec)
        "hwm = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
        "peak = int(hwm) // 1024\n"
        "print(json.dumps({'outcome': outcome, 'peak_mb': peak}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        input=bomb,
        capture_output=True,
        check=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    got = json.loads(done.stdout)
    assert got["outcome"].startswith("PhotoTooLarge: The photo has too many pixels"), got
    assert got["peak_mb"] < 150, got  # decoding it would have needed 400 MB more


async def test_a_pixel_bomb_upload_is_a_413_and_nothing_is_kept(client):
    admin = await signup(client)
    challenge = await make_challenge(client, admin)
    await write_story(client, admin, challenge)
    resp = await upload(client, admin, challenge, png_bomb(), "image/png")
    assert_problem(resp, 413, detail_contains=f"at most {MAX_PIXELS // 1_000_000} megapixels")
    assert await Story.raw("SELECT 1 FROM story_photo") == []


@pytest.mark.parametrize(("kind", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png")])
async def test_a_36_megapixel_photo_is_kept_at_1280_pixels(client, kind, content_type):
    admin = await signup(client)
    challenge = await make_challenge(client, admin)
    await write_story(client, admin, challenge)
    resp = await upload(client, admin, challenge, big_photo(kind), content_type)
    assert resp.status_code == 200, resp.text
    stored = await client.get(resp.json()["photoUrl"], headers=bearer(admin))
    with Image.open(io.BytesIO(stored.content)) as kept:
        assert kept.format == "JPEG" and kept.size == (MAX_SIDE, MAX_SIDE)


# -- how many ---------------------------------------------------------------------------------


async def test_twenty_photos_per_person_per_ten_minutes(client):
    admin = await signup(client)
    sam = await add_member(client, admin)
    challenge = await make_challenge(client, admin)
    await write_story(client, sam, challenge)
    await write_story(client, admin, challenge)
    for _ in range(20):
        assert (await upload(client, sam, challenge, small_png(), "image/png")).status_code == 200
    refused = await upload(client, sam, challenge, small_png(), "image/png")
    assert_problem(refused, 429, detail_contains="too many photos")
    assert 1 <= int(refused.headers["retry-after"]) <= 600
    # the limit is the person's: a colleague still sends theirs
    assert (await upload(client, admin, challenge, small_png(), "image/png")).status_code == 200
    # and the refused one replaced nothing: one photo per story, the 20th kept
    assert len(await Story.raw("SELECT 1 FROM story_photo")) == 2


async def test_a_full_line_of_photos_answers_503_with_retry_after(client, monkeypatch):
    monkeypatch.setattr(imaging.photo_pool, "waiting", 0)  # only the photos in work, no line
    admin = await signup(client)
    members = [await add_member(client, admin) for _ in range(imaging.photo_pool.workers + 1)]
    challenge = await make_challenge(client, admin)
    for member in members:
        await write_story(client, member, challenge)
    *first, last = members
    busy = [
        asyncio.create_task(upload(client, m, challenge, big_photo("PNG"), "image/png"))
        for m in first
    ]
    for _ in range(60_000):  # a safety net, not a budget: they are admitted within moments
        if imaging.photo_pool.admitted == len(first):
            break
        await asyncio.sleep(0.001)
    refused = await upload(client, last, challenge, small_png(), "image/png")
    assert_problem(refused, 503, detail_contains="busy with other photos")
    assert refused.headers["retry-after"] == str(imaging.RETRY_AFTER_SECONDS)
    assert [r.status_code for r in await asyncio.gather(*busy)] == [200] * len(first)
    # its turn comes once the line has room
    assert (await upload(client, last, challenge, small_png(), "image/png")).status_code == 200


async def test_a_photo_process_that_dies_is_a_503_and_the_next_photo_gets_a_new_one(client):
    admin = await signup(client)
    challenge = await make_challenge(client, admin)
    await write_story(client, admin, challenge)
    imaging.photo_pool.shutdown()
    others = set(multiprocessing.active_children())
    # the photo processes start with the first photo
    assert (await upload(client, admin, challenge, small_png(), "image/png")).status_code == 200
    assert set(multiprocessing.active_children()) - others
    sent = asyncio.create_task(upload(client, admin, challenge, big_photo("PNG"), "image/png"))
    for _ in range(60_000):  # a safety net, not a budget
        if imaging.photo_pool.admitted == 1:
            break
        await asyncio.sleep(0.001)
    for process in set(multiprocessing.active_children()) - others:  # as by the OOM killer
        os.kill(process.pid, signal.SIGKILL)
    refused = await sent
    assert_problem(refused, 503, detail_contains="could not process this photo")
    assert refused.headers["retry-after"] == str(imaging.RETRY_AFTER_SECONDS)
    assert (await upload(client, admin, challenge, small_png(), "image/png")).status_code == 200


async def test_health_answers_while_four_36_megapixel_photos_are_processed(tmp_path):
    """Against `chorus serve`: /health keeps answering while the photos are in work. Ordering,
    not time: /health, asked again as soon as answered, is answered many times before the first
    upload is, and many times more between the first and the last (when the photos were decoded
    on the event loop, /health got through only in the gaps between two photos)."""
    manager = chorus_stack(os.environ.copy(), api_processes=1, log_dir=tmp_path, worker=False)
    stack = await asyncio.to_thread(manager.__enter__)
    try:
        async with httpx.AsyncClient(base_url=stack.base_url, timeout=120) as http:
            admin = await signup(http, org="Busy Photos")
            challenges = [await make_challenge(http, admin, title=f"Story {n}") for n in range(4)]
            for challenge in challenges:
                await write_story(http, admin, challenge)
            png = big_photo("PNG")
            answered: list[str] = []  # in the order the answers arrived

            async def send(challenge: dict[str, Any]) -> httpx.Response:
                resp = await upload(http, admin, challenge, png, "image/png")
                answered.append("upload")
                return resp

            uploads = [asyncio.create_task(send(c)) for c in challenges]
            while not all(u.done() for u in uploads):
                assert (await http.get("/health")).status_code == 200
                answered.append("health")
            assert [u.result().status_code for u in uploads] == [200] * 4, [
                u.result().text for u in uploads
            ]
    finally:
        await asyncio.to_thread(manager.__exit__, None, None, None)
    # Seen here: about 1,000 and 650 with the photo processes; 12-20 and 8-10 when the photos
    # were decoded on the event loop (/health then got through only between two photos).
    order = "".join("U" if what == "upload" else "h" for what in answered)
    first, last = order.index("U"), order.rindex("U")
    assert first >= 50, order
    assert order[first:last].count("h") >= 30, order


# -- who sees it --------------------------------------------------------------------------------


async def _published_with_photo(client: Any) -> dict[str, Any]:
    admin = await signup(client)
    sam = await add_member(client, admin, name="Sam Author")
    pat = await add_member(client, admin, name="Pat Colleague")
    challenge = await make_challenge(client, admin, verification="trust")
    await write_story(client, sam, challenge)
    assert (await upload(client, sam, challenge, small_png(), "image/png")).status_code == 200
    story = (
        await client.post(f"/api/v1/challenges/{challenge['id']}/story/submit", headers=bearer(sam))
    ).json()
    assert story["status"] == "published"
    return {"admin": admin, "sam": sam, "pat": pat, "story": story}


async def _seen(client: Any, s: dict[str, Any]) -> dict[str, int]:
    """Who gets the photo now: in the app (author, colleague, admin) and on the public page."""
    in_app = f"/api/v1/stories/{s['story']['id']}/photo"
    slug = s["story"]["slug"]
    page = await client.get(f"/stories/{slug}")
    seen = {
        who: (await client.get(in_app, headers=bearer(s[who]))).status_code
        for who in ("sam", "pat", "admin")
    }
    seen["public"] = (await client.get(f"/stories/{slug}/photo.jpg")).status_code
    seen["page"] = page.status_code
    # the page never points at a photo it would not serve
    assert (f"/stories/{slug}/photo.jpg" in page.text) == (seen["public"] == 200)
    return seen


async def test_a_published_photo_is_seen_by_everyone_it_reaches(client):
    s = await _published_with_photo(client)
    assert await _seen(client, s) == {
        "sam": 200,
        "pat": 200,
        "admin": 200,
        "public": 200,
        "page": 200,
    }
    stranger = await signup(client, org="Elsewhere")
    assert_problem(
        await client.get(f"/api/v1/stories/{s['story']['id']}/photo", headers=bearer(stranger)),
        404,
    )


async def test_a_photo_taken_down_is_gone_in_the_app_and_in_public(client):
    s = await _published_with_photo(client)
    assert (
        await client.post(f"/api/v1/stories/{s['story']['id']}/unpublish", headers=bearer(s["sam"]))
    ).status_code == 204
    # the author keeps their own story, admins their review queue; nobody else sees it
    assert await _seen(client, s) == {
        "sam": 200,
        "pat": 404,
        "admin": 200,
        "public": 404,
        "page": 404,
    }
    assert_problem(
        await client.get(f"/api/v1/stories/{s['story']['id']}/photo", headers=bearer(s["pat"])),
        404,
    )


async def test_a_deactivated_authors_photo_is_gone_for_others(client):
    s = await _published_with_photo(client)
    resp = await client.put(
        f"/api/v1/admin/users/{s['sam'].user_id}",
        json={"active": False},
        headers=bearer(s["admin"]),
    )
    assert resp.status_code == 200, resp.text
    seen = await _seen(client, s)
    del seen["sam"]  # signed out for good: a deactivated account's token opens nothing
    assert seen == {"pat": 404, "admin": 200, "public": 404, "page": 404}


async def test_a_story_hidden_by_an_admin_hides_its_photo(client):
    s = await _published_with_photo(client)
    feed = (await client.get("/api/v1/feed", headers=bearer(s["admin"]))).json()["items"]
    item = next(i["id"] for i in feed if i["kind"] == "story")
    assert (
        await client.post(f"/api/v1/admin/feed/{item}/hide", headers=bearer(s["admin"]))
    ).status_code == 204
    assert await _seen(client, s) == {
        "sam": 200,
        "pat": 404,
        "admin": 200,
        "public": 404,
        "page": 404,
    }


async def test_a_draft_photo_is_its_authors_and_a_submitted_one_the_reviewers(client):
    admin = await signup(client)
    sam = await add_member(client, admin)
    pat = await add_member(client, admin)
    challenge = await make_challenge(client, admin)  # reviewed
    await write_story(client, sam, challenge)
    resp = await upload(client, sam, challenge, small_png(), "image/png")
    photo_url = resp.json()["photoUrl"]

    async def seen() -> dict[str, int]:
        return {
            who: (await client.get(photo_url, headers=bearer(account))).status_code
            for who, account in (("sam", sam), ("pat", pat), ("admin", admin))
        }

    assert await seen() == {"sam": 200, "pat": 404, "admin": 404}
    await client.post(f"/api/v1/challenges/{challenge['id']}/story/submit", headers=bearer(sam))
    assert await seen() == {"sam": 200, "pat": 404, "admin": 200}
    queue = (await client.get("/api/v1/admin/stories", headers=bearer(admin))).json()
    assert [s["photoUrl"] for s in queue] == [photo_url]


async def test_the_in_app_photo_is_asked_again_each_time(client):
    s = await _published_with_photo(client)
    url = f"/api/v1/stories/{s['story']['id']}/photo"
    first = await client.get(url, headers=bearer(s["pat"]))
    assert first.headers["cache-control"] == "private, no-cache"
    again = await client.get(
        url, headers={**bearer(s["pat"]), "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    await client.post(f"/api/v1/stories/{s['story']['id']}/unpublish", headers=bearer(s["sam"]))
    gone = await client.get(
        url, headers={**bearer(s["pat"]), "If-None-Match": first.headers["etag"]}
    )
    assert_problem(gone, 404)
