"""Badges: rules at, below and above their thresholds, awarded once, through the real paths."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from backend import events
from backend.badges import service as badges
from backend.badges.tables import UserBadge
from backend.points.tables import PointsLedger
from tests.helpers import (
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    ledger_award,
    run_worker_burst,
    signup,
)
from tests.test_submissions import POST_URL, _click, _setup, _submit


async def _codes(client, person):
    listed = (await client.get("/api/v1/badges", headers=bearer(person))).json()
    return {b["code"] for b in listed if b["earnedAt"]}


async def test_a_first_verified_share_earns_first_share_and_its_points_once(app, client):
    _, employee, ch, _ = await _setup(client, verification="trust", points=40)
    await _submit(client, employee, ch)
    await run_worker_burst()
    assert await _codes(client, employee) == {"first-share"}
    me = (await client.get("/api/v1/me", headers=bearer(employee))).json()
    assert me["badges"] == ["first-share"]
    assert me["points"] == 20 + 10  # trust pays half of 40, the badge 10
    # the same events again award nothing more
    for _ in range(2):
        assert await badges.evaluate(UUID(employee.user_id)) == []
    rows = await PointsLedger.select(PointsLedger.reason).where(PointsLedger.reason == "badge")
    assert len(rows) == 1
    assert await UserBadge.count() == 1


async def test_the_badge_list_shows_progress_toward_locked_badges(client):
    _, employee, ch, _ = await _setup(client, verification="trust")
    await _submit(client, employee, ch)
    await run_worker_burst()
    listed = {
        b["code"]: b for b in (await client.get("/api/v1/badges", headers=bearer(employee))).json()
    }
    assert listed["first-share"]["earnedAt"] is not None
    assert listed["shares-5"]["earnedAt"] is None
    assert listed["shares-5"]["progress"] == {"current": 1, "target": 5}
    assert listed["points-500"]["progress"] == {"current": 35, "target": 500}
    assert listed["first-share"]["iconUrl"] == "/badges/icons/spark.svg"
    icon = await client.get(listed["first-share"]["iconUrl"])
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in icon.text


async def _award_points(org_id: UUID, user_id: UUID, delta: int) -> None:
    await ledger_award(org_id, user_id, delta)


@pytest.mark.parametrize(("points", "earned"), [(499, False), (500, True), (501, True)])
async def test_points_rule_at_below_and_above_its_threshold(client, points, earned):
    admin = await signup(client)
    employee = await add_member(client, admin)
    await _award_points(UUID(admin.org_id), UUID(employee.user_id), points)
    assert ("points-500" in await _codes(client, employee)) is earned


@pytest.mark.parametrize(("clicks", "earned"), [(2, False), (3, True), (4, True)])
async def test_unique_clicks_rule_at_below_and_above_its_threshold(app, client, clicks, earned):
    admin, employee, _, link = await _setup(client, verification="review")
    made = await client.post(
        "/api/v1/admin/badges",
        json={
            "code": "reach-3",
            "name": "Three readers",
            "icon": "ripple",
            "rule": {"type": "unique_clicks", "threshold": 3},
            "points": 7,
        },
        headers=bearer(admin),
    )
    assert made.status_code == 201, made.text
    agents = [f"Mozilla/5.0 (Reader {i}) Chrome/126.0" for i in range(clicks)]
    await _click(app, client, link["code"], [*agents, "Twitterbot/1.0"])  # bots never count
    assert ("reach-3" in await _codes(client, employee)) is earned


async def test_challenge_and_pillar_rules(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    pillar = (
        await client.post(
            "/api/v1/admin/pillars",
            json={"title": "Customers", "message": "First."},
            headers=bearer(admin),
        )
    ).json()
    first = await create_challenge(
        client, admin, title="One", verification="trust", pillarId=pillar["id"]
    )
    second = await create_challenge(
        client, admin, title="Two", verification="trust", pillarId=pillar["id"]
    )
    for body in (
        {
            "code": "did-one",
            "name": "Did one",
            "icon": "flag",
            "rule": {"type": "challenge_completed", "challengeId": first["id"]},
        },
        {
            "code": "customer-champion",
            "name": "Customer champion",
            "icon": "pillar",
            "rule": {"type": "pillar_champion", "threshold": 2, "pillarId": pillar["id"]},
        },
    ):
        assert (
            await client.post("/api/v1/admin/badges", json=body, headers=bearer(admin))
        ).status_code == 201
    await _submit(client, employee, first)
    await run_worker_burst()
    codes = await _codes(client, employee)
    assert "did-one" in codes
    assert "customer-champion" not in codes
    await _submit(
        client, employee, second, "https://www.linkedin.com/feed/update/urn:li:activity:77"
    )
    await run_worker_burst()
    assert "customer-champion" in await _codes(client, employee)


async def test_admin_badge_rules_are_validated_and_guarded(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    other = await signup(client, org="Other")
    theirs = await create_challenge(client, other, title="Theirs")
    good = {"code": "x1", "name": "X", "icon": "star", "rule": {"type": "points", "threshold": 5}}
    for body, status in [
        ({**good, "code": "Bad Code"}, 400),
        ({**good, "icon": "skull"}, 400),
        ({**good, "rule": {"type": "streak_of_luck"}}, 400),
        ({**good, "rule": {"type": "points", "threshold": 0}}, 400),
        ({**good, "points": -1}, 400),
        ({**good, "rule": {"type": "challenge_completed"}}, 422),
        ({**good, "rule": {"type": "challenge_completed", "challengeId": theirs["id"]}}, 404),
        ({**good, "rule": {"type": "pillar_champion", "pillarId": str(uuid4())}}, 404),
    ]:
        resp = await client.post("/api/v1/admin/badges", json=body, headers=bearer(admin))
        assert resp.status_code == status, (body, resp.text)
    assert_problem(
        await client.post("/api/v1/admin/badges", json=good, headers=bearer(employee)), 403
    )
    assert (
        await client.post("/api/v1/admin/badges", json=good, headers=bearer(admin))
    ).status_code == 201
    assert_problem(await client.post("/api/v1/admin/badges", json=good, headers=bearer(admin)), 409)
    their_badges = (await client.get("/api/v1/badges", headers=bearer(other))).json()
    assert "x1" not in {b["code"] for b in their_badges}
    mine = (await client.get("/api/v1/badges", headers=bearer(admin))).json()
    retired = next(b for b in mine if b["code"] == "x1")
    assert_problem(
        await client.delete(f"/api/v1/admin/badges/{retired['id']}", headers=bearer(other)), 404
    )
    assert (
        await client.delete(f"/api/v1/admin/badges/{retired['id']}", headers=bearer(admin))
    ).status_code == 204
    after = (await client.get("/api/v1/badges", headers=bearer(admin))).json()
    assert "x1" not in {b["code"] for b in after}  # retired and never earned: gone from view


async def test_badge_notice_reaches_the_owner(client):
    notices: list[events.UserNotice] = []

    async def collect(notice: events.UserNotice) -> None:
        notices.append(notice)

    events.on_user_notice(collect)
    try:
        _, employee, ch, _ = await _setup(client, verification="trust")
        await _submit(client, employee, ch, POST_URL)
        await run_worker_burst()
    finally:
        events.remove_notice_subscriber(collect)
    badge_notices = [n for n in notices if n.kind == "badge"]
    assert [(str(n.user_id), n.data["code"]) for n in badge_notices] == [
        (employee.user_id, "first-share")
    ]


async def test_crossing_a_level_threshold_announces_the_new_level(client):
    notices: list[events.UserNotice] = []

    async def collect(notice: events.UserNotice) -> None:
        notices.append(notice)

    admin = await signup(client)
    employee = await add_member(client, admin)
    events.on_user_notice(collect)
    try:
        await _award_points(UUID(admin.org_id), UUID(employee.user_id), 60)  # level 1
        await _award_points(UUID(admin.org_id), UUID(employee.user_id), 60)  # 120: level 2
        await _award_points(UUID(admin.org_id), UUID(employee.user_id), 10)  # still 2
    finally:
        events.remove_notice_subscriber(collect)
    levels = [n.data for n in notices if n.kind == "level_up"]
    assert levels == [{"level": 2, "points": 120}]
    me = (await client.get("/api/v1/me", headers=bearer(employee))).json()
    assert (me["level"], me["nextLevelPoints"]) == (2, 250)


async def _points_at(org_id: UUID, user_id: UUID, delta: int, at: datetime) -> None:
    await ledger_award(org_id, user_id, delta, at=at, announce=False)


async def test_period_winners_are_the_top_of_the_closed_week_ties_included(client):
    from workers.tasks import award_period_winners

    admin = await signup(client)
    people = [await add_member(client, admin, name=f"P{i}") for i in range(4)]
    org_id = UUID(admin.org_id)
    made = await client.post(
        "/api/v1/admin/badges",
        json={
            "code": "week-top-2",
            "name": "Top of the week",
            "icon": "crown",
            "points": 5,
            "rule": {"type": "period_winner", "threshold": 2, "period": "week"},
        },
        headers=bearer(admin),
    )
    assert made.status_code == 201, made.text
    last_week = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # Wednesday of the week before
    for person, points in zip(people, [90, 50, 50, 10], strict=True):
        await _points_at(org_id, UUID(person.user_id), points, last_week)
    # this week's points do not count for last week
    await _points_at(org_id, UUID(people[3].user_id), 500, datetime(2026, 11, 24, tzinfo=UTC))
    from backend.core import clock

    this_wednesday = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    original = clock.now
    clock.now = lambda: this_wednesday  # type: ignore[assignment]
    try:
        assert await award_period_winners({}) == 3  # first place, and the two tied second
        assert await award_period_winners({}) == 0  # settled once
    finally:
        clock.now = original  # type: ignore[assignment]
    winners = {p.user_id for p in people if "week-top-2" in await _codes(client, p)}
    assert winners == {people[0].user_id, people[1].user_id, people[2].user_id}


async def test_badges_can_be_edited_but_not_their_rule(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    badge = next(
        b
        for b in (await client.get("/api/v1/badges", headers=bearer(admin))).json()
        if b["code"] == "first-share"
    )
    path = f"/api/v1/admin/badges/{badge['id']}"
    resp = await client.patch(
        path, json={"name": "First steps", "icon": "flag", "points": 15}, headers=bearer(admin)
    )
    assert resp.status_code == 200
    assert (resp.json()["name"], resp.json()["icon"], resp.json()["points"]) == (
        "First steps",
        "flag",
        15,
    )
    for body in ({"rule": {"type": "points"}}, {"points": -5}, {"icon": "nope"}):
        assert (await client.patch(path, json=body, headers=bearer(admin))).status_code == 400
    assert_problem(await client.patch(path, json={"name": "X"}, headers=bearer(employee)), 403)
    other = await signup(client, org="Other")
    assert_problem(await client.patch(path, json={"name": "X"}, headers=bearer(other)), 404)
    missing = await client.post(
        "/api/v1/admin/badges",
        json={
            "code": "wk",
            "name": "W",
            "icon": "crown",
            "rule": {"type": "period_winner", "threshold": 3},
        },
        headers=bearer(admin),
    )
    assert assert_problem(missing, 422)["errors"][0]["field"] == "rule.period"


@pytest.mark.parametrize(
    "rule",
    [
        "shares_count",
        "networks_used",
        "unique_clicks",
        "points",
        "streak_weeks",
        "pillar_champion",
        "challenge_completed",
    ],
)
@pytest.mark.parametrize(("value", "threshold", "met"), [(2, 3, False), (3, 3, True), (4, 3, True)])
def test_every_rule_at_below_and_above_its_threshold(rule, value, threshold, met):
    pillar, challenge = uuid4(), uuid4()
    stats = badges.Stats(
        verified_shares=value,
        unique_clicks=value,
        points=value,
        networks=value,
        streak_weeks=value,
        per_pillar={pillar: value},
        challenges={challenge} if met else set(),
    )
    wanted = 1 if rule == "challenge_completed" else threshold
    assert (stats.value(rule, challenge, pillar) >= wanted) is met


async def test_an_organization_sets_its_own_level_curve(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    default = (await client.get("/api/v1/levels", headers=bearer(employee))).json()
    assert default["thresholds"][:3] == [0, 100, 250]
    await _award_points(UUID(admin.org_id), UUID(employee.user_id), 60)
    assert (await client.get("/api/v1/me", headers=bearer(employee))).json()["level"] == 1
    resp = await client.put(
        "/api/v1/admin/levels", json={"thresholds": [0, 50, 75]}, headers=bearer(admin)
    )
    assert resp.json() == {"thresholds": [0, 50, 75]}
    me = (await client.get("/api/v1/me", headers=bearer(employee))).json()
    assert (me["level"], me["nextLevelPoints"]) == (2, 75)
    for bad, status in [([5, 50], 422), ([0, 50, 50], 422), ([0], 400), ("many", 400)]:
        resp = await client.put(
            "/api/v1/admin/levels", json={"thresholds": bad}, headers=bearer(admin)
        )
        assert resp.status_code == status, bad
    assert_problem(
        await client.put(
            "/api/v1/admin/levels", json={"thresholds": None}, headers=bearer(employee)
        ),
        403,
    )
    other = await signup(client, org="Other")
    theirs = (await client.get("/api/v1/levels", headers=bearer(other))).json()
    assert theirs == default  # one organization's curve is its own
    reset = await client.put(
        "/api/v1/admin/levels", json={"thresholds": None}, headers=bearer(admin)
    )
    assert reset.json() == default
