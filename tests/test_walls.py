"""Office walls: an admin makes a secret URL, revokes it; the wall's page, data and live
stream answer without a session to the secret alone, show nobody who hides from boards, and
stop within seconds of a revocation. The secret is stored only as a keyed hash."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from typing import Any
from uuid import uuid4

import httpx
import pytest

from backend.pwa import CONTENT_SECURITY_POLICY
from backend.walls.tables import Wall
from tests.helpers import (
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    create_team,
    ledger_award,
    signup,
)
from tests.test_live import served
from tests.test_stories import make_challenge, write_story

POST_PREFIX = "https://www.linkedin.com/feed/update/urn:li:activity:"
SECRET_URL = re.compile(r"^http://testserver/wall/([A-Za-z0-9_-]{43})$")


async def make_wall(client: Any, admin: Any, **body: Any) -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/admin/walls", json={"name": "Lobby screen", **body}, headers=bearer(admin)
    )
    assert resp.status_code == 201, resp.text
    made: dict[str, Any] = resp.json()
    found = SECRET_URL.match(made["url"])
    assert found, made["url"]
    made["secret"] = found.group(1)
    return made


async def verified_share(client: Any, admin: Any, who: Any, challenge: dict[str, Any]) -> str:
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={
            "network": "linkedin",
            "postUrl": f"{POST_PREFIX}{uuid4().int % 10**12}",
        },
        headers=bearer(who),
    )
    assert resp.status_code == 202, resp.text
    approved = await client.post(
        f"/api/v1/admin/submissions/{resp.json()['id']}/approve", json={}, headers=bearer(admin)
    )
    assert approved.status_code == 200, approved.text
    return str(resp.json()["id"])


async def hide(client: Any, who: Any) -> None:
    resp = await client.patch(
        "/api/v1/me", json={"hideFromLeaderboards": True}, headers=bearer(who)
    )
    assert resp.status_code == 200, resp.text


# -- the admin's walls -----------------------------------------------------------------------


async def test_an_admin_makes_lists_and_revokes_a_wall_whose_url_is_shown_once(client):
    admin = await signup(client, org="Acme")
    made = await make_wall(client, admin)
    assert set(made) - {"secret"} == {"id", "name", "url", "teamId", "period", "createdAt"}
    assert (made["name"], made["teamId"], made["period"]) == ("Lobby screen", None, "week")

    listed = (await client.get("/api/v1/admin/walls", headers=bearer(admin))).json()
    assert [w["id"] for w in listed] == [made["id"]]
    assert set(listed[0]) == {
        "id",
        "name",
        "teamId",
        "teamName",
        "period",
        "createdAt",
        "lastSeenAt",
        "revokedAt",
    }
    assert listed[0]["lastSeenAt"] is None and listed[0]["revokedAt"] is None
    assert made["secret"] not in json.dumps(listed)

    # opening it is seen (to the minute)
    assert (await client.get(f"/api/v1/walls/{made['secret']}")).status_code == 200
    listed = (await client.get("/api/v1/admin/walls", headers=bearer(admin))).json()
    assert listed[0]["lastSeenAt"] is not None

    gone = await client.delete(f"/api/v1/admin/walls/{made['id']}", headers=bearer(admin))
    assert gone.status_code == 204
    listed = (await client.get("/api/v1/admin/walls", headers=bearer(admin))).json()
    assert listed[0]["revokedAt"] is not None
    assert_problem(
        await client.delete(f"/api/v1/admin/walls/{made['id']}", headers=bearer(admin)), 404
    )
    assert_problem(await client.get(f"/api/v1/walls/{made['secret']}"), 404)
    assert_problem(await client.get(f"/api/v1/walls/{made['secret']}/events"), 404)
    page = await client.get(f"/wall/{made['secret']}")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")


async def test_the_secret_is_stored_only_as_a_keyed_hash(client):
    admin = await signup(client)
    secrets_made = [(await make_wall(client, admin, name=f"Wall {n}"))["secret"] for n in range(3)]
    rows = await Wall.raw("SELECT row_to_json(w)::text AS line FROM wall w")
    dump = "\n".join(row["line"] for row in rows)
    assert len(rows) == 3
    for secret in secrets_made:
        assert secret not in dump
        assert hashlib.sha256(secret.encode()).hexdigest() not in dump  # not a plain digest
    assert len({s for s in secrets_made}) == 3


async def test_a_post_with_the_same_idempotency_key_makes_one_wall(client):
    admin = await signup(client)
    headers = {**bearer(admin), "Idempotency-Key": str(uuid4())}
    first, again = [
        await client.post("/api/v1/admin/walls", json={"name": "Kitchen"}, headers=headers)
        for _ in range(2)
    ]
    assert first.status_code == 201, first.text
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert await Wall.count() == 1
    other = await client.post("/api/v1/admin/walls", json={"name": "Hall"}, headers=headers)
    assert_problem(other, 422, detail_contains="Idempotency-Key")
    assert await Wall.count() == 1


async def test_only_admins_manage_walls_and_only_their_own_organizations(client):
    admin = await signup(client, org="Acme")
    member = await add_member(client, admin)
    made = await make_wall(client, admin)
    for method, path, body in [
        ("POST", "/api/v1/admin/walls", {"name": "Mine"}),
        ("GET", "/api/v1/admin/walls", None),
        ("DELETE", f"/api/v1/admin/walls/{made['id']}", None),
    ]:
        assert_problem(await client.request(method, path, json=body, headers=bearer(member)), 403)
        assert_problem(await client.request(method, path, json=body), 401)
    stranger = await signup(client, org="Other")
    assert_problem(
        await client.delete(f"/api/v1/admin/walls/{made['id']}", headers=bearer(stranger)), 404
    )
    assert (await client.get("/api/v1/admin/walls", headers=bearer(stranger))).json() == []
    assert_problem(
        await client.delete(f"/api/v1/admin/walls/{uuid4()}", headers=bearer(admin)), 404
    )
    # the wall still works
    assert (await client.get(f"/api/v1/walls/{made['secret']}")).status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"name": 5}, 400),
        ({"name": None}, 400),
        ({"name": ["Lobby"]}, 400),
        ({"name": "x" * 81}, 400),
        ({"name": "x" * 5000}, 400),
        ({"name": "   "}, 422),
        ({"name": "bell\x07"}, 422),
        ({"name": "Lobby", "teamId": "not-a-uuid"}, 400),
        ({"name": "Lobby", "teamId": 7}, 400),
        ({"name": "Lobby", "period": "year"}, 400),
        ({"name": "Lobby", "isAdmin": True}, 400),
        ({"name": "Lobby", "teamId": str(uuid4())}, 404),
    ],
)
async def test_bad_wall_bodies_are_refused_and_make_nothing(client, body, status):
    admin = await signup(client)
    resp = await client.post("/api/v1/admin/walls", json=body, headers=bearer(admin))
    assert_problem(resp, status)
    assert await Wall.count() == 0


async def test_another_organizations_team_is_not_a_team_of_mine(client):
    admin = await signup(client, org="Acme")
    stranger = await signup(client, org="Other")
    theirs = await create_team(client, stranger, "Their team")
    resp = await client.post(
        "/api/v1/admin/walls", json={"name": "Lobby", "teamId": theirs["id"]}, headers=bearer(admin)
    )
    assert_problem(resp, 404)
    assert await Wall.count() == 0


# -- what the wall shows ---------------------------------------------------------------------


async def test_the_wall_shows_the_board_teams_story_and_shares_and_nobody_hidden(client):
    admin = await signup(client, org="Acme", name="Ann Admin")
    team = await create_team(client, admin, "Sales")
    sam = await add_member(client, admin, name="Sam Seller", team_id=team["id"])
    hal = await add_member(client, admin, name="Hal Hidden", team_id=team["id"])
    pat = await add_member(client, admin, name="Pat Peer")
    await hide(client, hal)
    challenge = await create_challenge(
        client, admin, verification="review", title="Share the launch", points=50
    )
    for who in (hal, sam, pat):
        await verified_share(client, admin, who, challenge)
    # Hal leads: the wall must not show a gap at #1 either
    await ledger_award(hal.org_id, hal.user_id, 5000, team_id=team["id"])
    await ledger_award(pat.org_id, pat.user_id, 1000)

    story_challenge = await make_challenge(client, admin, verification="trust")
    await write_story(client, sam, story_challenge, title="Our best week", body="We " * 200)
    story = (
        await client.post(
            f"/api/v1/challenges/{story_challenge['id']}/story/submit", headers=bearer(sam)
        )
    ).json()
    featured = await client.post(
        f"/api/v1/admin/stories/{story['id']}/feature", headers=bearer(admin)
    )
    assert featured.status_code == 204, featured.text

    wall = await make_wall(client, admin)
    resp = await client.get(f"/api/v1/walls/{wall['secret']}")
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-store"
    data = resp.json()
    assert set(data) == {
        "orgName",
        "wallName",
        "teamName",
        "period",
        "periodId",
        "board",
        "teams",
        "story",
        "shares",
        "generatedAt",
    }
    assert (data["orgName"], data["wallName"], data["teamName"], data["period"]) == (
        "Acme",
        "Lobby screen",
        None,
        "week",
    )
    board = data["board"]
    assert [p["displayName"] for p in board] == ["Pat Peer", "Sam Seller"]
    assert [p["rank"] for p in board] == [1, 2]
    assert board[0]["points"] > board[1]["points"]
    assert set(board[0]) == {
        "key",
        "rank",
        "displayName",
        "initials",
        "colour",
        "teamName",
        "points",
    }
    assert [t["name"] for t in data["teams"]] == ["Sales"]
    assert data["story"]["title"] == "Our best week"
    assert data["story"]["authorFirstName"] == "Sam"
    assert len(data["story"]["excerpt"]) <= 220
    shares = data["shares"]
    assert {s["displayName"] for s in shares} == {"Sam Seller", "Pat Peer"}
    assert all(s["challengeTitle"] == "Share the launch" for s in shares)
    assert all(s["network"] == "linkedin" for s in shares)
    assert shares == sorted(shares, key=lambda s: s["verifiedAt"], reverse=True)

    # nothing anywhere names the hidden person, nor anyone's id or email
    text = resp.text
    for secret in ("Hal", "Hidden", hal.email, hal.user_id):
        assert secret not in text, secret
    for person in (admin, sam, pat):
        assert person.user_id not in text and person.email not in text
    assert "Anonymous" not in text

    # a team's wall: that team's board and shares only
    sales = await make_wall(client, admin, name="Sales corner", teamId=team["id"])
    data = (await client.get(f"/api/v1/walls/{sales['secret']}")).json()
    assert data["teamName"] == "Sales"
    assert [p["displayName"] for p in data["board"]] == ["Sam Seller"]
    assert [s["displayName"] for s in data["shares"]] == ["Sam Seller"]
    assert "Hal" not in json.dumps(data)


async def test_a_hidden_authors_story_shows_only_while_its_page_is_public(client):
    admin = await signup(client, org="Acme")
    hal = await add_member(client, admin, name="Hal Hidden")
    await hide(client, hal)
    story_challenge = await make_challenge(client, admin, verification="trust")
    await write_story(client, hal, story_challenge, title="A quiet win")
    story = (
        await client.post(
            f"/api/v1/challenges/{story_challenge['id']}/story/submit", headers=bearer(hal)
        )
    ).json()
    await client.post(f"/api/v1/admin/stories/{story['id']}/feature", headers=bearer(admin))
    wall = await make_wall(client, admin)
    data = (await client.get(f"/api/v1/walls/{wall['secret']}")).json()
    # the author put the page up for anyone: the wall may say whose it is, by first name
    assert data["story"]["authorFirstName"] == "Hal" and "Hidden" not in json.dumps(data)
    down = await client.post(f"/api/v1/stories/{story['id']}/unpublish", headers=bearer(hal))
    assert down.status_code == 204
    data = (await client.get(f"/api/v1/walls/{wall['secret']}")).json()
    assert data["story"] is None and "Hal" not in json.dumps(data)


async def test_the_page_is_private_to_the_screen_and_dead_links_are_the_html_404(client):
    admin = await signup(client)
    wall = await make_wall(client, admin)
    page = await client.get(f"/wall/{wall['secret']}")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers.get_list("referrer-policy") == ["no-referrer"]
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert '<div id="app">' not in page.text  # the wall's own page, not the app shell
    assert (await client.head(f"/wall/{wall['secret']}")).content == b""
    for dead in [
        f"/wall/{'A' * 43}",
        "/wall/short",
        "/wall/",
        "/wall",
        f"/wall/{wall['secret']}/more",
        f"/wall/{wall['secret'][:-1]}",
    ]:
        resp = await client.get(dead)
        assert resp.status_code == 404, dead
        assert resp.headers["content-type"] == "text/html; charset=utf-8", dead
        assert resp.headers["cache-control"] == "no-store"
        assert wall["secret"] not in resp.text
    for dead in [f"/api/v1/walls/{'A' * 43}", "/api/v1/walls/short", f"/api/v1/walls/{'x' * 65}"]:
        assert (await client.get(dead)).status_code in (400, 404), dead


async def test_the_wall_is_rate_limited_per_address(client, monkeypatch):
    from backend.walls import controller

    monkeypatch.setattr(controller, "REQUESTS_PER_ADDRESS_PER_MINUTE", 3)
    admin = await signup(client)
    wall = await make_wall(client, admin)
    answers = [(await client.get(f"/api/v1/walls/{wall['secret']}")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert (await client.get(f"/wall/{wall['secret']}")).status_code == 429


# -- live ------------------------------------------------------------------------------------


async def _next_event(lines: Any, wanted: str) -> None:
    event = None
    async for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
            if event == wanted:
                return
    raise AssertionError(f"stream ended before a {wanted} event")


@pytest.mark.slow
async def test_a_verified_share_nudges_the_wall_and_a_revocation_ends_its_stream(client):
    admin = await signup(client, org="Acme")
    sam = await add_member(client, admin, name="Sam Seller")
    challenge = await create_challenge(client, admin, verification="review")
    wall = await make_wall(client, admin)
    async with (
        served() as server,
        httpx.AsyncClient(timeout=30) as http,
        http.stream("GET", f"{server}/api/v1/walls/{wall['secret']}/events") as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        lines = stream.aiter_lines()
        await asyncio.wait_for(_next_event(lines, "ready"), 15)
        # the page reads its data first (which builds the boards, as any first read does)
        assert (await http.get(f"{server}/api/v1/walls/{wall['secret']}")).status_code == 200
        await verified_share(client, admin, sam, challenge)  # decided in another process
        await asyncio.wait_for(_next_event(lines, "share"), 15)
        await asyncio.wait_for(_next_event(lines, "leaderboard"), 15)
        data = (await http.get(f"{server}/api/v1/walls/{wall['secret']}")).json()
        assert [s["displayName"] for s in data["shares"]] == ["Sam Seller"]
        assert [p["displayName"] for p in data["board"]] == ["Sam Seller"]

        revoked = await client.delete(f"/api/v1/admin/walls/{wall['id']}", headers=bearer(admin))
        assert revoked.status_code == 204
        # revoked through another process: the stream sees it at its next check, then ends
        await asyncio.wait_for(_next_event(lines, "revoked"), 15)
        rest = [line async for line in lines]
        assert not any(line.startswith("event:") for line in rest)
        assert (await http.get(f"{server}/api/v1/walls/{wall['secret']}")).status_code == 404
