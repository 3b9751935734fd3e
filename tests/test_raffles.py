"""Raffles anyone can audit: the seed's hash is published before the draw, the draw comes only
after the period, once, and recomputing it from the revealed seed and the published ticket
list (with a few lines written here, not the server's code) gives the same winners. Tickets
come from points earned in the period only, capped per person."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from backend.orgs.tables import User
from tests.helpers import Account, assert_problem, bearer, ledger_award, signup
from tests.test_rewards import create_reward, people, redeem


def recompute(seed_hex: str, entries: list[dict[str, Any]], count: int) -> list[str]:
    """chorus-raffle-v1, as its documentation states it."""
    seed = bytes.fromhex(seed_hex)
    left = sorted((e["userId"], e["tickets"]) for e in entries)
    picked = []
    counter = 0
    while left and len(picked) < count:
        digest = hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        index = int.from_bytes(digest, "big") % sum(t for _, t in left)
        at = 0
        while index >= left[at][1]:
            index -= left[at][1]
            at += 1
        picked.append(left.pop(at)[0])
        counter += 1
    return picked


def raffle_body(start: datetime, end: datetime, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "November raffle",
        "periodStart": start.isoformat(),
        "periodEnd": end.isoformat(),
        "winners": 3,
        "pointsPerTicket": 10,
        "maxTicketsPerPerson": 5,
    }
    body.update(overrides)
    return body


async def earn(account: Account, points: int, at: datetime) -> None:
    await ledger_award(UUID(account.org_id), UUID(account.user_id), points, at=at)


async def test_the_draw_is_recomputable_from_the_published_seed_and_ticket_list(client):
    admin = await signup(client, org="Acme")
    crowd = await people(admin, 12)
    now = datetime.now(UTC)
    start, end = now - timedelta(days=30), now - timedelta(seconds=1)
    for n, person in enumerate(crowd):
        await earn(person, 10 * n + 5, at=start + timedelta(days=1))  # 0..11 tickets earned
    await earn(crowd[0], 500, at=start - timedelta(days=1))  # before the period: no tickets
    await earn(crowd[1], 500, at=end + timedelta(days=1))  # after it: none either
    # spending in the period is not a ticket lost
    reward = await create_reward(client, admin, cost=10)
    assert (await redeem(client, crowd[11], reward["id"])).status_code == 201

    made = await client.post(
        "/api/v1/admin/raffles",
        json=raffle_body(start, end, rewardId=reward["id"]),
        headers=bearer(admin),
    )
    assert made.status_code == 201, made.text
    raffle = made.json()
    assert raffle["status"] == "open"
    assert raffle["seed"] is None and raffle["entries"] == [] and raffle["winners"] == []
    assert len(raffle["seedSha256"]) == 64
    assert raffle["rewardName"] == "Coffee voucher"
    public = await client.get(f"/api/v1/raffles/{raffle['id']}", headers=bearer(crowd[3]))
    assert public.status_code == 200 and public.json()["seed"] is None

    drawn = await client.post(f"/api/v1/admin/raffles/{raffle['id']}/draw", headers=bearer(admin))
    assert drawn.status_code == 200, drawn.text
    result = (await client.get(f"/api/v1/raffles/{raffle['id']}", headers=bearer(crowd[3]))).json()
    assert result["status"] == "drawn"
    assert result["algorithm"] == "chorus-raffle-v1"
    assert hashlib.sha256(bytes.fromhex(result["seed"])).hexdigest() == raffle["seedSha256"]
    tickets = {e["userId"]: e["tickets"] for e in result["entries"]}
    expected = {
        p.user_id: min((10 * n + 5) // 10, 5) for n, p in enumerate(crowd) if (10 * n + 5) >= 10
    }
    assert tickets == expected  # capped at 5, nothing outside the period
    assert [e["userId"] for e in result["entries"]] == sorted(tickets)
    winners = [w["userId"] for w in result["winners"]]
    assert len(winners) == 3 and len(set(winners)) == 3
    assert winners == recompute(result["seed"], result["entries"], result["winnerCount"])
    assert [w["position"] for w in result["winners"]] == [1, 2, 3]

    again = await client.post(f"/api/v1/admin/raffles/{raffle['id']}/draw", headers=bearer(admin))
    assert again.status_code == 200
    assert again.json() == drawn.json()
    listed = (await client.get("/api/v1/admin/raffles", headers=bearer(admin))).json()["items"]
    assert [r["id"] for r in listed] == [raffle["id"]]


async def test_a_draw_before_the_period_ends_is_409_and_two_draws_at_once_agree(client):
    admin = await signup(client, org="Acme")
    crowd = await people(admin, 5)
    now = datetime.now(UTC)
    for person in crowd:
        await earn(person, 50, at=now - timedelta(hours=1))
    early = await client.post(
        "/api/v1/admin/raffles",
        json=raffle_body(now - timedelta(days=1), now + timedelta(days=1)),
        headers=bearer(admin),
    )
    assert_problem(
        await client.post(
            f"/api/v1/admin/raffles/{early.json()['id']}/draw", headers=bearer(admin)
        ),
        409,
        detail_contains="not ended",
    )
    done = await client.post(
        "/api/v1/admin/raffles",
        json=raffle_body(now - timedelta(days=1), now, winners=10),
        headers=bearer(admin),
    )
    url = f"/api/v1/admin/raffles/{done.json()['id']}/draw"
    first, second = await asyncio.gather(
        client.post(url, headers=bearer(admin)), client.post(url, headers=bearer(admin))
    )
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert len(first.json()["winners"]) == 5  # fewer people than winners: everyone wins once


async def test_people_hidden_from_boards_hold_tickets_but_not_their_names_in_public(client):
    admin = await signup(client, org="Acme")
    shy, open_ = await people(admin, 2)
    await User.raw(
        "UPDATE app_user SET hide_from_leaderboards = true WHERE id = {}", UUID(shy.user_id)
    )
    now = datetime.now(UTC)
    for person in (shy, open_):
        await earn(person, 100, at=now - timedelta(hours=2))
    raffle = (
        await client.post(
            "/api/v1/admin/raffles",
            json=raffle_body(now - timedelta(days=1), now, winners=2),
            headers=bearer(admin),
        )
    ).json()
    admin_view = (
        await client.post(f"/api/v1/admin/raffles/{raffle['id']}/draw", headers=bearer(admin))
    ).json()
    public = (await client.get(f"/api/v1/raffles/{raffle['id']}", headers=bearer(open_))).json()
    names = {e["userId"]: e["name"] for e in public["entries"]}
    assert names[shy.user_id] is None and names[open_.user_id] == "Person 2"
    assert {w["name"] for w in public["winners"]} == {None, "Person 2"}
    assert {e["name"] for e in admin_view["entries"]} == {"Person 1", "Person 2"}


async def test_bad_raffles_are_4xx_and_other_organizations_see_404(client):
    admin = await signup(client, org="Acme")
    now = datetime.now(UTC)
    start, end = now - timedelta(days=1), now
    for overrides in (
        {"winners": 0},
        {"winners": 101},
        {"pointsPerTicket": 0},
        {"maxTicketsPerPerson": -1},
        {"name": "n" * 121},
        {"name": None},
        {"periodEnd": "tomorrow"},
        {"winners": "3"},
        {"rewardId": "nope"},
        {"periodEnd": (start - timedelta(hours=1)).isoformat()},
    ):
        resp = await client.post(
            "/api/v1/admin/raffles",
            json=raffle_body(start, end, **overrides),
            headers=bearer(admin),
        )
        assert resp.status_code in (400, 422), (overrides, resp.text)
    raffle = (
        await client.post(
            "/api/v1/admin/raffles", json=raffle_body(start, end), headers=bearer(admin)
        )
    ).json()
    other = await signup(client, org="Globex")
    theirs = await create_reward(client, other)
    resp = await client.post(
        "/api/v1/admin/raffles",
        json=raffle_body(start, end, rewardId=theirs["id"]),
        headers=bearer(admin),
    )
    assert_problem(resp, 404)
    assert_problem(await client.get(f"/api/v1/raffles/{raffle['id']}", headers=bearer(other)), 404)
    assert_problem(
        await client.post(f"/api/v1/admin/raffles/{raffle['id']}/draw", headers=bearer(other)),
        404,
    )
    (sam,) = await people(admin, 1)
    assert_problem(
        await client.post(f"/api/v1/admin/raffles/{raffle['id']}/draw", headers=bearer(sam)), 403
    )
