"""Story challenges through the API: draft → photo (EXIF gone) → submit → approve → public page
with Open Graph tags → share → verified points once; trust, rejection, unpublishing, deletion."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from backend.community.tables import Story
from tests.fakes import linkedin_page
from tests.helpers import add_member, assert_problem, bearer, run_worker_burst, signup

POST_URL = "https://www.linkedin.com/posts/sam-member_story-activity-7200000000000000321-StOr"


def story_challenge(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "kind": "story",
        "title": "A customer's day got better",
        "description": "Tell us about a moment your work made a customer's day better.",
        "points": 40,
        "startsAt": (now - timedelta(hours=1)).isoformat(),
        "endsAt": (now + timedelta(days=7)).isoformat(),
        "verification": "review",
    }
    body.update(overrides)
    return body


async def make_challenge(client: Any, admin: Any, **overrides: Any) -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/admin/challenges", json=story_challenge(**overrides), headers=bearer(admin)
    )
    assert resp.status_code == 201, resp.text
    published = await client.post(
        f"/api/v1/admin/challenges/{resp.json()['id']}/publish", headers=bearer(admin)
    )
    assert published.status_code == 200, published.text
    return published.json()  # type: ignore[no-any-return]


def photo_with_location() -> bytes:
    image = Image.new("RGB", (3000, 2000), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model 12"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 24.0)
    gps[3] = "E"
    gps[4] = (2.0, 21.0, 3.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


async def write_story(
    client: Any, who: Any, challenge: dict[str, Any], **body: Any
) -> dict[str, Any]:
    payload = {
        "title": "The pharmacy that stayed open",
        "body": "When the outage hit, we...",
        **body,
    }
    resp = await client.put(
        f"/api/v1/challenges/{challenge['id']}/story", json=payload, headers=bearer(who)
    )
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def test_the_whole_story_path(client, network, app):
    admin = await signup(client, org="Acme")
    sam = await add_member(client, admin, name="Sam Member")
    challenge = await make_challenge(client, admin)
    assert (challenge["kind"], challenge["contentUrl"], challenge["networks"]) == (
        "story",
        "",
        ["linkedin", "x", "facebook"],
    )

    draft = await write_story(client, sam, challenge)
    assert (draft["status"], draft["publicUrl"]) == ("draft", None)
    raw = photo_with_location()
    assert b"Exif" in raw and b"PhoneMaker" in raw
    resp = await client.put(
        f"/api/v1/challenges/{challenge['id']}/story/photo",
        content=raw,
        headers={**bearer(sam), "Content-Type": "image/jpeg"},
    )
    assert resp.status_code == 200, resp.text
    stored = (await client.get(resp.json()["photoUrl"], headers=bearer(sam))).content
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.format == "JPEG" and max(kept.size) == 1280 and len(kept.getexif()) == 0

    submitted = (
        await client.post(f"/api/v1/challenges/{challenge['id']}/story/submit", headers=bearer(sam))
    ).json()
    assert submitted["status"] == "submitted"
    slug = submitted["slug"]
    assert (await client.get(f"/stories/{slug}")).status_code == 404
    assert_problem(
        await client.post(
            f"/api/v1/challenges/{challenge['id']}/share-links",
            json={"network": "linkedin"},
            headers=bearer(sam),
        ),
        409,
    )
    queue = (await client.get("/api/v1/admin/stories", headers=bearer(admin))).json()
    assert [(s["title"], s["status"], s["authorName"]) for s in queue] == [
        ("The pharmacy that stayed open", "submitted", "Sam Member")
    ]
    assert (
        await client.post(
            f"/api/v1/admin/stories/{submitted['id']}/approve", json={}, headers=bearer(admin)
        )
    ).status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(sam))).json()["points"] >= 40

    page = await client.get(f"/stories/{slug}")
    assert page.status_code == 200
    html = page.text
    assert '<meta property="og:title" content="The pharmacy that stayed open">' in html
    assert '<meta property="og:type" content="article">' in html
    assert (
        f'<meta property="og:image" content="http://testserver/stories/{slug}/photo.jpg">' in html
    )
    assert "Sam Member" in html and "Acme" in html
    assert "default-src 'none'" in page.headers["content-security-policy"]
    photo = await client.get(f"/stories/{slug}/photo.jpg")
    assert (
        photo.status_code == 200
        and photo.headers["content-type"] == "image/jpeg"
        and b"Exif" not in photo.content
    )

    feed = (await client.get("/api/v1/feed", headers=bearer(admin))).json()
    stories = [i for i in feed["items"] if i["kind"] == "story"]
    assert [(i["story"]["title"], i["actor"]["displayName"]) for i in stories] == [
        ("The pharmacy that stayed open", "Sam Member")
    ]

    link = (
        await client.post(
            f"/api/v1/challenges/{challenge['id']}/share-links",
            json={"network": "linkedin"},
            headers=bearer(sam),
        )
    ).json()
    assert "The pharmacy that stayed open" in link["shareText"]
    hop = await client.get(f"/s/{link['code']}", headers={"User-Agent": "Mozilla/5.0"})
    assert hop.status_code == 302 and hop.headers["location"].startswith(
        f"http://testserver/stories/{slug}?"
    )
    network.linkedin_post(
        POST_URL.removeprefix("https://www.linkedin.com"),
        linkedin_page(f"My story {link['trackedUrl']}"),
    )
    before = (await client.get("/api/v1/me", headers=bearer(sam))).json()["points"]
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": POST_URL},
        headers=bearer(sam),
    )
    assert resp.status_code == 202, resp.text
    await run_worker_burst()
    mine = (
        await client.get(f"/api/v1/submissions/{resp.json()['id']}", headers=bearer(sam))
    ).json()
    assert (mine["status"], mine["pointsAwarded"]) == ("verified", 40)
    assert (await client.get("/api/v1/me", headers=bearer(sam))).json()["points"] >= before + 40
    again = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": POST_URL},
        headers=bearer(sam),
    )
    assert_problem(again, 409)

    assert (
        await client.post(
            f"/api/v1/admin/stories/{submitted['id']}/feature", json={}, headers=bearer(admin)
        )
    ).status_code == 204
    assert (
        await client.post(
            f"/api/v1/admin/stories/{submitted['id']}/feature", json={}, headers=bearer(admin)
        )
    ).status_code == 204
    ledger = await Story.raw(
        'SELECT reason, delta FROM points_ledger WHERE "user" = {} ORDER BY id', sam.user_id
    )
    assert [(r["reason"], r["delta"]) for r in ledger if r["reason"] in ("story", "featured")] == [
        ("story", 40),
        ("featured", 25),
    ]
    feed = (await client.get("/api/v1/feed", headers=bearer(sam))).json()
    assert feed["featured"]["story"]["title"] == "The pharmacy that stayed open"
    inbox = (await client.get("/api/v1/notifications", headers=bearer(sam))).json()["items"]
    assert "Your story is the story of the week" in [n["title"] for n in inbox]

    points = (await client.get("/api/v1/me", headers=bearer(sam))).json()["points"]
    assert (
        await client.post(f"/api/v1/stories/{submitted['id']}/unpublish", headers=bearer(sam))
    ).status_code == 204
    assert (await client.get(f"/stories/{slug}")).status_code == 404
    assert (await client.get(f"/stories/{slug}/photo.jpg")).status_code == 404
    assert (await client.get("/api/v1/me", headers=bearer(sam))).json()["points"] == points
    assert [
        i
        for i in (await client.get("/api/v1/feed", headers=bearer(sam))).json()["items"]
        if i["kind"] == "story"
    ] == []


async def test_trust_publishes_at_once_and_a_rejection_comes_back_with_a_note(client):
    admin = await signup(client)
    sam = await add_member(client, admin)
    trusted = await make_challenge(client, admin, verification="trust", title="Trusted story")
    await write_story(client, sam, trusted)
    done = (
        await client.post(f"/api/v1/challenges/{trusted['id']}/story/submit", headers=bearer(sam))
    ).json()
    assert done["status"] == "published" and done["publicUrl"].endswith(done["slug"])

    reviewed = await make_challenge(client, admin, title="Reviewed story")
    await write_story(client, sam, reviewed)
    story = (
        await client.post(f"/api/v1/challenges/{reviewed['id']}/story/submit", headers=bearer(sam))
    ).json()
    resp = await client.post(
        f"/api/v1/admin/stories/{story['id']}/reject",
        json={"note": "Please leave out the client's name."},
        headers=bearer(admin),
    )
    assert resp.status_code == 204
    back = (
        await client.get(f"/api/v1/challenges/{reviewed['id']}/story", headers=bearer(sam))
    ).json()
    assert (back["status"], back["reviewNote"]) == (
        "rejected",
        "Please leave out the client's name.",
    )
    assert "About your story" in [
        n["title"]
        for n in (await client.get("/api/v1/notifications", headers=bearer(sam))).json()["items"]
    ]
    edited = await write_story(client, sam, reviewed, body="When the outage hit, a pharmacy...")
    assert edited["status"] == "draft"


async def test_a_story_can_be_deleted_by_its_author_only(client):
    admin = await signup(client)
    sam = await add_member(client, admin)
    other = await add_member(client, admin)
    challenge = await make_challenge(client, admin, verification="trust")
    await write_story(client, sam, challenge)
    story = (
        await client.post(f"/api/v1/challenges/{challenge['id']}/story/submit", headers=bearer(sam))
    ).json()
    assert_problem(
        await client.delete(f"/api/v1/stories/{story['id']}", headers=bearer(other)), 403
    )
    assert_problem(
        await client.post(f"/api/v1/stories/{story['id']}/unpublish", headers=bearer(other)), 403
    )
    assert (
        await client.delete(f"/api/v1/stories/{story['id']}", headers=bearer(sam))
    ).status_code == 204
    assert (await client.get(f"/stories/{story['slug']}")).status_code == 404
    assert await Story.raw("SELECT 1 FROM story") == []


async def test_people_text_on_the_public_page_is_escaped(client):
    admin = await signup(client, org="<b>Org</b>")
    sam = await add_member(client, admin, name="<script>alert(1)</script>")
    challenge = await make_challenge(client, admin, verification="trust")
    await write_story(
        client, sam, challenge, title='"><img src=x onerror=alert(1)>', body="<iframe src=//evil>"
    )
    story = (
        await client.post(f"/api/v1/challenges/{challenge['id']}/story/submit", headers=bearer(sam))
    ).json()
    html = (await client.get(f"/stories/{story['slug']}")).text
    for raw in ("<script>alert(1)", "<img src=x", "<iframe", "<b>Org</b>"):
        assert raw not in html
    assert "&lt;script&gt;" in html and "&lt;iframe src=//evil&gt;" in html


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"verification": "auto"}, 422),
        ({"kind": "essay"}, 400),
        ({"points": "40"}, 400),
    ],
)
async def test_bad_story_challenges_are_refused(client, overrides, status):
    admin = await signup(client)
    resp = await client.post(
        "/api/v1/admin/challenges", json=story_challenge(**overrides), headers=bearer(admin)
    )
    assert_problem(resp, status)


async def test_a_share_challenge_still_needs_its_url_and_networks(client):
    admin = await signup(client)
    body = {k: v for k, v in story_challenge(kind="share", verification="auto").items()}
    assert_problem(
        await client.post("/api/v1/admin/challenges", json=body, headers=bearer(admin)),
        422,
        detail_contains="article",
    )
    body["contentUrl"] = "https://example.com/news"
    assert_problem(
        await client.post("/api/v1/admin/challenges", json=body, headers=bearer(admin)),
        422,
        detail_contains="where this challenge is shared",
    )


@pytest.mark.parametrize(
    ("content", "kind", "status"),
    [
        (b"not an image at all", "image/jpeg", 422),
        (b"GIF89a" + b"\x00" * 20, "image/jpeg", 422),
        (b"", "image/png", 422),
        (b"\xff\xd8\xff" + b"\x00" * 100, "text/plain", 422),
        (b"\x00" * (8 * 1024 * 1024 + 10), "image/jpeg", 413),
    ],
)
async def test_bad_photos_are_refused_and_nothing_is_kept(client, content, kind, status):
    admin = await signup(client)
    sam = await add_member(client, admin)
    challenge = await make_challenge(client, admin)
    await write_story(client, sam, challenge)
    resp = await client.put(
        f"/api/v1/challenges/{challenge['id']}/story/photo",
        content=content,
        headers={**bearer(sam), "Content-Type": kind},
    )
    assert_problem(resp, status)
    assert await Story.raw("SELECT 1 FROM story_photo") == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"title": "", "body": "x"}, 400),
        ({"title": "t", "body": "x" * 5001}, 400),
        ({"title": 5, "body": "x"}, 400),
        ({"title": "t"}, 400),
        ({"title": "t", "body": "x", "status": "published"}, 400),
        ({"title": "t", "body": "bad\u0000"}, 422),
    ],
)
async def test_bad_drafts_are_refused(client, body, status):
    admin = await signup(client)
    sam = await add_member(client, admin)
    challenge = await make_challenge(client, admin)
    resp = await client.put(
        f"/api/v1/challenges/{challenge['id']}/story", json=body, headers=bearer(sam)
    )
    assert_problem(resp, status)
    assert await Story.raw("SELECT 1 FROM story") == []


async def test_stories_stay_inside_their_organization(client):
    admin = await signup(client)
    sam = await add_member(client, admin)
    challenge = await make_challenge(client, admin)
    await write_story(client, sam, challenge)
    story = (
        await client.post(f"/api/v1/challenges/{challenge['id']}/story/submit", headers=bearer(sam))
    ).json()
    stranger = await signup(client, org="Other")
    assert_problem(
        await client.get(f"/api/v1/challenges/{challenge['id']}/story", headers=bearer(stranger)),
        404,
    )
    assert_problem(
        await client.put(
            f"/api/v1/challenges/{challenge['id']}/story",
            json={"title": "t", "body": "b"},
            headers=bearer(stranger),
        ),
        404,
    )
    assert_problem(
        await client.post(
            f"/api/v1/admin/stories/{story['id']}/approve", json={}, headers=bearer(stranger)
        ),
        404,
    )
    assert_problem(
        await client.post(
            f"/api/v1/admin/stories/{story['id']}/approve", json={}, headers=bearer(sam)
        ),
        403,
    )
    assert (await client.get("/api/v1/admin/stories", headers=bearer(stranger))).json() == []
