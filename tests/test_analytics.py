"""Impact analytics: figures for a seeded scenario checked against hand-computed values, the
CSV export, official links and the amplification ratio, and who may see what."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from backend.analytics.tables import OfficialLink
from tests.helpers import (
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    create_team,
    signup,
    visit,
)

IN = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
LATE = datetime(2026, 11, 9, 0, 0, tzinfo=UTC)  # the first instant after the range
EARLY = datetime(2026, 11, 1, 23, 59, 59, tzinfo=UTC)
RANGE = "from=2026-11-02&to=2026-11-08"


async def sql(query: str, *args: Any) -> list[dict[str, Any]]:
    return await OfficialLink.raw(query, *args)  # type: ignore[no-any-return]


async def submission(
    org: str, challenge: str, user: str, network: str, status: str, at: datetime
) -> str:
    sid = str(uuid4())
    await sql(
        'INSERT INTO submission (id, org, challenge, "user", network, status, created_at) '
        "VALUES ({}, {}, {}, {}, {}, {}, {})",
        sid,
        org,
        challenge,
        user,
        network,
        status,
        at,
    )
    return sid


async def link(org: str, challenge: str, user: str, network: str) -> str:
    lid = str(uuid4())
    await sql(
        'INSERT INTO share_link (id, org, challenge, "user", network, code) '
        "VALUES ({}, {}, {}, {}, {}, {})",
        lid,
        org,
        challenge,
        user,
        network,
        uuid4().hex[:10],
    )
    return lid


async def clicks(
    org: str,
    link_id: str,
    challenge: str,
    sharer: str,
    network: str,
    at: datetime,
    n: int,
    kind: str = "unique",
) -> list[str]:
    ids = []
    for _ in range(n):
        cid = str(uuid4())
        await sql(
            "INSERT INTO click (id, org, link, challenge, sharer, network, at, kind, visitor_hash) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})",
            cid,
            org,
            link_id,
            challenge,
            sharer,
            network,
            at,
            kind,
            uuid4().hex,
        )
        ids.append(cid)
    return ids


async def ledger(
    org: str,
    user: str,
    team: str | None,
    delta: int,
    challenge: str | None,
    *,
    submission_id: str | None = None,
    click_id: str | None = None,
    at: datetime = IN,
) -> None:
    await sql(
        'INSERT INTO points_ledger (org, "user", team, delta, reason, challenge, submission, '
        "click, idempotency_key, created_at) VALUES ({}, {}, {}, {}, 'test', {}, {}, {}, {}, {})",
        org,
        user,
        team,
        delta,
        challenge,
        submission_id,
        click_id,
        uuid4().hex,
        at,
    )


async def official(org: str, at: datetime, unique: int, repeat: int = 0, outside: int = 0) -> None:
    lid = str(uuid4())
    await sql(
        "INSERT INTO official_link (id, org, code, label, network, target_url, created_at) "
        "VALUES ({}, {}, {}, 'Brand post', 'linkedin', 'https://example.com/p', {})",
        lid,
        org,
        uuid4().hex[:12],
        at,
    )
    for kind, n, when in (
        ("unique", unique, IN),
        ("repeat", repeat, IN),
        ("unique", outside, LATE),
    ):
        for _ in range(n):
            await sql(
                "INSERT INTO official_click (id, org, link, at, kind, visitor_hash) "
                "VALUES ({}, {}, {}, {}, {}, {})",
                str(uuid4()),
                org,
                lid,
                when,
                kind,
                uuid4().hex,
            )


async def scenario(client: Any) -> dict[str, Any]:
    """Five active people (admin, a1 and a2 in Alpha, b1 in Beta, n1 in no team)."""
    admin = await signup(client, org="Acme")
    alpha = await create_team(client, admin, "Alpha")
    beta = await create_team(client, admin, "Beta")
    a1 = await add_member(client, admin, team_id=alpha["id"], name="A One")
    a2 = await add_member(client, admin, team_id=alpha["id"], name="A Two")
    b1 = await add_member(client, admin, team_id=beta["id"], name="B One")
    n1 = await add_member(client, admin, name="N One")
    pillar = (
        await client.post(
            "/api/v1/admin/pillars",
            json={"title": "Customers", "message": "Their wins."},
            headers=bearer(admin),
        )
    ).json()
    c1 = await create_challenge(client, admin, title="Launch", pillarId=pillar["id"])
    c2 = await create_challenge(
        client, admin, title="Beta only", teamIds=[beta["id"]], networks=["linkedin"]
    )
    org = admin.org_id
    s1 = await submission(org, c1["id"], a1.user_id, "linkedin", "verified", IN)
    await submission(org, c1["id"], a2.user_id, "x", "rejected", IN)
    s3 = await submission(org, c2["id"], b1.user_id, "linkedin", "verified", IN)
    s4 = await submission(org, c1["id"], n1.user_id, "linkedin", "verified", LATE)
    await submission(org, c1["id"], b1.user_id, "x", "pending", IN)
    a1_link = await link(org, c1["id"], a1.user_id, "linkedin")
    a1_clicks = await clicks(org, a1_link, c1["id"], a1.user_id, "linkedin", IN, 3)
    await clicks(org, a1_link, c1["id"], a1.user_id, "linkedin", IN, 1, kind="repeat")
    await clicks(org, a1_link, c1["id"], a1.user_id, "linkedin", EARLY, 1)
    b1_link = await link(org, c2["id"], b1.user_id, "linkedin")
    await clicks(org, b1_link, c2["id"], b1.user_id, "linkedin", IN, 2)
    b1_x = await link(org, c1["id"], b1.user_id, "x")
    await clicks(org, b1_x, c1["id"], b1.user_id, "x", IN, 1)
    await clicks(org, b1_x, c1["id"], b1.user_id, "x", IN, 4, kind="bot")
    await ledger(org, a1.user_id, alpha["id"], 50, c1["id"], submission_id=s1)
    await ledger(org, a1.user_id, alpha["id"], 2, c1["id"], click_id=a1_clicks[0])
    await ledger(org, b1.user_id, beta["id"], 30, c2["id"], submission_id=s3)
    await ledger(org, a1.user_id, alpha["id"], 10, None)  # a badge's bonus
    await ledger(org, n1.user_id, None, 50, c1["id"], submission_id=s4, at=LATE)
    await official(org, EARLY, unique=2, repeat=1, outside=1)
    await official(org, IN, unique=1)
    await official(org, LATE, unique=0)  # made after the range: not one of its posts
    return {
        "admin": admin,
        "a1": a1,
        "b1": b1,
        "alpha": alpha,
        "beta": beta,
        "c1": c1,
        "c2": c2,
        "pillar": pillar,
    }


def metrics(claimed, verified, clicks, cps, participants, members, rate, points) -> dict[str, Any]:
    return {
        "sharesClaimed": claimed,
        "sharesVerified": verified,
        "uniqueClicks": clicks,
        "clicksPerShare": cps,
        "participants": participants,
        "members": members,
        "participationRate": rate,
        "pointsAwarded": points,
    }


async def test_the_figures_match_the_hand_computed_scenario(client):
    s = await scenario(client)
    resp = await client.get(f"/api/v1/admin/analytics?{RANGE}", headers=bearer(s["admin"]))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["from"], body["to"], body["timezone"]) == ("2026-11-02", "2026-11-08", "UTC")
    assert body["totals"] == metrics(4, 2, 6, 3.0, 2, 5, 0.4, 92)
    assert body["byChallenge"] == [
        {"challengeId": s["c1"]["id"], "title": "Launch", **metrics(3, 1, 4, 4.0, 1, 5, 0.2, 52)},
        {
            "challengeId": s["c2"]["id"],
            "title": "Beta only",
            **metrics(1, 1, 2, 2.0, 1, 1, 1.0, 30),
        },
    ]
    assert body["byPillar"] == [
        {
            "pillarId": s["pillar"]["id"],
            "title": "Customers",
            **metrics(3, 1, 4, 4.0, 1, 5, 0.2, 52),
        },
        {"pillarId": None, "title": "No pillar", **metrics(1, 1, 2, 2.0, 1, 5, 0.2, 30)},
    ]
    assert body["byTeam"] == [
        {"teamId": s["alpha"]["id"], "name": "Alpha", **metrics(2, 1, 3, 3.0, 1, 2, 0.5, 62)},
        {"teamId": s["beta"]["id"], "name": "Beta", **metrics(2, 1, 3, 3.0, 1, 1, 1.0, 30)},
    ]
    assert body["byNetwork"] == [
        {"network": "linkedin", **metrics(2, 2, 5, 2.5, 2, 5, 0.4, 82)},
        {"network": "x", **metrics(2, 0, 1, None, 0, 5, 0.0, 0)},
    ]
    assert body["amplification"] == {
        "officialPosts": 2,
        "officialUniqueClicks": 3,
        "clicksPerOfficialPost": 1.5,
        "clicksPerEmployeeShare": 3.0,
        "ratio": 2.0,
    }


async def test_the_figures_slice_by_the_language_people_read_chorus_in(client):
    s = await scenario(client)
    admin, b1 = s["admin"], s["b1"]
    # everyone reads German (the organization's default) but B One, who chose English
    await client.put(
        "/api/v1/admin/organization", json={"defaultLanguage": "de"}, headers=bearer(admin)
    )
    await client.patch("/api/v1/me", json={"language": "en"}, headers=bearer(b1))
    body = (await client.get(f"/api/v1/admin/analytics?{RANGE}", headers=bearer(admin))).json()
    assert body["byLanguage"] == [
        {"language": "de", **metrics(2, 1, 3, 3.0, 1, 4, 0.25, 62)},
        {"language": "en", **metrics(2, 1, 3, 3.0, 1, 1, 1.0, 30)},
    ]
    resp = await client.get(f"/api/v1/admin/analytics/export.csv?{RANGE}", headers=bearer(admin))
    rows = {(r[0], r[2]): r[3:] for r in csv.reader(io.StringIO(resp.text)) if len(r) > 3}
    assert rows[("language", "en")] == ["2", "1", "3", "3.0", "1", "1", "1.0", "30"]


async def test_the_csv_export_holds_the_same_figures(client):
    s = await scenario(client)
    resp = await client.get(
        f"/api/v1/admin/analytics/export.csv?{RANGE}", headers=bearer(s["admin"])
    )
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert (
        'filename="chorus-analytics-2026-11-02-2026-11-08.csv"'
        in resp.headers["content-disposition"]
    )
    rows = list(csv.reader(io.StringIO(resp.text)))
    assert rows[0][:3] == ["slice", "id", "name"]
    by_name = {(r[0], r[2]): r[3:] for r in rows[1:] if len(r) > 3 and r[0] != "amplification"}
    assert by_name[("total", "2026-11-02 to 2026-11-08")] == [
        "4",
        "2",
        "6",
        "3.0",
        "2",
        "5",
        "0.4",
        "92",
    ]
    assert by_name[("challenge", "Launch")] == ["3", "1", "4", "4.0", "1", "5", "0.2", "52"]
    assert by_name[("network", "x")] == ["2", "0", "1", "", "0", "5", "0.0", "0"]
    assert rows[-1] == ["", "2", "3", "1.5", "3.0", "2.0"]


async def test_a_formula_in_a_title_is_defused_in_the_csv(client):
    admin = await signup(client)
    await create_challenge(client, admin, title='=HYPERLINK("http://evil")')
    resp = await client.get("/api/v1/admin/analytics/export.csv", headers=bearer(admin))
    names = [r[2] for r in csv.reader(io.StringIO(resp.text)) if r and r[0] == "challenge"]
    assert names == ['\'=HYPERLINK("http://evil")']


async def test_an_empty_organization_has_zeroes_not_errors(client):
    admin = await signup(client)
    body = (await client.get("/api/v1/admin/analytics", headers=bearer(admin))).json()
    assert body["totals"] == metrics(0, 0, 0, None, 0, 1, 0.0, 0)
    assert body["amplification"]["ratio"] is None
    assert body["byChallenge"] == body["byTeam"] == body["byNetwork"] == []


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ("from=yesterday", 400, "from"),
        ("to=2026-13-01", 400, "to"),
        ("from=" + "9" * 300, 400, "from"),
        ("from=2026-11-09&to=2026-11-02", 422, "on or before"),
        ("from=2024-01-01&to=2026-01-01", 422, "366"),
    ],
)
async def test_bad_ranges_are_refused(client, query, status, detail):
    admin = await signup(client)
    for path in ("/api/v1/admin/analytics", "/api/v1/admin/analytics/export.csv"):
        resp = await client.get(f"{path}?{query}", headers=bearer(admin))
        assert_problem(resp, status, detail_contains=detail)


async def test_only_admins_see_analytics_and_official_links(client):
    admin = await signup(client)
    team = await create_team(client, admin, "Alpha")
    lead = await add_member(client, admin, role="lead", team_id=team["id"])
    employee = await add_member(client, admin)
    for who in (lead, employee):
        for method, path, body in [
            ("GET", "/api/v1/admin/analytics", None),
            ("GET", "/api/v1/admin/analytics/export.csv", None),
            ("GET", "/api/v1/admin/official-links", None),
            (
                "POST",
                "/api/v1/admin/official-links",
                {"label": "x", "url": "https://example.com/a", "network": "x"},
            ),
        ]:
            resp = await client.request(method, path, json=body, headers=bearer(who))
            assert_problem(resp, 403)
    assert (await client.get("/api/v1/admin/analytics")).status_code == 401
    assert await sql("SELECT id FROM official_link") == []


async def test_official_links_redirect_and_their_clicks_count(client, app):
    from tests.helpers import run_worker_burst

    admin = await signup(client)
    resp = await client.post(
        "/api/v1/admin/official-links",
        json={
            "label": "Our launch post",
            "url": "https://example.com/brand/launch?ref=a",
            "network": "linkedin",
        },
        headers=bearer(admin),
    )
    assert resp.status_code == 201, resp.text
    made = resp.json()
    assert len(made["code"]) == 12 and made["trackedUrl"].endswith(f"/s/{made['code']}")
    readers = [
        ("198.51.100.1", "Mozilla/5.0 (one)"),
        ("198.51.100.2", "Mozilla/5.0 (two)"),
        ("198.51.100.2", "Mozilla/5.0 (two, another browser)"),  # the same address: a repeat
        ("127.0.0.1", "LinkedInBot/1.0"),
    ]
    for address, agent in readers:
        hop = await visit(app, f"/s/{made['code']}", address, {"User-Agent": agent})
        assert hop.status_code == 302
        assert hop.headers["location"] == (
            "https://example.com/brand/launch?ref=a&utm_source=linkedin&utm_medium=social"
            f"&utm_campaign=official&utm_content={made['code']}"
        )
    await app.state.redirector.recorder.flush()
    await run_worker_burst()
    from backend.sharing.clicks import drain

    await drain(app.state.redis)
    kinds = sorted(r["kind"] for r in await sql("SELECT kind FROM official_click"))
    assert kinds == ["bot", "repeat", "unique", "unique"]
    listed = (await client.get("/api/v1/admin/official-links", headers=bearer(admin))).json()
    assert [(x["label"], x["uniqueClicks"]) for x in listed] == [("Our launch post", 2)]
    assert await sql("SELECT id FROM click") == []  # never counted as an employee's click


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"label": "x", "url": "https://example.com@evil.test/", "network": "x"}, 422),
        ({"label": "x", "url": "javascript:alert(1)", "network": "x"}, 422),
        ({"label": "", "url": "https://example.com/a", "network": "x"}, 400),
        ({"label": "x", "url": "https://example.com/a", "network": "myspace"}, 400),
        ({"label": "x" * 121, "url": "https://example.com/a", "network": "x"}, 400),
        ({"url": "https://example.com/a", "network": "x"}, 400),
        ({"label": 5, "url": "https://example.com/a", "network": "x"}, 400),
    ],
)
async def test_bad_official_links_are_refused(client, body, status):
    admin = await signup(client)
    resp = await client.post("/api/v1/admin/official-links", json=body, headers=bearer(admin))
    assert_problem(resp, status)
    assert await sql("SELECT id FROM official_link") == []
