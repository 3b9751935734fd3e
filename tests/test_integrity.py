"""The integrity view: per challenge the clicks that did not count and why, the people whose
links drew many refused clicks, and pairs trading kudos — for admins only, their org only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from backend.core import clock
from backend.sharing.clicks import drain
from backend.sharing.tables import Click
from tests.helpers import (
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    signup,
    visit,
)


async def _link(client: Any, who: Any, challenge: dict[str, Any]) -> str:
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/share-links",
        json={"network": "linkedin"},
        headers=bearer(who),
    )
    return f"/s/{resp.json()['code']}"


async def test_admins_see_what_was_set_aside_and_who_to_look_at(app, client):
    admin = await signup(client, org="Acme")
    gamer = await add_member(client, admin, name="Gail Gamer")
    honest = await add_member(client, admin, name="Hal Honest")
    challenge = await create_challenge(client, admin, title="Launch")
    gamers_link, honest_link = (
        await _link(client, gamer, challenge),
        await _link(client, honest, challenge),
    )
    for n in range(12):  # Gail's own clicks, from her own address, every browser she has
        await client.get(gamers_link, headers={"User-Agent": f"Mozilla/5.0 (Browser {n})"})
    for n in range(3):  # readers of Hal's post, one of them twice
        await visit(app, honest_link, f"198.51.100.{n}", {"User-Agent": "Mozilla/5.0"})
    await visit(app, honest_link, "198.51.100.0", {"User-Agent": "Mozilla/5.0 (again)"})
    await visit(app, honest_link, "198.51.100.9", {"User-Agent": "LinkedInBot/1.0"})
    await app.state.redirector.recorder.flush()
    await drain(app.state.redis)
    assert await Click.count() == 17

    # a ring: three kudos from one to the other over three days, and as many back
    for days_ago in (1, 2, 3):
        at = clock.now() - timedelta(days=days_ago)
        for giver, receiver in ((gamer, honest), (honest, gamer)):
            await Click.raw(
                "INSERT INTO kudos (id, org, giver, receiver, message, created_at) "
                "VALUES ({}, {}, {}, {}, 'thanks', {})",
                uuid4(),
                admin.org_id,
                giver.user_id,
                receiver.user_id,
                at,
            )

    answer = await client.get("/api/v1/admin/integrity", headers=bearer(admin))
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert view["challenges"] == [
        {
            "challengeId": challenge["id"],
            "title": "Launch",
            "unique": 3,
            "setAside": {
                "session": 0,
                "sharerAddress": 12,
                "sameVisitor": 1,
                "rateLimit": 0,
                "bot": 0,
                "unverifiedBot": 1,
            },
        }
    ]
    assert [(p["displayName"], p["refusedClicks"], p["uniqueClicks"]) for p in view["people"]] == [
        ("Gail Gamer", 12, 0)
    ]
    assert "12 of them their own" in view["people"][0]["why"]
    pairs = {
        (p["giverName"], p["receiverName"], p["count"], p["mutual"]) for p in view["kudosPairs"]
    }
    assert pairs == {("Gail Gamer", "Hal Honest", 3, True), ("Hal Honest", "Gail Gamer", 3, True)}

    # a range before any of it shows nothing
    early = clock.now().date() - timedelta(days=60)
    quiet = (
        await client.get(
            f"/api/v1/admin/integrity?from={early}&to={early + timedelta(days=5)}",
            headers=bearer(admin),
        )
    ).json()
    assert (quiet["challenges"], quiet["people"], quiet["kudosPairs"]) == ([], [], [])


async def test_the_integrity_view_is_for_admins_of_their_own_organization(app, client):
    admin = await signup(client, org="Acme")
    sam = await add_member(client, admin)
    challenge = await create_challenge(client, admin)
    link = await _link(client, sam, challenge)
    for n in range(11):
        await client.get(link, headers={"User-Agent": f"Mozilla/5.0 ({n})"})
    await app.state.redirector.recorder.flush()
    await drain(app.state.redis)

    other = await signup(client, org="Elsewhere")
    theirs = (await client.get("/api/v1/admin/integrity", headers=bearer(other))).json()
    assert (theirs["challenges"], theirs["people"], theirs["kudosPairs"]) == ([], [], [])
    assert_problem(await client.get("/api/v1/admin/integrity", headers=bearer(sam)), 403)
    assert (await client.get("/api/v1/admin/integrity")).status_code == 401


async def test_bad_ranges_are_refused(client):
    admin = await signup(client)
    for query, status in (
        ("from=2026-11-10&to=2026-11-01", 422),
        ("from=yesterday", 400),
        ("from=2024-01-01&to=2026-01-01", 422),
        ("to=2026-13-01", 400),
    ):
        assert_problem(
            await client.get(f"/api/v1/admin/integrity?{query}", headers=bearer(admin)), status
        )
