"""Employees' data: a person downloads everything Chorus holds about them; an admin erases a
person and every total stays true; raw IP addresses are stored nowhere."""

from __future__ import annotations

from typing import Any

import httpx

from backend.orgs.tables import User
from tests.helpers import (
    PASSWORD,
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    create_team,
    ledger_award,
    signup,
)


async def sql(query: str, *args: Any) -> list[dict[str, Any]]:
    return await User.raw(query, *args)  # type: ignore[no-any-return]


async def everything_as_text() -> str:
    """Every text, varchar, jsonb and array column of every table, as one string."""
    columns = await sql(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', "
        "'jsonb', 'ARRAY', 'inet', 'cidr') AND table_name NOT LIKE 'piccolo%'"
    )
    parts = []
    for c in columns:
        rows = await sql(f'SELECT "{c["column_name"]}"::text AS v FROM "{c["table_name"]}"')
        parts.extend(str(r["v"]) for r in rows if r["v"] is not None)
    return "\n".join(parts)


async def busy_person(client: Any) -> dict[str, Any]:
    admin = await signup(client, org="Acme")
    team = await create_team(client, admin, "Alpha")
    ella = await add_member(client, admin, team_id=team["id"], name="Ella Erasable")
    pal = await add_member(client, admin, team_id=team["id"], name="Pal Peer")
    challenge = await create_challenge(client, admin)
    link = await client.post(
        f"/api/v1/challenges/{challenge['id']}/share-links",
        json={"network": "linkedin"},
        headers=bearer(ella),
    )
    assert link.status_code == 200
    submitted = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={
            "network": "linkedin",
            "postUrl": "https://www.linkedin.com/feed/update/urn:li:activity:4242",
        },
        headers=bearer(ella),
    )
    assert submitted.status_code == 202, submitted.text
    await ledger_award(
        admin.org_id, ella.user_id, 70, team_id=team["id"], challenge_id=challenge["id"]
    )
    await ledger_award(admin.org_id, pal.user_id, 30, team_id=team["id"])
    assert (
        await client.post(
            "/api/v1/kudos",
            json={"to": pal.user_id, "message": "Ella says thanks"},
            headers=bearer(ella),
        )
    ).status_code == 201
    assert (
        await client.post(
            "/api/v1/kudos",
            json={"to": ella.user_id, "message": "Thanks Ella!"},
            headers=bearer(pal),
        )
    ).status_code == 201
    item = (await client.get("/api/v1/feed", headers=bearer(pal))).json()["items"][0]["id"]
    assert (
        await client.post(
            f"/api/v1/feed/{item}/comments", json={"body": "Ella's comment"}, headers=bearer(ella)
        )
    ).status_code == 201
    return {"admin": admin, "ella": ella, "pal": pal, "team": team, "challenge": challenge}


async def test_a_person_downloads_everything_about_them(client):
    p = await busy_person(client)
    resp = await client.get("/api/v1/me/export", headers=bearer(p["ella"]))
    assert resp.status_code == 200
    assert 'filename="my-chorus-data.json"' in resp.headers["content-disposition"]
    data = resp.json()
    assert (data["profile"]["email"], data["profile"]["display_name"], data["profile"]["team"]) == (
        p["ella"].email,
        "Ella Erasable",
        "Alpha",
    )
    assert [row["delta"] for row in data["points"]] == [70, 5]  # her share, and kudos from Pal
    assert data["submissions"][0]["post_url"].endswith("urn:li:activity:4242")
    assert [k["message"] for k in data["kudosGiven"]] == ["Ella says thanks"]
    assert [k["message"] for k in data["kudosReceived"]] == ["Thanks Ella!"]
    assert [c["body"] for c in data["comments"]] == ["Ella's comment"]
    assert p["pal"].email not in resp.text and p["admin"].email not in resp.text
    assert (await client.get("/api/v1/me/export")).status_code == 401


async def test_erasing_a_person_keeps_every_total_true(client):
    p = await busy_person(client)
    admin, ella = p["admin"], p["ella"]
    before_total = (
        await sql("SELECT sum(delta) AS n FROM points_ledger WHERE org = {}", admin.org_id)
    )[0]["n"]
    board_before = (
        await client.get("/api/v1/leaderboards/teams?period=all", headers=bearer(admin))
    ).json()
    assert (
        await client.delete(f"/api/v1/admin/users/{ella.user_id}", headers=bearer(admin))
    ).status_code == 204

    after_total = (
        await sql("SELECT sum(delta) AS n FROM points_ledger WHERE org = {}", admin.org_id)
    )[0]["n"]
    assert after_total == before_total
    board_after = (
        await client.get("/api/v1/leaderboards/teams?period=all", headers=bearer(admin))
    ).json()
    assert [(t["name"], t["totalPoints"]) for t in board_after["entries"]] == [
        (t["name"], t["totalPoints"]) for t in board_before["entries"]
    ]
    dump = await everything_as_text()
    for personal in (
        ella.email,
        "Ella Erasable",
        "urn:li:activity:4242",
        "activity:4242",  # the post's key, too
        "Ella says thanks",
        "Thanks Ella!",
        "Ella's comment",
    ):
        assert personal not in dump, personal
    users = (await client.get("/api/v1/admin/users", headers=bearer(admin))).json()["items"]
    assert "Former member" in [u["displayName"] for u in users]
    login = await client.post(
        "/api/v1/auth/login", json={"email": ella.email, "password": PASSWORD}
    )
    assert login.status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer(ella))).status_code == 401


async def test_who_may_erase_whom(client):
    p = await busy_person(client)
    assert_problem(
        await client.delete(f"/api/v1/admin/users/{p['pal'].user_id}", headers=bearer(p["ella"])),
        403,
    )
    assert_problem(
        await client.delete(
            f"/api/v1/admin/users/{p['admin'].user_id}", headers=bearer(p["admin"])
        ),
        403,
    )
    stranger = await signup(client, org="Other")
    assert_problem(
        await client.delete(f"/api/v1/admin/users/{p['pal'].user_id}", headers=bearer(stranger)),
        404,
    )
    assert (await sql("SELECT display_name FROM app_user WHERE id = {}", p["pal"].user_id))[0][
        "display_name"
    ] == "Pal Peer"


async def test_raw_ip_addresses_are_stored_nowhere(app, settings):
    visitor, forwarded = "198.51.100.23", "203.0.113.9"
    transport = httpx.ASGITransport(app=app, client=(visitor, 51234))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        admin = await signup(http, org="Acme")
        member = await add_member(http, admin)
        await http.post(
            "/api/v1/auth/login", json={"email": member.email, "password": "wrong password!"}
        )
        await http.post("/api/v1/auth/login", json={"email": member.email, "password": PASSWORD})
        challenge = await create_challenge(http, admin)
        link = (
            await http.post(
                f"/api/v1/challenges/{challenge['id']}/share-links",
                json={"network": "x"},
                headers=bearer(member),
            )
        ).json()
        for agent in ("Mozilla/5.0 (A)", "Mozilla/5.0 (B)", "Twitterbot/1.0"):
            hop = await http.get(
                f"/s/{link['code']}", headers={"User-Agent": agent, "X-Forwarded-For": forwarded}
            )
            assert hop.status_code == 302
    await app.state.redirector.recorder.flush()
    from backend.sharing.clicks import drain

    assert await drain(app.state.redis) == 3
    assert len(await sql("SELECT id FROM click")) == 3
    dump = await everything_as_text()
    assert visitor not in dump and forwarded not in dump


async def test_an_erased_persons_post_cannot_be_claimed_again(client):
    """The post key is replaced by a keyed hash: it no longer names the post, yet the post
    stays claimed (nobody can take the erased person's post for their own)."""
    p = await busy_person(client)
    admin, ella, pal = p["admin"], p["ella"], p["pal"]
    [row] = await sql('SELECT post_key FROM submission WHERE "user" = {}', ella.user_id)
    assert row["post_key"] == "linkedin:activity:4242"
    erased = await client.delete(f"/api/v1/admin/users/{ella.user_id}", headers=bearer(admin))
    assert erased.status_code == 204
    [row] = await sql('SELECT post_key FROM submission WHERE "user" = {}', ella.user_id)
    assert row["post_key"].startswith("erased:") and "4242" not in row["post_key"]
    again = await client.post(
        f"/api/v1/challenges/{p['challenge']['id']}/submissions",
        json={
            "network": "linkedin",
            "postUrl": "https://www.linkedin.com/feed/update/urn:li:activity:4242",
        },
        headers=bearer(pal),
    )
    assert_problem(again, 409, detail_contains="already been claimed")
    other = await client.post(
        f"/api/v1/challenges/{p['challenge']['id']}/submissions",
        json={
            "network": "linkedin",
            "postUrl": "https://www.linkedin.com/feed/update/urn:li:activity:4243",
        },
        headers=bearer(pal),
    )
    assert other.status_code == 202, other.text
