"""Team goals: progress per team, and a bonus for each contributor, once."""

import asyncio
from uuid import UUID

from backend.fetch.client import SafeFetcher
from backend.points.tables import PointsLedger
from backend.submissions.verification import verify
from tests.helpers import (
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    create_team,
    run_worker_burst,
    signup,
)


async def _team_of(client, admin, name, size):
    team = await create_team(client, admin, name)
    return team, [await add_member(client, admin, team_id=team["id"]) for _ in range(size)]


def _post(i: int) -> str:
    return f"https://www.linkedin.com/feed/update/urn:li:activity:{1000 + i}"


async def _bonuses():
    rows = await PointsLedger.select(PointsLedger.user, PointsLedger.delta).where(
        PointsLedger.reason == "team_goal"
    )
    return sorted((str(r["user"]), r["delta"]) for r in rows)


async def test_reaching_the_goal_pays_each_contributor_once(client, settings):
    admin = await signup(client)
    red, reds = await _team_of(client, admin, "Red", 4)
    _, blues = await _team_of(client, admin, "Blue", 2)
    ch = await create_challenge(
        client, admin, verification="trust", teamGoal={"shares": 3, "bonus": 15}
    )
    assert ch["teamGoal"] == {"shares": 3, "bonus": 15}
    ids = []
    for i, person in enumerate([*reds[:3], blues[0]]):
        resp = await client.post(
            f"/api/v1/challenges/{ch['id']}/submissions",
            json={"network": "linkedin", "postUrl": _post(i)},
            headers=bearer(person),
        )
        ids.append(resp.json()["id"])
    # the three Red shares are verified at the same moment: the goal is crossed together
    fetcher = SafeFetcher(allow_hosts=settings.fetch_allow_list)
    try:
        await asyncio.gather(
            *[verify(UUID(i), fetcher=fetcher, settings=settings, attempt=1) for i in ids]
        )
    finally:
        await fetcher.aclose()
    assert await _bonuses() == sorted((p.user_id, 15) for p in reds[:3])
    progress = (
        await client.get(f"/api/v1/challenges/{ch['id']}/team-goal", headers=bearer(reds[3]))
    ).json()
    assert progress["target"] == 3
    by_name = {t["name"]: t for t in progress["teams"]}
    assert (by_name["Red"]["verifiedShares"], by_name["Red"]["reached"]) == (3, True)
    assert (by_name["Blue"]["verifiedShares"], by_name["Blue"]["reached"]) == (1, False)
    # a later contributor is paid when their share is verified; nobody is paid twice
    late = await client.post(
        f"/api/v1/challenges/{ch['id']}/submissions",
        json={"network": "linkedin", "postUrl": _post(9)},
        headers=bearer(reds[3]),
    )
    assert late.status_code == 202
    await run_worker_burst()
    assert await _bonuses() == sorted((p.user_id, 15) for p in reds)
    assert red["id"]


async def test_no_goal_no_bonus_and_goals_stay_in_the_organization(client):
    admin = await signup(client)
    _, people = await _team_of(client, admin, "Solo", 1)
    plain = await create_challenge(client, admin, verification="trust")
    resp = await client.get(f"/api/v1/challenges/{plain['id']}/team-goal", headers=bearer(admin))
    assert_problem(resp, 404, detail_contains="no team goal")
    await client.post(
        f"/api/v1/challenges/{plain['id']}/submissions",
        json={"network": "linkedin", "postUrl": _post(1)},
        headers=bearer(people[0]),
    )
    await run_worker_burst()
    assert await _bonuses() == []
    goal = await create_challenge(client, admin, title="Goal", teamGoal={"shares": 1, "bonus": 5})
    other = await signup(client, org="Other")
    resp = await client.get(f"/api/v1/challenges/{goal['id']}/team-goal", headers=bearer(other))
    assert_problem(resp, 404)
    for bad in ({"shares": 0}, {"shares": 2, "bonus": -1}, {"bonus": 5}, {"shares": "ten"}):
        resp = await client.post(
            "/api/v1/admin/challenges",
            json={
                "title": "Bad goal",
                "contentUrl": "https://example.com/",
                "networks": ["x"],
                "points": 1,
                "startsAt": "2026-01-01T00:00:00Z",
                "endsAt": "2027-01-01T00:00:00Z",
                "teamGoal": bad,
            },
            headers=bearer(admin),
        )
        assert resp.status_code == 400, bad
