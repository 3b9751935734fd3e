"""The team-lead dashboard and nudges: figures, rank, the weekly trend, once-a-week nudges
inside each person's notification budget, and who may see which team."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from backend.analytics.tables import OfficialLink
from tests.helpers import add_member, assert_problem, bearer, create_challenge, create_team, signup


async def sql(query: str, *args: Any) -> list[dict[str, Any]]:
    return await OfficialLink.raw(query, *args)  # type: ignore[no-any-return]


async def team_scenario(client: Any) -> dict[str, Any]:
    admin = await signup(client, org="Acme")
    lead = await add_member(client, admin, name="Lee Lead")
    alpha = await create_team(client, admin, "Alpha", lead_user_id=lead.user_id)
    a1 = await add_member(client, admin, team_id=alpha["id"], name="A One")
    a2 = await add_member(client, admin, team_id=alpha["id"], name="A Two")
    beta_lead = await add_member(client, admin, name="Bea Lead")
    beta = await create_team(client, admin, "Beta", lead_user_id=beta_lead.user_id)
    b1 = await add_member(client, admin, team_id=beta["id"], name="B One")
    await add_member(client, admin, team_id=beta["id"], name="B Two")
    challenge = await create_challenge(client, admin)
    now = datetime.now(UTC)
    sid = str(uuid4())
    await sql(
        'INSERT INTO submission (id, org, challenge, "user", network, status, created_at) '
        "VALUES ({}, {}, {}, {}, 'linkedin', 'verified', {})",
        sid,
        admin.org_id,
        challenge["id"],
        a1.user_id,
        now - timedelta(days=2),
    )
    link = str(uuid4())
    await sql(
        'INSERT INTO share_link (id, org, challenge, "user", network, code) '
        "VALUES ({}, {}, {}, {}, 'linkedin', {})",
        link,
        admin.org_id,
        challenge["id"],
        a1.user_id,
        uuid4().hex[:10],
    )
    await sql(
        "INSERT INTO click (id, org, link, challenge, sharer, network, at, kind, visitor_hash) "
        "VALUES ({}, {}, {}, {}, {}, 'linkedin', {}, 'unique', {})",
        str(uuid4()),
        admin.org_id,
        link,
        challenge["id"],
        a1.user_id,
        now - timedelta(days=1),
        uuid4().hex,
    )
    for user, team, delta, when in (
        (a1.user_id, alpha["id"], 50, now - timedelta(days=2)),
        (b1.user_id, beta["id"], 120, now - timedelta(days=1)),
    ):
        await sql(
            'INSERT INTO points_ledger (org, "user", team, delta, reason, idempotency_key, '
            "created_at) VALUES ({}, {}, {}, {}, 'test', {}, {})",
            admin.org_id,
            user,
            team,
            delta,
            uuid4().hex,
            when,
        )
    # everyone joined a month ago: a newcomer of this week is never a "quiet member"
    await sql(
        "UPDATE app_user SET created_at = {} WHERE org = {}", now - timedelta(days=30), admin.org_id
    )
    return {
        "admin": admin,
        "lead": lead,
        "beta_lead": beta_lead,
        "alpha": alpha,
        "beta": beta,
        "a1": a1,
        "a2": a2,
    }


async def test_a_lead_sees_the_team_at_a_glance(client):
    s = await team_scenario(client)
    resp = await client.get(
        f"/api/v1/teams/{s['alpha']['id']}/dashboard", headers=bearer(s["lead"])
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["name"] == "Alpha"
    rows = {m["displayName"]: m for m in body["members"]}
    assert [m["displayName"] for m in body["members"]] == ["A One", "A Two", "Lee Lead"]
    one = rows["A One"]
    assert (one["points"], one["verifiedShares"], one["uniqueClicks"], one["nudgeable"]) == (
        50,
        1,
        1,
        False,
    )
    assert one["lastActiveAt"] is not None
    two = rows["A Two"]
    assert (
        two["points"],
        two["verifiedShares"],
        two["uniqueClicks"],
        two["lastActiveAt"],
        two["nudgeable"],
    ) == (
        0,
        0,
        0,
        None,
        True,
    )
    assert body["participation"] == {"active": 1, "members": 3, "rate": 0.333}
    assert body["rank"] == {"total": 2, "perCapita": 16.67, "perCapitaRank": 2, "teams": 2}
    assert (body["points"], body["verifiedShares"], body["uniqueClicks"]) == (50, 1, 1)
    assert sum(w["points"] for w in body["trend"]) == 50
    assert sum(w["verifiedShares"] for w in body["trend"]) == 1
    assert 4 <= len(body["trend"]) <= 6 and body["trend"][-1]["week"].startswith(
        str(datetime.now(UTC).year)[:3]
    )


async def test_a_newcomer_of_this_week_is_not_a_quiet_member(client):
    s = await team_scenario(client)
    newcomer = await add_member(client, s["admin"], team_id=s["alpha"]["id"], name="Nia New")
    board = await client.get(
        f"/api/v1/teams/{s['alpha']['id']}/dashboard", headers=bearer(s["lead"])
    )
    row = next(m for m in board.json()["members"] if m["userId"] == newcomer.user_id)
    assert row["nudgeable"] is False
    resp = await client.post(
        f"/api/v1/teams/{s['alpha']['id']}/nudges",
        json={"userIds": [newcomer.user_id]},
        headers=bearer(s["lead"]),
    )
    assert resp.json()["skipped"] == [{"userId": newcomer.user_id, "reason": "active"}]


async def test_nudges_go_to_quiet_members_once_a_week_within_their_budget(client):
    s = await team_scenario(client)
    # no quiet hours (the default 22-7 would hold the push when CI runs at night)
    prefs = (
        await client.get("/api/v1/me/notification-preferences", headers=bearer(s["a2"]))
    ).json()
    quiet_off = {**prefs, "quietStart": None, "quietEnd": None}
    put = await client.put(
        "/api/v1/me/notification-preferences", json=quiet_off, headers=bearer(s["a2"])
    )
    assert put.status_code == 200, put.text
    url = f"/api/v1/teams/{s['alpha']['id']}/nudges"
    first = await client.post(url, json={}, headers=bearer(s["lead"]))
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["nudged"] == [{"userId": s["a2"].user_id, "delivery": "push"}]
    assert {"userId": s["a1"].user_id, "reason": "active"} in body["skipped"]
    inbox = (await client.get("/api/v1/notifications", headers=bearer(s["a2"]))).json()["items"]
    assert [(n["category"], n["title"]) for n in inbox] == [("nudge", "Alpha could use your voice")]

    again = (
        await client.post(url, json={"userIds": [s["a2"].user_id]}, headers=bearer(s["lead"]))
    ).json()
    assert again == {
        "nudged": [],
        "skipped": [{"userId": s["a2"].user_id, "reason": "nudged_this_week"}],
    }
    dash = (
        await client.get(f"/api/v1/teams/{s['alpha']['id']}/dashboard", headers=bearer(s["lead"]))
    ).json()
    two = next(m for m in dash["members"] if m["displayName"] == "A Two")
    assert two["lastNudgedAt"] is not None and two["nudgeable"] is False


async def test_a_nudge_respects_the_persons_daily_cap(client):
    s = await team_scenario(client)
    prefs = (
        await client.get("/api/v1/me/notification-preferences", headers=bearer(s["a2"]))
    ).json()
    resp = await client.put(
        "/api/v1/me/notification-preferences",
        json={**prefs, "dailyCap": 0},
        headers=bearer(s["a2"]),
    )
    assert resp.status_code == 200, resp.text
    body = (
        await client.post(
            f"/api/v1/teams/{s['alpha']['id']}/nudges",
            json={"userIds": [s["a2"].user_id]},
            headers=bearer(s["lead"]),
        )
    ).json()
    assert body["nudged"] == [{"userId": s["a2"].user_id, "delivery": "inbox"}]


async def test_someone_outside_the_team_is_skipped(client):
    s = await team_scenario(client)
    body = (
        await client.post(
            f"/api/v1/teams/{s['alpha']['id']}/nudges",
            json={"userIds": [s["beta_lead"].user_id, str(uuid4())]},
            headers=bearer(s["lead"]),
        )
    ).json()
    assert body["nudged"] == []
    assert [x["reason"] for x in body["skipped"]] == ["not_in_team", "not_in_team"]


async def test_who_may_see_which_dashboard(client):
    s = await team_scenario(client)
    alpha = s["alpha"]["id"]
    for path, method in (
        (f"/api/v1/teams/{alpha}/dashboard", "GET"),
        (f"/api/v1/teams/{alpha}/nudges", "POST"),
    ):
        body = {} if method == "POST" else None
        assert_problem(await client.request(method, path, json=body, headers=bearer(s["a1"])), 403)
        assert_problem(
            await client.request(method, path, json=body, headers=bearer(s["beta_lead"])), 403
        )
        assert (await client.request(method, path, json=body)).status_code == 401
    assert (
        await client.get(f"/api/v1/teams/{alpha}/dashboard", headers=bearer(s["admin"]))
    ).status_code == 200
    stranger = await signup(client, org="Other")
    resp = await client.get(f"/api/v1/teams/{alpha}/dashboard", headers=bearer(stranger))
    body = assert_problem(resp, 404)
    assert "Alpha" not in str(body)
    assert_problem(
        await client.get(f"/api/v1/teams/{uuid4()}/dashboard", headers=bearer(s["admin"])), 404
    )
    assert (
        await client.get("/api/v1/teams/not-a-uuid/dashboard", headers=bearer(s["admin"]))
    ).status_code == 404
    assert await sql("SELECT id FROM notification WHERE category = 'nudge'") == []


@pytest.mark.parametrize(
    "body",
    [
        {"userIds": "everyone"},
        {"userIds": ["not-a-uuid"]},
        {"userIds": [str(uuid4())] * 501},
        {"userIds": [], "extra": 1},
        [],
    ],
)
async def test_bad_nudges_are_refused_and_nothing_is_sent(client, body):
    s = await team_scenario(client)
    resp = await client.post(
        f"/api/v1/teams/{s['alpha']['id']}/nudges", json=body, headers=bearer(s["lead"])
    )
    assert_problem(resp, 400)
    assert await sql("SELECT id FROM notification WHERE category = 'nudge'") == []


async def test_dashboard_ranges_are_checked(client):
    s = await team_scenario(client)
    base = f"/api/v1/teams/{s['alpha']['id']}/dashboard"
    assert_problem(await client.get(f"{base}?from=tomorrow", headers=bearer(s["lead"])), 400)
    assert_problem(
        await client.get(f"{base}?from=2026-11-10&to=2026-11-01", headers=bearer(s["lead"])), 422
    )
    old = (
        await client.get(f"{base}?from=2020-01-01&to=2020-01-31", headers=bearer(s["lead"]))
    ).json()
    assert old["points"] == 0 and old["participation"]["active"] == 0
