import uuid
from datetime import UTC, datetime, timedelta

import pytest

from backend.challenges.tables import Challenge, Pillar
from backend.core import clock
from tests.helpers import (
    add_member,
    assert_problem,
    bearer,
    challenge_body,
    create_challenge,
    create_team,
    signup,
)


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


async def test_admin_creates_publishes_and_employees_see_it(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    draft = await create_challenge(client, admin, publish=False)
    assert draft["status"] == "draft"
    assert draft["slug"] == "share-our-launch-post"
    assert draft["hashtags"] == ["launch", "chorus"]
    assert draft["clickPointsCap"] == 20  # ten clicks' worth by default
    assert draft["preview"]["status"] == "pending"
    listed = (await client.get("/api/v1/challenges", headers=bearer(employee))).json()
    assert listed["items"] == []  # drafts are the admin's alone
    published = (
        await client.post(f"/api/v1/admin/challenges/{draft['id']}/publish", headers=bearer(admin))
    ).json()
    assert published["status"] == "active"
    assert published["publishedAt"] is not None
    listed = (await client.get("/api/v1/challenges", headers=bearer(employee))).json()
    assert [c["id"] for c in listed["items"]] == [draft["id"]]
    assert listed["items"][0]["myStatus"] == "todo"
    one = await client.get(f"/api/v1/challenges/{draft['id']}", headers=bearer(employee))
    assert one.status_code == 200
    assert one.json()["title"] == "Share our launch post"
    admin_list = (await client.get("/api/v1/admin/challenges", headers=bearer(admin))).json()
    assert [c["status"] for c in admin_list["items"]] == ["active"]


async def test_lifecycle_is_computed_on_read_without_any_job(client, monkeypatch):
    admin = await signup(client)
    employee = await add_member(client, admin)
    start, end = datetime.now(UTC) + timedelta(days=1), datetime.now(UTC) + timedelta(days=2)
    challenge = await create_challenge(
        client, admin, startsAt=start.isoformat(), endsAt=end.isoformat()
    )
    assert challenge["status"] == "scheduled"
    assert (await client.get("/api/v1/challenges", headers=bearer(employee))).json()["items"] == []
    for at, status, listed in [
        (start + timedelta(seconds=1), "active", True),
        (end, "ended", False),
        (end + timedelta(days=30), "ended", False),
    ]:
        monkeypatch.setattr(clock, "now", lambda at=at: at)
        one = (
            await client.get(f"/api/v1/admin/challenges/{challenge['id']}", headers=bearer(admin))
        ).json()
        assert one["status"] == status
        items = (await client.get("/api/v1/challenges", headers=bearer(employee))).json()["items"]
        assert bool(items) is listed
    assert (await Challenge.select(Challenge.state).first())["state"] == "published"


async def test_audience_teams_decide_who_sees_a_challenge(client):
    admin = await signup(client)
    sales = await create_team(client, admin, "Sales")
    support = await create_team(client, admin, "Support")
    seller = await add_member(client, admin, team_id=sales["id"])
    helper = await add_member(client, admin, team_id=support["id"])
    loner = await add_member(client, admin)
    targeted = await create_challenge(client, admin, title="Sales only", teamIds=[sales["id"]])
    everyone = await create_challenge(client, admin, title="For everyone")
    for person, expected in [
        (seller, {targeted["id"], everyone["id"]}),
        (helper, {everyone["id"]}),
        (loner, {everyone["id"]}),
    ]:
        items = (await client.get("/api/v1/challenges", headers=bearer(person))).json()["items"]
        assert {c["id"] for c in items} == expected
    for outsider in (helper, loner):
        resp = await client.get(f"/api/v1/challenges/{targeted['id']}", headers=bearer(outsider))
        assert_problem(resp, 404)
        resp = await client.post(
            f"/api/v1/challenges/{targeted['id']}/share-links",
            json={"network": "linkedin"},
            headers=bearer(outsider),
        )
        assert_problem(resp, 404)


@pytest.mark.parametrize(
    ("overrides", "status", "phrase"),
    [
        ({"endsAt": iso(timedelta(hours=-2))}, 422, "after the start"),
        ({"contentUrl": "javascript:alert(1)"}, 422, "article's link"),
        ({"contentUrl": "ftp://example.com/file"}, 422, "article's link"),
        ({"contentUrl": "https://user:pw@example.com/"}, 422, "article's link"),
        ({"contentUrl": "file:///etc/passwd"}, 422, "article's link"),
        ({"networks": ["myspace"]}, 400, ""),
        ({"networks": []}, 400, ""),
        ({"points": -1}, 400, ""),
        ({"points": 10_001}, 400, ""),
        ({"clickPoints": 5000}, 400, ""),
        ({"startsAt": "2026-01-01T10:00:00"}, 400, ""),  # no timezone
        ({"shareText": {"linkedin": "x" * 3001}}, 400, ""),
        ({"shareText": {"x": "y" * 250}}, 422, "x allows 280"),
        ({"hashtags": ["not a tag"]}, 400, ""),
        ({"kind": "poll"}, 400, ""),
        ({"verification": "vibes"}, 400, ""),
        ({"title": "   "}, 422, "blank"),
        ({"teamIds": [str(uuid.uuid4())]}, 404, "teamids"),
        ({"pillarId": str(uuid.uuid4())}, 404, "pillar"),
    ],
)
async def test_invalid_challenges_are_refused_and_nothing_is_written(
    client, overrides, status, phrase
):
    admin = await signup(client)
    resp = await client.post(
        "/api/v1/admin/challenges", json=challenge_body(**overrides), headers=bearer(admin)
    )
    assert_problem(resp, status, detail_contains=phrase)
    assert await Challenge.count() == 0


async def test_x_posts_count_the_link_as_23_characters(client):
    admin = await signup(client)
    # 280 - 23 (link) - len(" #launch #chorus") - 1 space = 240 characters of text fit.
    fits = "a" * 240
    ok = await client.post(
        "/api/v1/admin/challenges",
        json=challenge_body(shareText={"x": fits}),
        headers=bearer(admin),
    )
    assert ok.status_code == 201, ok.text
    too_long = await client.post(
        "/api/v1/admin/challenges",
        json=challenge_body(shareText={"x": fits + "a"}, title="Another"),
        headers=bearer(admin),
    )
    assert_problem(too_long, 422)


async def test_titles_that_slug_alike_get_distinct_slugs(client):
    admin = await signup(client)
    first = await create_challenge(client, admin, publish=False, title="Big News!")
    second = await create_challenge(client, admin, publish=False, title="Big news")
    assert first["slug"] == "big-news"
    assert second["slug"].startswith("big-news-")
    other = await signup(client, org="Other")
    theirs = await create_challenge(client, other, publish=False, title="Big News!")
    assert theirs["slug"] == "big-news"  # slugs are unique per organization only


async def test_drafts_change_freely_published_ones_only_safely(client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin, publish=False)
    path = f"/api/v1/admin/challenges/{challenge['id']}"
    draft_edit = await client.patch(
        path, json={"points": 80, "networks": ["linkedin", "facebook"]}, headers=bearer(admin)
    )
    assert draft_edit.status_code == 200
    assert (draft_edit.json()["points"], draft_edit.json()["networks"]) == (
        80,
        ["linkedin", "facebook"],
    )
    await client.post(f"{path}/publish", headers=bearer(admin))
    locked = await client.patch(path, json={"points": 500}, headers=bearer(admin))
    assert_problem(locked, 409, detail_contains="points")
    safe = await client.patch(
        path,
        json={
            "title": "Share our launch post (updated)",
            "description": "New words",
            "shareText": {"linkedin": "Even prouder now."},
            "endsAt": iso(timedelta(days=10)),
        },
        headers=bearer(admin),
    )
    assert safe.status_code == 200, safe.text
    assert safe.json()["shareText"]["linkedin"] == "Even prouder now."
    past = await client.patch(
        path, json={"endsAt": iso(timedelta(hours=-1))}, headers=bearer(admin)
    )
    assert 400 <= past.status_code < 500
    row = await Challenge.select(Challenge.points, Challenge.title).first()
    assert row == {"points": 80, "title": "Share our launch post (updated)"}


async def test_publish_unpublish_archive_transitions(client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin, publish=False)
    path = f"/api/v1/admin/challenges/{challenge['id']}"
    assert (await client.post(f"{path}/publish", headers=bearer(admin))).json()[
        "status"
    ] == "active"
    again = await client.post(f"{path}/publish", headers=bearer(admin))
    assert again.status_code == 200  # asking twice is harmless
    assert (await client.post(f"{path}/unpublish", headers=bearer(admin))).json()["status"] == (
        "draft"
    )
    archived = await client.post(f"{path}/archive", headers=bearer(admin))
    assert archived.json()["status"] == "archived"
    assert_problem(await client.post(f"{path}/publish", headers=bearer(admin)), 409)
    assert_problem(await client.patch(path, json={"title": "x"}, headers=bearer(admin)), 409)


async def test_a_challenge_whose_end_has_passed_cannot_be_published(client, monkeypatch):
    admin = await signup(client)
    challenge = await create_challenge(client, admin, publish=False)
    later = datetime.now(UTC) + timedelta(days=8)
    monkeypatch.setattr(clock, "now", lambda: later)
    resp = await client.post(
        f"/api/v1/admin/challenges/{challenge['id']}/publish", headers=bearer(admin)
    )
    assert_problem(resp, 422, detail_contains="end date has passed")


async def test_challenge_endpoints_guard_roles_and_organizations(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    lead = await add_member(client, admin, role="lead")
    challenge = await create_challenge(client, admin)
    base = f"/api/v1/admin/challenges/{challenge['id']}"
    admin_calls = [
        ("POST", "/api/v1/admin/challenges", challenge_body(title="New")),
        ("GET", "/api/v1/admin/challenges", None),
        ("GET", base, None),
        ("PATCH", base, {"title": "Hijacked"}),
        ("POST", f"{base}/publish", None),
        ("POST", f"{base}/unpublish", None),
        ("POST", f"{base}/archive", None),
        ("GET", f"{base}/clicks", None),
        ("POST", "/api/v1/admin/pillars", {"title": "T", "message": "M"}),
    ]
    for caller in (employee, lead):
        for method, path, body in admin_calls:
            assert_problem(
                await client.request(method, path, json=body, headers=bearer(caller)), 403
            )
    other = await signup(client, org="Other")
    their_employee = await add_member(client, other)
    for method, path, body in admin_calls[2:8]:
        assert_problem(await client.request(method, path, json=body, headers=bearer(other)), 404)
    assert_problem(
        await client.get(f"/api/v1/challenges/{challenge['id']}", headers=bearer(their_employee)),
        404,
    )
    assert (await client.get("/api/v1/challenges", headers=bearer(their_employee))).json()[
        "items"
    ] == []
    row = await Challenge.select(Challenge.title, Challenge.state).first()
    assert row == {"title": "Share our launch post", "state": "published"}


async def test_pillars_are_the_organizations_narrative(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    created = await client.post(
        "/api/v1/admin/pillars",
        json={"title": "Customers first", "message": "Every feature starts with a customer."},
        headers=bearer(admin),
    )
    assert created.status_code == 201
    pillar = created.json()
    dup = await client.post(
        "/api/v1/admin/pillars",
        json={"title": "Customers first", "message": "Again"},
        headers=bearer(admin),
    )
    assert_problem(dup, 409)
    challenge = await create_challenge(client, admin, pillarId=pillar["id"])
    assert challenge["pillar"] == {"id": pillar["id"], "title": "Customers first"}
    assert (await client.get("/api/v1/pillars", headers=bearer(employee))).json() == [pillar]
    renamed = await client.patch(
        f"/api/v1/admin/pillars/{pillar['id']}",
        json={"title": "Customers, always"},
        headers=bearer(admin),
    )
    assert renamed.json()["title"] == "Customers, always"
    other = await signup(client, org="Other")
    for method, body in (("PATCH", {"title": "Mine"}), ("DELETE", None)):
        resp = await client.request(
            method, f"/api/v1/admin/pillars/{pillar['id']}", json=body, headers=bearer(other)
        )
        assert_problem(resp, 404)
    gone = await client.delete(f"/api/v1/admin/pillars/{pillar['id']}", headers=bearer(admin))
    assert gone.status_code == 204
    after = (
        await client.get(f"/api/v1/challenges/{challenge['id']}", headers=bearer(employee))
    ).json()
    assert after["pillar"] is None  # the challenge stays, without its pillar
    assert await Pillar.count() == 0


async def test_admin_challenge_list_pages_newest_first(client):
    admin = await signup(client)
    titles = [f"Challenge {i}" for i in range(5)]
    for title in titles:
        await create_challenge(client, admin, publish=False, title=title)
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (
            await client.get("/api/v1/admin/challenges", params=params, headers=bearer(admin))
        ).json()
        seen += [c["title"] for c in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == list(reversed(titles))


async def test_the_employees_list_follows_a_renamed_pillar_and_a_stored_preview_at_once(client):
    """The list is served from the process's memory; what the cards show of a pillar or a
    preview changes with them (backend/challenges/cache.py)."""
    from backend.challenges import service

    admin = await signup(client)
    employee = await add_member(client, admin)
    pillar = (
        await client.post(
            "/api/v1/admin/pillars",
            json={"title": "Customers first", "message": "Why we do it."},
            headers=bearer(admin),
        )
    ).json()
    challenge = await create_challenge(client, admin, pillarId=pillar["id"])

    async def card() -> dict:
        for _ in range(2):  # the second read is the one served from memory
            listed = await client.get("/api/v1/challenges", headers=bearer(employee))
        return listed.json()["items"][0]

    assert (await card())["pillar"]["title"] == "Customers first"
    renamed = await client.patch(
        f"/api/v1/admin/pillars/{pillar['id']}",
        json={"title": "Customers always"},
        headers=bearer(admin),
    )
    assert renamed.status_code == 200
    assert (await card())["pillar"]["title"] == "Customers always"
    stored = await service.store_preview(
        uuid.UUID(challenge["id"]),
        challenge["contentUrl"],
        title="We launched",
        description="What we shipped.",
        image_url=None,
        ok=True,
    )
    assert stored
    shown = await card()
    assert (shown["previewStatus"], shown["preview"]["title"]) == ("ok", "We launched")
