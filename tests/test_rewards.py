"""Rewards keep score fair: spending never moves a leaderboard, a level or a badge; a
redemption holds the points and one unit at once and never oversells, even fifty at a time;
a rejection gives both back, a fulfilment keeps them spent, and each is decided once; the
catalogue shows each person what they may redeem; the budget adds up, in JSON and CSV."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from backend.points.tables import PointsLedger
from backend.rewards.tables import PointsSpent, Redemption
from tests.helpers import (
    Account,
    add_member,
    assert_problem,
    bearer,
    create_team,
    ledger_award,
    run_worker_burst,
    signup,
)


def reward_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Coffee voucher",
        "description": "A coffee at the corner café.",
        "cost": 30,
    }
    body.update(overrides)
    return body


async def create_reward(client: Any, admin: Account, **overrides: Any) -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/admin/rewards", json=reward_body(**overrides), headers=bearer(admin)
    )
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def people(admin: Account, n: int, team_id: str | None = None) -> list[Account]:
    """`n` employees of the admin's organization, made as accepted invites make them, with
    tokens signed as sign-in signs them (fifty invites through the API take a while)."""
    from backend.http.auth import token_issuer
    from backend.orgs.tables import User
    from backend.settings import get_settings

    rows = await User.raw(
        "INSERT INTO app_user (id, org, email, display_name, password_hash, role, team) "
        "SELECT gen_random_uuid(), {}, 'p' || g || '.' || gen_random_uuid() || '@example.com', "
        "'Person ' || g, 'x', 'employee', {} FROM generate_series(1, {}) AS g RETURNING id, email",
        UUID(admin.org_id),
        UUID(team_id) if team_id else None,
        n,
    )
    issuer = token_issuer(get_settings())
    return [
        Account(issuer.issue(r["id"], UUID(admin.org_id)), admin.org_id, str(r["id"]), r["email"])
        for r in rows
    ]


async def earn(account: Account, points: int, **kwargs: Any) -> None:
    await ledger_award(UUID(account.org_id), UUID(account.user_id), points, **kwargs)


async def me(client: Any, account: Account) -> dict[str, Any]:
    resp = await client.get("/api/v1/me", headers=bearer(account))
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def redeem(client: Any, account: Account, reward_id: str, **kwargs: Any) -> Any:
    kwargs.setdefault("json", {})
    return await client.post(
        f"/api/v1/rewards/{reward_id}/redemptions", headers=bearer(account), **kwargs
    )


async def admin_reward(client: Any, admin: Account, reward_id: str) -> dict[str, Any]:
    resp = await client.get("/api/v1/admin/rewards", headers=bearer(admin))
    assert resp.status_code == 200, resp.text
    return next(r for r in resp.json()["items"] if r["id"] == reward_id)


# ---- no overselling -----------------------------------------------------------------------


async def test_fifty_redemptions_at_once_of_ten_units_hold_exactly_ten(client):
    admin = await signup(client, org="Acme")
    crowd = await people(admin, 50)
    for person in crowd:
        await earn(person, 100)
    reward = await create_reward(client, admin, cost=30, stock=10)

    answers = await asyncio.gather(*(redeem(client, p, reward["id"]) for p in crowd))

    won = [p for p, a in zip(crowd, answers, strict=True) if a.status_code == 201]
    refused = [a for a in answers if a.status_code != 201]
    assert len(won) == 10
    assert len(refused) == 40
    for answer in refused:
        assert_problem(answer, 409, detail_contains="out of stock")
    seen = await admin_reward(client, admin, reward["id"])
    assert (seen["held"], seen["fulfilled"], seen["remaining"], seen["stock"]) == (10, 0, 0, 10)
    winners = {p.user_id for p in won}
    for person in crowd:
        assert (await me(client, person))["balance"] == (70 if person.user_id in winners else 100)
    assert await Redemption.count() == 10
    assert await PointsSpent.count() == 10
    # the catalogue says it is gone
    listed = (await client.get("/api/v1/rewards", headers=bearer(crowd[0]))).json()["items"]
    assert listed[0]["stock"] == 0


async def test_one_person_racing_twenty_redemptions_gets_what_the_balance_buys(client):
    admin = await signup(client, org="Acme")
    (sam,) = await people(admin, 1)
    await earn(sam, 100)
    reward = await create_reward(client, admin, cost=30)  # unlimited stock: the balance binds

    answers = await asyncio.gather(*(redeem(client, sam, reward["id"]) for _ in range(20)))

    assert sorted(a.status_code for a in answers) == [201] * 3 + [409] * 17
    for answer in answers:
        if answer.status_code == 409:
            assert_problem(answer, 409, detail_contains="your balance is 10 points")
    profile = await me(client, sam)
    assert (profile["balance"], profile["points"]) == (10, 100)
    mine = (await client.get("/api/v1/me/redemptions", headers=bearer(sam))).json()["items"]
    assert len(mine) == 3
    assert all(r["status"] == "requested" and r["cost"] == 30 for r in mine)


# ---- spending is not scoring --------------------------------------------------------------


async def _boards(client: Any, viewer: Account) -> list[Any]:
    answers = []
    for period in ("week", "month", "all"):
        users = await client.get(
            "/api/v1/leaderboards/users",
            params={"period": period, "limit": 100},
            headers=bearer(viewer),
        )
        teams = await client.get(
            "/api/v1/leaderboards/teams", params={"period": period}, headers=bearer(viewer)
        )
        assert users.status_code == teams.status_code == 200, (users.text, teams.text)
        answers += [users.json(), teams.json()]
    return answers


async def test_spending_moves_no_board_no_level_and_no_badge(client):
    admin = await signup(client, org="Acme")
    team = await create_team(client, admin, "Sales")
    crowd = await people(admin, 4, team_id=team["id"])
    for n, person in enumerate(crowd):
        await earn(person, 300 + 50 * n, team_id=UUID(team["id"]))
    reward = await create_reward(client, admin, cost=250)
    before_boards = await _boards(client, crowd[0])
    before_me = [await me(client, p) for p in crowd]
    ledger_rows = await PointsLedger.count()

    for person in crowd:
        resp = await redeem(client, person, reward["id"])
        assert resp.status_code == 201, resp.text

    assert await _boards(client, crowd[0]) == before_boards
    assert await PointsLedger.count() == ledger_rows
    for person, before in zip(crowd, before_me, strict=True):
        after = await me(client, person)
        assert after["balance"] == before["balance"] - 250
        for kept in ("points", "level", "nextLevelPoints", "badges", "streakWeeks"):
            assert after[kept] == before[kept], kept
    # the spending ledger refuses to be rewritten, like the points ledger
    with pytest.raises(Exception, match="append-only"):
        await PointsSpent.raw("UPDATE points_spent SET delta = 1")


# ---- deciding -----------------------------------------------------------------------------


async def test_reject_gives_back_points_and_stock_fulfil_keeps_them_and_each_is_once(client):
    admin = await signup(client, org="Acme")
    sam = await add_member(client, admin, name="Sam Member")
    await earn(sam, 100)
    reward = await create_reward(client, admin, cost=40, stock=2)
    first = (await redeem(client, sam, reward["id"])).json()
    second = (await redeem(client, sam, reward["id"])).json()
    assert (await me(client, sam))["balance"] == 20
    queue = await client.get(
        "/api/v1/admin/redemptions", params={"status": "requested"}, headers=bearer(admin)
    )
    assert [r["id"] for r in queue.json()["items"]] == [first["id"], second["id"]]  # oldest first
    assert queue.json()["items"][0]["userName"] == "Sam Member"
    assert queue.json()["items"][0]["email"] == sam.email
    overview = await client.get("/api/v1/admin/overview", headers=bearer(admin))
    assert overview.json()["redemptions"] == 2

    rejected = await client.post(
        f"/api/v1/admin/redemptions/{first['id']}/reject",
        json={"note": "Out of this flavour, sorry."},
        headers=bearer(admin),
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert (await me(client, sam))["balance"] == 60
    seen = await admin_reward(client, admin, reward["id"])
    assert (seen["held"], seen["fulfilled"], seen["remaining"]) == (1, 0, 1)

    fulfilled = await client.post(
        f"/api/v1/admin/redemptions/{second['id']}/fulfil",
        json={"note": "Code: BEAN-42"},
        headers=bearer(admin),
    )
    assert fulfilled.status_code == 200, fulfilled.text
    assert fulfilled.json()["note"] == "Code: BEAN-42"
    assert (await me(client, sam))["balance"] == 60
    seen = await admin_reward(client, admin, reward["id"])
    assert (seen["held"], seen["fulfilled"], seen["remaining"]) == (0, 1, 1)

    for done, action in ((first, "fulfil"), (first, "reject"), (second, "reject")):
        again = await client.post(
            f"/api/v1/admin/redemptions/{done['id']}/{action}", json={}, headers=bearer(admin)
        )
        assert_problem(again, 409, detail_contains="already")
    assert (await me(client, sam))["balance"] == 60

    mine = (await client.get("/api/v1/me/redemptions", headers=bearer(sam))).json()["items"]
    assert [(r["id"], r["status"], r["note"]) for r in mine] == [
        (second["id"], "fulfilled", "Code: BEAN-42"),
        (first["id"], "rejected", "Out of this flavour, sorry."),
    ]
    assert all(r["decidedAt"] for r in mine)
    inbox = (await client.get("/api/v1/notifications", headers=bearer(sam))).json()["items"]
    titles = [n["title"] for n in inbox]
    assert "Your reward is ready: Coffee voucher" in titles
    assert "About your reward: Coffee voucher" in titles
    assert any("Code: BEAN-42" in n["body"] for n in inbox)
    assert any(n["body"].startswith("Your 40 points are back.") for n in inbox)
    overview = await client.get("/api/v1/admin/overview", headers=bearer(admin))
    assert overview.json()["redemptions"] == 0


async def test_a_decision_with_an_empty_body_is_taken_and_the_filter_shows_it(client):
    admin = await signup(client, org="Acme")
    (sam,) = await people(admin, 1)
    await earn(sam, 50)
    reward = await create_reward(client, admin, cost=50)
    made = (await redeem(client, sam, reward["id"])).json()
    url = f"/api/v1/admin/redemptions/{made['id']}/fulfil"
    assert_problem(await client.post(url, headers=bearer(admin)), 400)  # a body, even `{}`
    resp = await client.post(url, json={}, headers=bearer(admin))
    assert resp.status_code == 200, resp.text
    assert resp.json()["note"] is None
    for status, expected in (("requested", []), ("fulfilled", [made["id"]]), ("rejected", [])):
        listed = await client.get(
            "/api/v1/admin/redemptions", params={"status": status}, headers=bearer(admin)
        )
        assert [r["id"] for r in listed.json()["items"]] == expected


# ---- who may redeem what ------------------------------------------------------------------


async def test_the_per_person_limit_holds(client):
    admin = await signup(client, org="Acme")
    (sam,) = await people(admin, 1)
    await earn(sam, 1000)
    reward = await create_reward(client, admin, cost=10, perPersonLimit=2)
    answers = await asyncio.gather(*(redeem(client, sam, reward["id"]) for _ in range(6)))
    assert sorted(a.status_code for a in answers) == [201, 201, 409, 409, 409, 409]
    refused = next(a for a in answers if a.status_code == 409)
    assert_problem(refused, 409, detail_contains="as often as one person may")
    listed = (await client.get("/api/v1/rewards", headers=bearer(sam))).json()["items"]
    assert listed[0]["myRedemptions"] == 2
    # a rejected one no longer counts toward the limit
    mine = (await client.get("/api/v1/me/redemptions", headers=bearer(sam))).json()["items"]
    await client.post(
        f"/api/v1/admin/redemptions/{mine[0]['id']}/reject", json={}, headers=bearer(admin)
    )
    assert (await redeem(client, sam, reward["id"])).status_code == 201


async def test_a_price_changed_since_it_was_seen_is_409_and_spends_nothing(client):
    admin = await signup(client, org="Acme")
    (sam,) = await people(admin, 1)
    await earn(sam, 100)
    reward = await create_reward(client, admin, cost=30)
    await client.patch(
        f"/api/v1/admin/rewards/{reward['id']}", json={"cost": 40}, headers=bearer(admin)
    )
    assert_problem(
        await redeem(client, sam, reward["id"], json={"expectedCost": 30}),
        409,
        detail_contains="changed to 40 points",
    )
    assert (await me(client, sam))["balance"] == 100
    made = await redeem(client, sam, reward["id"], json={"expectedCost": 40})
    assert made.status_code == 201 and made.json()["cost"] == 40


async def test_balance_short_is_409_with_its_own_words(client):
    admin = await signup(client, org="Acme")
    (sam,) = await people(admin, 1)
    await earn(sam, 29)
    reward = await create_reward(client, admin, cost=30)
    assert_problem(
        await redeem(client, sam, reward["id"], json={}),
        409,
        detail_contains="costs 30 points and your balance is 29 points",
    )
    assert await Redemption.count() == 0


async def test_window_team_and_retirement_decide_what_is_shown_and_redeemable(client):
    admin = await signup(client, org="Acme")
    sales = await create_team(client, admin, "Sales")
    ops = await create_team(client, admin, "Ops")
    (sam,) = await people(admin, 1, team_id=sales["id"])
    await earn(sam, 1000)
    now = datetime.now(UTC)
    later = await create_reward(
        client, admin, name="Later", startsAt=(now + timedelta(days=1)).isoformat()
    )
    over = await create_reward(
        client,
        admin,
        name="Over",
        startsAt=(now - timedelta(days=2)).isoformat(),
        endsAt=(now - timedelta(days=1)).isoformat(),
    )
    theirs = await create_reward(client, admin, name="Ops only", teamIds=[ops["id"]])
    ours = await create_reward(client, admin, name="Sales only", teamIds=[sales["id"]])
    retired = await create_reward(client, admin, name="Retired")
    resp = await client.patch(
        f"/api/v1/admin/rewards/{retired['id']}", json={"active": False}, headers=bearer(admin)
    )
    assert resp.status_code == 200 and resp.json()["active"] is False

    listed = (await client.get("/api/v1/rewards", headers=bearer(sam))).json()["items"]
    assert [r["name"] for r in listed] == ["Sales only"]
    assert_problem(
        await redeem(client, sam, later["id"]), 409, detail_contains="not be redeemed yet"
    )
    assert_problem(await redeem(client, sam, over["id"]), 409, detail_contains="time is over")
    assert_problem(await redeem(client, sam, theirs["id"]), 404)
    assert_problem(await redeem(client, sam, retired["id"]), 409, detail_contains="retired")
    assert (await redeem(client, sam, ours["id"])).status_code == 201
    everything = (await client.get("/api/v1/admin/rewards", headers=bearer(admin))).json()
    assert len(everything["items"]) == 5  # the console sees retired ones too
    # and bringing it back makes it redeemable again
    await client.patch(
        f"/api/v1/admin/rewards/{retired['id']}", json={"active": True}, headers=bearer(admin)
    )
    assert (await redeem(client, sam, retired["id"])).status_code == 201


async def test_editing_changes_fields_and_never_takes_away_promised_units(client):
    admin = await signup(client, org="Acme")
    (sam,) = await people(admin, 1)
    await earn(sam, 1000)
    reward = await create_reward(client, admin, cost=10, stock=5, valueCents=450)
    for _ in range(3):
        assert (await redeem(client, sam, reward["id"])).status_code == 201
    url = f"/api/v1/admin/rewards/{reward['id']}"
    assert_problem(
        await client.patch(url, json={"stock": 2}, headers=bearer(admin)),
        409,
        detail_contains="cannot be less than 3",
    )
    resp = await client.patch(
        url,
        json={"stock": 3, "name": "Big coffee", "cost": 15, "valueCents": None},
        headers=bearer(admin),
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["stock"], body["remaining"], body["name"], body["cost"]) == (
        3,
        0,
        "Big coffee",
        15,
    )
    assert body["valueCents"] is None
    assert body["description"] == reward["description"]  # left out: kept
    resp = await client.patch(url, json={"stock": None}, headers=bearer(admin))
    assert (resp.json()["stock"], resp.json()["remaining"]) == (None, None)
    # the redemptions keep the price they were made at
    mine = (await client.get("/api/v1/me/redemptions", headers=bearer(sam))).json()["items"]
    assert {r["cost"] for r in mine} == {10}
    assert {r["rewardName"] for r in mine} == {"Big coffee"}


# ---- budget -------------------------------------------------------------------------------


async def test_the_budget_adds_up_and_its_csv_says_the_same(client):
    admin = await signup(client, org="Acme")
    crowd = await people(admin, 3)
    for person in crowd:
        await earn(person, 200)
    coffee = await create_reward(client, admin, cost=30, valueCents=350)
    hoodie = await create_reward(client, admin, name="Hoodie", cost=120, valueCents=4000)
    made = []
    for person, reward in zip(crowd, (coffee, hoodie, coffee), strict=True):
        made.append((await redeem(client, person, reward["id"])).json())
    extra = (await redeem(client, crowd[0], coffee["id"])).json()
    await client.post(
        f"/api/v1/admin/redemptions/{made[0]['id']}/fulfil", json={}, headers=bearer(admin)
    )
    await client.post(
        f"/api/v1/admin/redemptions/{made[1]['id']}/fulfil", json={}, headers=bearer(admin)
    )
    await client.post(
        f"/api/v1/admin/redemptions/{extra['id']}/reject", json={}, headers=bearer(admin)
    )

    resp = await client.get("/api/v1/admin/rewards/budget", headers=bearer(admin))
    assert resp.status_code == 200, resp.text
    budget = resp.json()
    month = datetime.now(UTC).strftime("%Y-%m")
    assert budget == {
        "pointsOutstanding": 600 - 30 - 120 - 30,
        "pointsSpent": 30 + 120 + 30,
        "pointsHeld": 30,
        "fulfilled": 2,
        "months": [{"month": month, "pointsSpent": 180, "fulfilled": 2, "valueCents": 350 + 4000}],
    }
    balances = [(await me(client, p))["balance"] for p in crowd]
    assert sum(balances) == budget["pointsOutstanding"]

    resp = await client.get("/api/v1/admin/rewards/budget.csv", headers=bearer(admin))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.text)))
    assert rows == [
        ["month", "points_spent", "fulfilled", "value_cents"],
        [month, "180", "2", "4350"],
        ["total", "180", "2", "4350"],
    ]


def test_a_csv_cell_that_would_be_a_formula_is_quoted():
    from backend.rewards.schemas import Budget, BudgetMonth
    from backend.rewards.service import budget_csv

    report = Budget(
        points_outstanding=0,
        points_spent=1,
        points_held=0,
        fulfilled=0,
        months=[BudgetMonth(month="=HYPERLINK(1)", points_spent=1, fulfilled=0, value_cents=0)],
    )
    assert "'=HYPERLINK(1)" in budget_csv(report)


# ---- bad input, wrong people --------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "x"},
        {"cost": 10},
        {"name": "x", "cost": -5},
        {"name": "x", "cost": 0},
        {"name": "x", "cost": "10"},
        {"name": 5, "cost": 10},
        {"name": "x" * 121, "cost": 10},
        {"name": "x", "cost": 10, "description": "d" * 2001},
        {"name": "x", "cost": 10, "stock": -1},
        {"name": "x", "cost": 10, "perPersonLimit": 0},
        {"name": "x", "cost": 10, "valueCents": -1},
        {"name": "x", "cost": 10, "teamIds": ["not-a-uuid"]},
        {"name": "x", "cost": 10, "startsAt": "yesterday"},
        {"name": "x", "cost": 10, "startsAt": "2026-12-01T00:00:00"},  # no time zone
        {"name": "x", "cost": 10, "unknown": 1},
        {"name": "   ", "cost": 10},
        {"name": "x", "cost": 10, "imageUrl": "javascript:alert(1)"},
        {"name": "x", "cost": 10, "imageUrl": "http://example.com/a.png"},
        {
            "name": "x",
            "cost": 10,
            "startsAt": "2026-12-02T00:00:00Z",
            "endsAt": "2026-12-01T00:00:00Z",
        },
    ],
)
async def test_bad_reward_bodies_are_4xx_problems(client, body):
    admin = await signup(client, org="Acme")
    resp = await client.post("/api/v1/admin/rewards", json=body, headers=bearer(admin))
    assert resp.status_code in (400, 422), resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")


async def test_bad_patch_and_decision_bodies_are_4xx(client):
    admin = await signup(client, org="Acme")
    (sam,) = await people(admin, 1)
    await earn(sam, 100)
    reward = await create_reward(client, admin)
    made = (await redeem(client, sam, reward["id"])).json()
    url = f"/api/v1/admin/rewards/{reward['id']}"
    for body in ({"cost": None}, {"cost": -1}, {"active": "no"}, {"name": ""}, {"x": 1}):
        resp = await client.patch(url, json=body, headers=bearer(admin))
        assert resp.status_code in (400, 422), (body, resp.text)
    decide = f"/api/v1/admin/redemptions/{made['id']}/fulfil"
    for body in ({"note": 5}, {"note": "n" * 1001}, {"other": 1}, []):
        resp = await client.post(decide, json=body, headers=bearer(admin))
        assert resp.status_code in (400, 422), (body, resp.text)
    for body in ({"extra": 1}, {"expectedCost": "30"}, {"expectedCost": 0}, [], None):
        resp = await redeem(client, sam, reward["id"], json=body)
        assert resp.status_code in (400, 422), (body, resp.text)
    resp = await client.get(
        "/api/v1/admin/redemptions", params={"status": "lost"}, headers=bearer(admin)
    )
    assert resp.status_code == 400
    assert (await client.get("/api/v1/rewards?limit=0", headers=bearer(sam))).status_code == 400
    assert (await client.get("/api/v1/rewards?cursor=zzz", headers=bearer(sam))).status_code == 422


async def test_employees_may_not_run_the_catalogue_and_others_ids_are_404(client):
    admin = await signup(client, org="Acme")
    (sam,) = await people(admin, 1)
    await earn(sam, 100)
    reward = await create_reward(client, admin)
    made = (await redeem(client, sam, reward["id"])).json()
    for method, url in (
        ("GET", "/api/v1/admin/rewards"),
        ("POST", "/api/v1/admin/rewards"),
        ("PATCH", f"/api/v1/admin/rewards/{reward['id']}"),
        ("GET", "/api/v1/admin/redemptions"),
        ("POST", f"/api/v1/admin/redemptions/{made['id']}/fulfil"),
        ("POST", f"/api/v1/admin/redemptions/{made['id']}/reject"),
        ("GET", "/api/v1/admin/rewards/budget"),
        ("GET", "/api/v1/admin/rewards/budget.csv"),
        ("GET", "/api/v1/admin/raffles"),
        ("POST", "/api/v1/admin/raffles"),
    ):
        body = reward_body() if method != "GET" else None
        resp = await client.request(method, url, json=body, headers=bearer(sam))
        assert_problem(resp, 403)
    assert (await client.get("/api/v1/rewards")).status_code == 401

    other = await signup(client, org="Globex")
    (olga,) = await people(other, 1)
    await earn(olga, 100)
    assert_problem(await redeem(client, olga, reward["id"]), 404)
    assert (await client.get("/api/v1/rewards", headers=bearer(olga))).json()["items"] == []
    assert_problem(
        await client.patch(
            f"/api/v1/admin/rewards/{reward['id']}", json={"cost": 1}, headers=bearer(other)
        ),
        404,
    )
    for action in ("fulfil", "reject"):
        assert_problem(
            await client.post(
                f"/api/v1/admin/redemptions/{made['id']}/{action}",
                json={},
                headers=bearer(other),
            ),
            404,
        )
    listed = await client.get("/api/v1/admin/redemptions", headers=bearer(other))
    assert listed.json()["items"] == []
    # a team of another organization cannot be an audience
    foreign = await create_team(client, other, "Theirs")
    resp = await client.post(
        "/api/v1/admin/rewards", json=reward_body(teamIds=[foreign["id"]]), headers=bearer(admin)
    )
    assert_problem(resp, 404)
    assert (await me(client, sam))["balance"] == 70


async def test_a_redemption_with_one_key_is_one_redemption_even_at_once(client):
    admin = await signup(client, org="Acme")
    (sam,) = await people(admin, 1)
    await earn(sam, 100)
    reward = await create_reward(client, admin, cost=30)
    headers = {**bearer(sam), "Idempotency-Key": "redeem-coffee-1"}
    url = f"/api/v1/rewards/{reward['id']}/redemptions"
    first, second = await asyncio.gather(
        client.post(url, json={}, headers=headers), client.post(url, json={}, headers=headers)
    )
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert await Redemption.count() == 1
    assert (await me(client, sam))["balance"] == 70
    created = [
        await client.post(
            "/api/v1/admin/rewards",
            json=reward_body(name="Hoodie"),
            headers={**bearer(admin), "Idempotency-Key": "hoodie"},
        )
        for _ in range(2)
    ]
    assert created[0].json() == created[1].json()
    assert (
        len((await client.get("/api/v1/admin/rewards", headers=bearer(admin))).json()["items"]) == 2
    )


async def test_the_demo_organization_has_a_catalogue_and_a_coffee_to_hand_out(client, tmp_path):
    from backend.demo import DEMO_ADMIN, DEMO_TEAMS, _email, seed_demo

    await seed_demo(tmp_path)
    password = (tmp_path / "demo-password").read_text().strip()

    async def login(email: str) -> Account:
        resp = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert resp.status_code == 200, resp.text
        client.cookies.clear()
        return Account(resp.json()["accessToken"], "", "", email)

    admin = await login(DEMO_ADMIN)
    priya = await login(_email(DEMO_TEAMS["Marketing"][0]))
    names = [
        r["name"]
        for r in (await client.get("/api/v1/rewards", headers=bearer(priya))).json()["items"]
    ]
    assert set(names) == {"Coffee voucher", "Northwind hoodie", "A donation to charity"}
    queue = await client.get(
        "/api/v1/admin/redemptions", params={"status": "requested"}, headers=bearer(admin)
    )
    assert [(r["rewardName"], r["email"]) for r in queue.json()["items"]] == [
        ("Coffee voucher", priya.email)
    ]
    profile = await me(client, priya)
    assert profile["balance"] == profile["points"] - 50


async def test_the_person_gets_a_push_with_the_note_when_it_is_fulfilled(client, push_service):
    admin = await signup(client, org="Acme")
    sam = await add_member(client, admin)
    sub = push_service.subscription()
    resp = await client.post("/api/v1/push/subscriptions", json=sub, headers=bearer(sam))
    assert resp.status_code == 201, resp.text
    await earn(sam, 100)
    reward = await create_reward(client, admin, cost=40)
    made = (await redeem(client, sam, reward["id"])).json()
    await client.post(
        f"/api/v1/admin/redemptions/{made['id']}/fulfil",
        json={"note": "Pick it up at reception."},
        headers=bearer(admin),
    )
    await run_worker_burst()
    assert push_service.rejected == []
    pushed = [m["payload"] for m in push_service.messages if m["payload"]["category"] == "reward"]
    assert [(p["title"], p["body"], p["url"]) for p in pushed] == [
        ("Your reward is ready: Coffee voucher", "Pick it up at reception.", "/rewards")
    ]


async def test_image_links_are_checked_like_every_stored_url(client):
    from tests.test_hostile_input import REFUSED, URL_TRICKS

    admin = await signup(client, org="Acme")
    for url, outcomes in URL_TRICKS.items():
        expected = outcomes.get("official", REFUSED)  # official links are checked the same way
        resp = await client.post(
            "/api/v1/admin/rewards", json=reward_body(imageUrl=url), headers=bearer(admin)
        )
        if expected is REFUSED:
            problem = assert_problem(resp, 422, detail_contains="image")
            assert problem["errors"][0]["field"] == "imageUrl"
        else:
            assert resp.status_code == 201, (url, resp.text)
            assert resp.json()["imageUrl"] == expected
    made = await create_reward(client, admin)
    resp = await client.patch(
        f"/api/v1/admin/rewards/{made['id']}",
        json={"imageUrl": "http://example.com/a.png"},
        headers=bearer(admin),
    )
    assert_problem(resp, 422, detail_contains="https://")
    resp = await client.patch(
        f"/api/v1/admin/rewards/{made['id']}",
        json={"imageUrl": "https://cdn.example.com/coffee.png"},
        headers=bearer(admin),
    )
    assert resp.json()["imageUrl"] == "https://cdn.example.com/coffee.png"
    resp = await client.patch(
        f"/api/v1/admin/rewards/{made['id']}", json={"imageUrl": None}, headers=bearer(admin)
    )
    assert resp.json()["imageUrl"] is None
