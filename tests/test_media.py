"""Media on challenges: an image comes back as pixels alone (no EXIF, GPS or comment); a video
is kept byte for byte once its MP4 container checks out; the type is judged by the content (a
renamed program is 415, a truncated MP4 422); 25 MB at most, refused while the body streams;
ranges are exact (206, 416); a year of private, immutable caching; one rule of who sees them
(the challenge's); they are listed in every read of the challenge, the in-memory list too."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from backend.challenges import media
from backend.challenges.tables import ChallengeMedia
from backend.community.tables import StoryPhoto
from backend.settings import get_settings
from backend.storage import media_dir
from tests.helpers import (
    Account,
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    create_team,
    signup,
)
from tests.media_files import CAMERA, SECRET_COMMENT, jpeg_with_secrets, mp4, png


async def upload(
    client: httpx.AsyncClient,
    who: Account,
    challenge_id: str,
    body: Any,
    content_type: str,
    **headers: str,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/admin/challenges/{challenge_id}/media",
        content=body,
        headers={**bearer(who), "Content-Type": content_type, **headers},
    )


async def uploaded(client: httpx.AsyncClient, admin: Account, cid: str, body: bytes, kind: str):  # type: ignore[no-untyped-def]
    resp = await upload(client, admin, cid, body, kind)
    assert resp.status_code == 201, resp.text
    return resp.json()


def stored_files() -> list[Path]:
    root = media_dir(get_settings())
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def test_an_image_comes_back_without_exif_gps_or_comment(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    challenge = await create_challenge(client, admin)
    raw = jpeg_with_secrets((1600, 900))
    assert SECRET_COMMENT in raw and CAMERA.encode() in raw
    made = await uploaded(client, admin, challenge["id"], raw, "image/jpeg")
    assert made["kind"] == "image" and made["contentType"] == "image/jpeg"
    assert (made["width"], made["height"]) == (1600, 900)
    assert made["url"] == f"/api/v1/challenges/{challenge['id']}/media/{made['id']}"

    resp = await client.get(made["url"], headers=bearer(employee))
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "image/jpeg"
    assert int(resp.headers["content-length"]) == made["bytes"] == len(resp.content)
    assert SECRET_COMMENT not in resp.content and CAMERA.encode() not in resp.content
    with Image.open(io.BytesIO(resp.content)) as served:
        assert served.size == (1600, 900)
        exif = served.getexif()
        assert len(exif) == 0 and len(exif.get_ifd(0x8825)) == 0  # no GPS IFD
        assert "comment" not in served.info and "exif" not in served.info
    # what is stored is what is served: nothing of the original on disk either
    assert all(SECRET_COMMENT not in p.read_bytes() for p in stored_files())


async def test_a_png_and_a_webp_are_stored_as_plain_jpegs_at_most_2048_px(client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    made = await uploaded(client, admin, challenge["id"], png((400, 300)), "image/png")
    assert (made["kind"], made["contentType"], made["width"]) == ("image", "image/jpeg", 400)
    out = io.BytesIO()
    Image.new("RGB", (3000, 1500), (1, 2, 3)).save(out, format="WEBP")
    big = await uploaded(client, admin, challenge["id"], out.getvalue(), "image/webp")
    assert (big["width"], big["height"]) == (2048, 1024)


async def test_a_video_is_kept_as_uploaded_and_served_in_exact_ranges(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    challenge = await create_challenge(client, admin)
    raw = mp4(720, 1280, media_bytes=300_000)
    made = await uploaded(client, admin, challenge["id"], raw, "video/mp4")
    assert (made["kind"], made["contentType"], made["bytes"]) == ("video", "video/mp4", len(raw))
    assert (made["width"], made["height"]) == (720, 1280)
    size = len(raw)
    me = bearer(employee)

    whole = await client.get(made["url"], headers=me)
    assert whole.status_code == 200 and whole.content == raw
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["x-content-type-options"] == "nosniff"
    cache = whole.headers["cache-control"]
    assert "private" in cache and "immutable" in cache and "max-age=31536000" in cache
    etag = whole.headers["etag"]

    for asked, (start, stop) in {
        "bytes=0-0": (0, 1),
        "bytes=0-99": (0, 100),
        "bytes=1000-": (1000, size),
        "bytes=-10": (size - 10, size),
        f"bytes=100-{size + 500}": (100, size),  # past the end: up to the end
        f"bytes=-{size * 2}": (0, size),
    }.items():
        part = await client.get(made["url"], headers={**me, "Range": asked})
        assert part.status_code == 206, (asked, part.text)
        assert part.content == raw[start:stop], asked
        assert part.headers["content-range"] == f"bytes {start}-{stop - 1}/{size}", asked
        assert int(part.headers["content-length"]) == stop - start

    for unsatisfiable in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0"):
        refused = await client.get(made["url"], headers={**me, "Range": unsatisfiable})
        assert_problem(refused, 416)
        assert refused.headers["content-range"] == f"bytes */{size}"

    for ignored in ("bytes=0-1,5-6", "items=0-5", "bytes=abc", "bytes=9-3"):
        full = await client.get(made["url"], headers={**me, "Range": ignored})
        assert full.status_code == 200 and full.content == raw, ignored
    stale = await client.get(made["url"], headers={**me, "Range": "bytes=0-9", "If-Range": '"x"'})
    assert stale.status_code == 200 and stale.content == raw
    fresh = await client.get(made["url"], headers={**me, "Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206 and fresh.content == raw[:10]
    again = await client.get(made["url"], headers={**me, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


async def test_thirty_megabytes_are_413_while_streaming_and_nothing_is_kept(client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    head = mp4(media_bytes=1000)
    before = stored_files()

    announced = await upload(client, admin, challenge["id"], head + b"\0" * (30 << 20), "video/mp4")
    assert_problem(announced, 413)

    sent = 0

    async def endless() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        nonlocal sent
        yield head
        for _ in range(30 * 4):
            sent += 256 * 1024
            yield b"\0" * (256 * 1024)

    streamed = await upload(client, admin, challenge["id"], endless(), "video/mp4")
    assert_problem(streamed, 413)
    assert stored_files() == before
    assert await ChallengeMedia.count().where(ChallengeMedia.challenge == challenge["id"]) == 0


@pytest.mark.parametrize(
    ("body", "declared", "status"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 4000, "image/png", 415),  # a program
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 4000, "video/mp4", 415),
        (b"just some text, not a picture at all", "image/png", 415),
        (b"%PDF-1.7\n" + b"x" * 100, "image/jpeg", 415),
        (png(), "video/mp4", 415),  # a picture called a video
        (mp4(), "image/jpeg", 415),  # a video called a picture
        (png(), "application/octet-stream", 415),
        (png(), "image/gif", 415),
        (b"", "image/png", 422),
        (png()[:60], "image/png", 422),  # a PNG cut short
        (jpeg_with_secrets()[:400], "image/jpeg", 422),  # a JPEG cut short
        (mp4()[:-100], "video/mp4", 422),  # truncated: mdat runs past the end
        (mp4()[:30], "video/mp4", 422),
        (mp4() + b"\x00\x00", "video/mp4", 422),  # trailing bytes that are no box
        (mp4().replace(b"moov", b"free", 1), "video/mp4", 422),  # no movie header
        (
            mp4().replace(b"isom", b"qt  ").replace(b"iso2avc1mp41", b"qt  qt  qt  "),
            "video/mp4",
            422,
        ),
    ],
)
async def test_the_content_decides_the_type(client, body, declared, status):
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    before = stored_files()
    resp = await upload(client, admin, challenge["id"], body, declared)
    assert_problem(resp, status)
    assert stored_files() == before


async def test_who_may_upload_delete_and_see(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    lead = await add_member(client, admin, role="lead")
    other_admin = await signup(client, org="Other")
    other_employee = await add_member(client, other_admin)
    challenge = await create_challenge(client, admin)
    draft = await create_challenge(client, admin, publish=False, title="Not yet")
    made = await uploaded(client, admin, challenge["id"], png(), "image/png")
    hidden = await uploaded(client, admin, draft["id"], png(), "image/png")

    for who in (employee, lead):
        assert_problem(await upload(client, who, challenge["id"], png(), "image/png"), 403)
        gone = await client.delete(
            f"/api/v1/admin/challenges/{challenge['id']}/media/{made['id']}", headers=bearer(who)
        )
        assert_problem(gone, 403)
    # another organization's admin: no such challenge, no such media
    assert_problem(await upload(client, other_admin, challenge["id"], png(), "image/png"), 404)
    gone = await client.delete(
        f"/api/v1/admin/challenges/{challenge['id']}/media/{made['id']}",
        headers=bearer(other_admin),
    )
    assert_problem(gone, 404)
    for outsider in (other_admin, other_employee):
        assert_problem(await client.get(made["url"], headers=bearer(outsider)), 404)
    # a draft's media: its admins see it, nobody else
    assert_problem(await client.get(hidden["url"], headers=bearer(employee)), 404)
    assert (await client.get(hidden["url"], headers=bearer(admin))).status_code == 200
    assert (await client.get(made["url"], headers=bearer(lead))).status_code == 200
    # the medium of one challenge is not found under another's id
    crossed = made["url"].replace(challenge["id"], draft["id"])
    assert_problem(await client.get(crossed, headers=bearer(admin)), 404)
    assert (await client.get(made["url"])).status_code == 401  # signed out


async def test_the_audience_decides_like_the_challenge(client):
    admin = await signup(client)
    sales = await create_team(client, admin, "Sales")
    support = await create_team(client, admin, "Support")
    seller = await add_member(client, admin, team_id=sales["id"])
    helper = await add_member(client, admin, team_id=support["id"])
    challenge = await create_challenge(client, admin, teamIds=[sales["id"]])
    made = await uploaded(client, admin, challenge["id"], png(), "image/png")
    assert (await client.get(made["url"], headers=bearer(seller))).status_code == 200
    assert_problem(await client.get(made["url"], headers=bearer(helper)), 404)
    unpublished = await client.post(
        f"/api/v1/admin/challenges/{challenge['id']}/unpublish", headers=bearer(admin)
    )
    if unpublished.status_code == 200:
        assert_problem(await client.get(made["url"], headers=bearer(seller)), 404)


async def test_media_are_listed_in_every_read_and_deleted_from_all(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    challenge = await create_challenge(client, admin)
    cid = challenge["id"]
    me = bearer(employee)

    async def listed(path: str, who: dict[str, str]) -> list[dict[str, Any]]:
        resp = await client.get(path, headers=who)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        if "items" in body:
            body = next(item for item in body["items"] if item["id"] == cid)
        return body["media"]  # type: ignore[no-any-return]

    reads = [
        (f"/api/v1/challenges/{cid}", me),
        ("/api/v1/challenges", me),  # the list served from the API process's memory
        (f"/api/v1/admin/challenges/{cid}", bearer(admin)),
        ("/api/v1/admin/challenges", bearer(admin)),
    ]
    for path, who in reads:
        assert await listed(path, who) == []  # and the in-memory list now holds the challenge
    image = await uploaded(client, admin, cid, jpeg_with_secrets((800, 600)), "image/jpeg")
    video = await uploaded(client, admin, cid, mp4(), "video/mp4")
    for path, who in reads:
        assert await listed(path, who) == [image, video], path
    assert len(stored_files()) >= 2

    resp = await client.delete(
        f"/api/v1/admin/challenges/{cid}/media/{image['id']}", headers=bearer(admin)
    )
    assert resp.status_code == 204
    for path, who in reads:
        assert await listed(path, who) == [video], path
    assert_problem(await client.get(image["url"], headers=me), 404)
    assert not any(image["id"] in p.name for p in stored_files())
    again = await client.delete(
        f"/api/v1/admin/challenges/{cid}/media/{image['id']}", headers=bearer(admin)
    )
    assert_problem(again, 404)


async def test_at_most_ten_media_a_challenge(client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    small = mp4(media_bytes=100)
    for _ in range(media.MAX_PER_CHALLENGE):
        await uploaded(client, admin, challenge["id"], small, "video/mp4")
    assert_problem(await upload(client, admin, challenge["id"], small, "video/mp4"), 409)


async def test_an_upload_repeated_with_its_idempotency_key_is_kept_once(client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    raw = mp4()
    first = await upload(
        client, admin, challenge["id"], raw, "video/mp4", **{"Idempotency-Key": "k1"}
    )
    again = await upload(
        client, admin, challenge["id"], raw, "video/mp4", **{"Idempotency-Key": "k1"}
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers.get("idempotent-replayed") == "true"
    other = await upload(
        client, admin, challenge["id"], png(), "image/png", **{"Idempotency-Key": "k1"}
    )
    assert_problem(other, 422)
    assert await ChallengeMedia.count().where(ChallengeMedia.challenge == challenge["id"]) == 1


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 10, None),
        ("bytes=0-4", 10, (0, 5)),
        ("bytes=5-", 10, (5, 10)),
        ("bytes=-3", 10, (7, 10)),
        ("bytes=2-100", 10, (2, 10)),
        ("bytes = 1-1", 10, None),  # not the grammar
        ("BYTES=1-1", 10, (1, 2)),  # a unit is any case
        ("bytes=1-1", 10, (1, 2)),
        ("bytes=0-1,3-4", 10, None),
        ("bytes=--1", 10, None),
        ("bytes=", 10, None),
    ],
)
def test_range_headers(header, size, expected):
    assert media.byte_range(header, size) == expected


# -- story photos live in the same store ---------------------------------------------------


async def put_photo(client: httpx.AsyncClient, who: Account, challenge: dict[str, Any]) -> str:
    resp = await client.put(
        f"/api/v1/challenges/{challenge['id']}/story/photo",
        content=jpeg_with_secrets((600, 400)),
        headers={**bearer(who), "Content-Type": "image/jpeg"},
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["photoUrl"]  # type: ignore[no-any-return]


def photo_files(org_id: str) -> list[Path]:
    return [p for p in stored_files() if p.parts[-3:-1] == ("photos", org_id)]


async def test_story_photos_live_in_the_store_and_leave_it_with_their_story(client):
    from tests.test_stories import make_challenge, write_story

    admin = await signup(client)
    sam = await add_member(client, admin)
    challenge = await make_challenge(client, admin)
    story = await write_story(client, sam, challenge)
    url = await put_photo(client, sam, challenge)
    [first] = photo_files(admin.org_id)
    rows = await StoryPhoto.select(StoryPhoto.data, StoryPhoto.storage_key)
    assert [r["data"] for r in rows] == [None]  # the bytes are in the store, not the database
    served = await client.get(url, headers=bearer(sam))
    assert served.status_code == 200 and served.content == first.read_bytes()
    assert SECRET_COMMENT not in served.content

    await put_photo(client, sam, challenge)  # replaced: the old file goes with its row
    [second] = photo_files(admin.org_id)
    assert second != first and not first.exists()

    gone = await client.delete(f"/api/v1/stories/{story['id']}", headers=bearer(sam))
    assert gone.status_code == 204, gone.text
    assert photo_files(admin.org_id) == []


async def test_an_erased_persons_photos_leave_the_store(client):
    from tests.test_stories import make_challenge, write_story

    admin = await signup(client)
    ella = await add_member(client, admin)
    challenge = await make_challenge(client, admin)
    await write_story(client, ella, challenge)
    await put_photo(client, ella, challenge)
    assert len(photo_files(admin.org_id)) == 1
    erased = await client.delete(f"/api/v1/admin/users/{ella.user_id}", headers=bearer(admin))
    assert erased.status_code in (200, 204), erased.text
    assert photo_files(admin.org_id) == []


async def test_a_photo_stored_before_the_store_is_still_served(client):
    """Photos kept in the database before the media store keep their bytes and their URL."""
    from tests.test_stories import make_challenge, write_story

    admin = await signup(client)
    sam = await add_member(client, admin)
    challenge = await make_challenge(client, admin)
    await write_story(client, sam, challenge)
    url = await put_photo(client, sam, challenge)
    [stored] = photo_files(admin.org_id)
    old_bytes = stored.read_bytes()
    # as a row written before the store was: the bytes in `data`, no key
    await StoryPhoto.raw(
        "UPDATE story_photo SET data = {}, storage_key = NULL WHERE owner = {}",
        old_bytes,
        sam.user_id,
    )
    stored.unlink()
    served = await client.get(url, headers=bearer(sam))
    assert served.status_code == 200 and served.content == old_bytes
