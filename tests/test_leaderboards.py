"""Leaderboards on real Redis, checked against the ledger in PostgreSQL and against a plain
Python model of what the boards must say."""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from backend.app import create_app
from backend.db import DB
from backend.embedded import EmbeddedRedis, free_port
from backend.leaderboards import boards, keys
from backend.leaderboards.service import MAX_STALE_SECONDS
from tests.helpers import (
    TMP_ROOT,
    add_member,
    assert_problem,
    bearer,
    client_for,
    create_team,
    ledger_award,
    signup,
)

TZ = "America/New_York"


async def _org_with_people(client, teams=(("Red", 2), ("Blue", 2))):
    admin = await signup(client)
    await DB.run_ddl(f"UPDATE organization SET timezone = '{TZ}'")
    boards._tz_cache.clear()
    people, team_ids = [], []
    for name, size in teams:
        team = await create_team(client, admin, name)
        team_ids.append(UUID(team["id"]))
        for i in range(size):
            people.append(
                (await add_member(client, admin, team_id=team["id"], name=f"{name} {i}"), team)
            )
    return admin, people, team_ids


async def _award(org_id, user_id, team_id, delta, at, challenge_id=None):
    await ledger_award(org_id, user_id, delta, at=at, team_id=team_id, challenge_id=challenge_id)


async def _all_boards(redis, org_id):
    out = {}
    for key in await boards.board_keys(redis, org_id):
        out[key] = {m.decode(): s for m, s in await redis.zrange(key, 0, -1, withscores=True)}
    return out


def _model(rows, org_id, tz):
    """What the boards must hold, computed in plain Python from the ledger rows."""
    sums: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(lambda: [0, None]))
    zone = ZoneInfo(tz)
    for user, team, challenge, delta, at in rows:
        local = at.astimezone(zone)
        year, week, _ = local.isocalendar()
        periods = [f"w{year}-{week:02d}", f"m{local.year}-{local.month:02d}", "all"]
        targets = []
        for p in periods:
            targets.append((keys.users_key(org_id, p), str(user)))
            if team:
                targets.append((keys.team_members_key(org_id, team, p), str(user)))
                targets.append((keys.teams_key(org_id, p), str(team)))
        if challenge:
            targets.append((keys.challenge_key(org_id, challenge), str(user)))
        for key, member in targets:
            cell = sums[key][member]
            cell[0] += delta
            cell[1] = at if cell[1] is None or at > cell[1] else cell[1]
    return {
        key: {m: keys.encode(points, at) for m, (points, at) in members.items()}
        for key, members in sums.items()
    }


def _ranking(board: dict[str, float]) -> list[tuple[int, str, int]]:
    """(competition rank, member, points): points down, earlier arrival first."""
    ordered = sorted(board.items(), key=lambda kv: (-kv[1], tuple(-ord(c) for c in kv[0])))
    out = []
    for index, (member, score) in enumerate(ordered):
        points = math.floor(score / keys.SCALE)
        rank = index + 1 if index == 0 or points != out[-1][2] else out[-1][0]
        out.append((rank, member, points))
    return out


SCRIPTS = st.lists(
    st.tuples(
        st.integers(0, 3),  # who
        st.sampled_from([5, 10, 10, 25, 50, -10, -50]),  # awards, ties, revocations
        st.integers(0, 24 * 40),  # hours after a Sunday-evening start: weeks and months
        st.booleans(),  # counted for a challenge
    ),
    min_size=1,
    max_size=25,
)


@pytest.mark.slow
@hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(SCRIPTS)
async def test_boards_always_equal_the_ledger(app, client, script):
    await boards_equal_the_ledger(app, client, script)


async def boards_equal_the_ledger(app, client, script):
    """The model: also run with the boards on a Redis Cluster (test_leaderboards_cluster.py)."""
    await DB.run_ddl("TRUNCATE organization CASCADE")
    await app.state.redis.flushdb()
    admin, people, _team_ids = await _org_with_people(client)
    org_id = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org_id)  # an organization's boards start built
    challenge_id = uuid4()
    start = datetime(2026, 11, 29, 20, 0, tzinfo=ZoneInfo(TZ))  # Sunday, near a month end
    rows = []
    for who, delta, hours, counted in script:
        person, team = people[who]
        at = (start + timedelta(hours=hours)).astimezone(UTC)
        chal = challenge_id if counted else None
        await _award(org_id, UUID(person.user_id), UUID(team["id"]), delta, at, chal)
        rows.append((UUID(person.user_id), UUID(team["id"]), chal, delta, at))
    live = await _all_boards(app.state.redis, org_id)
    expected = _model(rows, org_id, TZ)
    now = datetime.now(UTC).timestamp()
    expected = {
        k: v
        for k, v in expected.items()
        if (keys.expiry_of(k.rsplit(":", 1)[1], TZ) or math.inf) > now
    }
    assert live == expected
    _, from_sql = await boards.compute_from_ledger(org_id)
    assert dict(from_sql) == expected
    for key, board in live.items():
        stored = [
            (m.decode(), s) for m, s in await app.state.redis.zrevrange(key, 0, -1, withscores=True)
        ]
        assert [m for _, m, _ in _ranking(board)] == [m for m, _ in stored], key
    await app.state.redis.flushdb()  # Redis restarted empty: rebuilt from the ledger alone
    await boards.rebuild(app.state.redis, org_id)
    assert await _all_boards(app.state.redis, org_id) == live


async def _verified_points(org_id, person, team_id, delta, at=None):
    await _award(org_id, UUID(person.user_id), team_id, delta, at or datetime.now(UTC))


async def test_the_users_board_ranks_with_ties_me_and_around(app, client):
    admin, people, team_ids = await _org_with_people(client, teams=(("Red", 6),))
    org_id = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org_id)
    base = datetime.now(UTC) - timedelta(minutes=30)
    # 60, then 40 reached first by p1 then by p2 (a tie), then 30, 20, 10
    for i, (person, _), points in zip(range(5), people, [60, 40, 40, 30, 20], strict=False):
        await _verified_points(org_id, person, team_ids[0], points, base + timedelta(minutes=i))
    outsider = people[5][0]
    resp = await client.get(
        "/api/v1/leaderboards/users",
        params={"period": "week", "limit": 10},
        headers=bearer(people[2][0]),
    )
    board = resp.json()
    assert [(e["rank"], e["displayName"], e["points"]) for e in board["entries"]] == [
        (1, "Red 0", 60),
        (2, "Red 1", 40),
        (2, "Red 2", 40),
        (4, "Red 3", 30),
        (5, "Red 4", 20),
    ]
    assert board["me"] == {"rank": 2, "points": 40}
    assert [e["displayName"] for e in board["around"]] == [
        "Red 0",
        "Red 1",
        "Red 2",
        "Red 3",
        "Red 4",
    ]
    assert [e["isMe"] for e in board["around"]] == [False, False, True, False, False]
    top = (await client.get("/api/v1/leaderboards/users", headers=bearer(people[0][0]))).json()
    assert [e["displayName"] for e in top["around"]] == ["Red 0", "Red 1", "Red 2"]
    bottom = (await client.get("/api/v1/leaderboards/users", headers=bearer(people[4][0]))).json()
    assert [e["displayName"] for e in bottom["around"]] == ["Red 2", "Red 3", "Red 4"]
    nobody = (await client.get("/api/v1/leaderboards/users", headers=bearer(outsider))).json()
    assert (nobody["me"], nobody["around"], nobody["total"]) == (None, [], 5)
    paged = (
        await client.get(
            "/api/v1/leaderboards/users",
            params={"limit": 2, "offset": 2},
            headers=bearer(outsider),
        )
    ).json()
    assert [(e["rank"], e["points"]) for e in paged["entries"]] == [(2, 40), (4, 30)]
    team = (
        await client.get(
            "/api/v1/leaderboards/users",
            params={"teamId": str(team_ids[0])},
            headers=bearer(outsider),
        )
    ).json()
    assert [e["points"] for e in team["entries"]] == [60, 40, 40, 30, 20]


async def test_people_who_hide_are_anonymous_to_others_but_see_themselves(app, client):
    admin, people, team_ids = await _org_with_people(client, teams=(("Red", 2),))
    org_id = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org_id)
    shy, other = people[0][0], people[1][0]
    await client.patch("/api/v1/me", json={"hideFromLeaderboards": True}, headers=bearer(shy))
    await _verified_points(org_id, shy, team_ids[0], 50)
    await _verified_points(org_id, other, team_ids[0], 10)
    seen = (await client.get("/api/v1/leaderboards/users", headers=bearer(other))).json()
    assert seen["entries"][0] == {
        "rank": 1,
        "userId": None,
        "displayName": "Anonymous advocate",
        "teamName": None,
        "points": 50,
        "isMe": False,
        "movement": None,
        "initials": "?",
        "colour": 0,
    }
    own = (await client.get("/api/v1/leaderboards/users", headers=bearer(shy))).json()
    assert own["entries"][0]["displayName"] == "Red 0"
    assert own["me"] == {"rank": 1, "points": 50}


async def test_people_who_hide_are_left_off_small_teams_boards(app, client):
    """On a team below the minimum size "anonymous" would name someone: a hidden person is not
    on that team's board for others (they still see themselves); on a big enough team they are
    there, anonymous."""
    admin, people, team_ids = await _org_with_people(client, teams=(("Duo", 2), ("Trio", 3)))
    org_id = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org_id)
    duo_shy, duo_other, trio_shy, trio_other = (people[i][0] for i in (0, 1, 2, 3))
    for shy in (duo_shy, trio_shy):
        hide = await client.patch(
            "/api/v1/me", json={"hideFromLeaderboards": True}, headers=bearer(shy)
        )
        assert hide.status_code == 200
    for person, team in people:
        await _verified_points(org_id, person, UUID(team["id"]), 50)

    async def board(viewer, team_id):
        resp = await client.get(
            "/api/v1/leaderboards/users", params={"teamId": str(team_id)}, headers=bearer(viewer)
        )
        assert resp.status_code == 200, resp.text
        return resp.json()

    seen = await board(duo_other, team_ids[0])
    assert [e["displayName"] for e in seen["entries"]] == ["Duo 1"]
    assert [e["displayName"] for e in seen["around"]] == ["Duo 1"]
    assert seen["total"] == 1
    assert "Anonymous advocate" not in str(seen)
    for viewer in (admin, trio_other):  # whoever looks
        assert "Anonymous advocate" not in str(await board(viewer, team_ids[0]))
    own = await board(duo_shy, team_ids[0])
    assert sorted(e["displayName"] for e in own["entries"]) == ["Duo 0", "Duo 1"]
    trio = await board(trio_other, team_ids[1])
    assert sorted(e["displayName"] for e in trio["entries"]) == [
        "Anonymous advocate",
        "Trio 1",
        "Trio 2",
    ]


async def test_team_boards_total_and_per_capita_with_small_teams_apart(app, client):
    admin, people, _team_ids = await _org_with_people(
        client, teams=(("Big", 5), ("Mid", 3), ("Tiny", 1))
    )
    org_id = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org_id)
    for person, team in people:
        points = {"Big": 20, "Mid": 30, "Tiny": 500}[team["name"]]
        await _verified_points(org_id, person, UUID(team["id"]), points)
    total = (
        await client.get(
            "/api/v1/leaderboards/teams", params={"metric": "total"}, headers=bearer(admin)
        )
    ).json()
    assert [(e["rank"], e["name"], e["points"]) for e in total["entries"]] == [
        (1, "Tiny", 500),
        (2, "Big", 100),
        (3, "Mid", 90),
    ]
    per_capita = (
        await client.get(
            "/api/v1/leaderboards/teams", params={"metric": "perCapita"}, headers=bearer(admin)
        )
    ).json()
    assert [(e["rank"], e["name"], e["points"], e["members"]) for e in per_capita["entries"]] == [
        (1, "Mid", 30, 3),
        (2, "Big", 20, 5),
    ]
    assert [(e["name"], e["rank"]) for e in per_capita["unranked"]] == [("Tiny", None)]


async def test_a_verified_share_moves_the_boards(app, client):
    from tests.helpers import run_worker_burst
    from tests.test_submissions import FIRST_SHARE_BADGE, _setup, _submit

    _, employee, ch, _ = await _setup(client, verification="trust")
    await _submit(client, employee, ch)
    await run_worker_burst()
    board = (await client.get("/api/v1/leaderboards/users", headers=bearer(employee))).json()
    expected = 25 + FIRST_SHARE_BADGE  # half of 50 under trust, and the first-share badge
    assert board["me"] == {"rank": 1, "points": expected}
    for period in ("month", "all"):
        again = (
            await client.get(
                "/api/v1/leaderboards/users", params={"period": period}, headers=bearer(employee)
            )
        ).json()
        assert again["me"]["points"] == expected
    last_week = (
        await client.get(
            "/api/v1/leaderboards/users", params={"period": "lastWeek"}, headers=bearer(employee)
        )
    ).json()
    assert last_week["me"] is None


async def test_boards_are_rebuilt_before_serving_when_redis_comes_back_empty(app, client):
    admin, people, team_ids = await _org_with_people(client, teams=(("Red", 2),))
    org_id = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org_id)
    await _verified_points(org_id, people[0][0], team_ids[0], 30)
    before = await _all_boards(app.state.redis, org_id)
    await app.state.redis.flushdb()
    resp = await client.get("/api/v1/leaderboards/users", headers=bearer(people[0][0]))
    assert resp.json()["me"] == {"rank": 1, "points": 30}
    assert await _all_boards(app.state.redis, org_id) == before
    # awards while boards are missing are not lost: they ask for a rebuild
    await app.state.redis.flushdb()
    await _verified_points(org_id, people[1][0], team_ids[0], 70)
    await asyncio.sleep(MAX_STALE_SECONDS + 0.1)  # what a process holds is at most 1 s old
    resp = await client.get("/api/v1/leaderboards/users", headers=bearer(people[1][0]))
    assert resp.json()["me"] == {"rank": 1, "points": 70}


async def test_reconcile_repairs_drift(app, client, monkeypatch):
    admin, people, team_ids = await _org_with_people(client, teams=(("Red", 2),))
    org_id = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org_id)
    await _verified_points(org_id, people[0][0], team_ids[0], 30)
    good = await _all_boards(app.state.redis, org_id)
    monkeypatch.setattr(boards, "QUIET_SECONDS", 0)
    assert await boards.reconcile(app.state.redis, org_id) == []
    key = keys.users_key(org_id, "all")
    await app.state.redis.zincrby(key, 5 * keys.SCALE, people[1][0].user_id)  # drift
    drifted = await boards.reconcile(app.state.redis, org_id)
    assert key in drifted
    assert await _all_boards(app.state.redis, org_id) == good


def test_the_rebuild_command(app):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "chorus"), "leaderboards", "rebuild"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    assert result.returncode == 0, result.stderr
    assert "rebuilt the leaderboards" in result.stdout
    bad = subprocess.run(
        [str(Path(sys.executable).parent / "chorus"), "leaderboards", "rebuild", "--org", "x"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    assert bad.returncode == 2


async def test_reads_answer_503_while_redis_is_down(settings, client):
    admin = await signup(client)
    port = free_port()
    redis = EmbeddedRedis(TMP_ROOT / f"lb-redis-{port}", persist=False, port=port)
    redis.start()
    try:
        app = create_app(msgspec.structs.replace(settings, redis_url=redis.url))
        async with client_for(app) as http:
            assert (
                await http.get("/api/v1/leaderboards/users", headers=bearer(admin))
            ).status_code == 200
            redis.kill()
            await asyncio.sleep(MAX_STALE_SECONDS + 0.1)  # past what the process may hold
            down = await http.get("/api/v1/leaderboards/users", headers=bearer(admin))
            assert_problem(down, 503)
            assert down.headers["retry-after"] == "2"
            redis.start()
            assert (
                await http.get("/api/v1/leaderboards/users", headers=bearer(admin))
            ).status_code == 200
    finally:
        redis.stop()


async def test_leaderboard_parameters_are_checked(client):
    admin = await signup(client)
    other = await signup(client, org="Other")
    their_team = await create_team(client, other, "Theirs")
    for params in (
        {"period": "decade"},
        {"limit": 0},
        {"limit": 500},
        {"offset": -1},
        {"teamId": "nope"},
        {"metric": "best"},
    ):
        path = "/api/v1/leaderboards/teams" if "metric" in params else "/api/v1/leaderboards/users"
        resp = await client.get(path, params=params, headers=bearer(admin))
        assert resp.status_code == 400, params
    resp = await client.get(
        "/api/v1/leaderboards/users", params={"teamId": their_team["id"]}, headers=bearer(admin)
    )
    assert_problem(resp, 404)
    assert_problem(await client.get("/api/v1/leaderboards/users"), 401)


async def test_memory_and_lua_reads_agree(app, client):
    from backend.core.identity import CurrentUser
    from backend.leaderboards.service import Boards

    admin, people, team_ids = await _org_with_people(client, teams=(("Red", 7),))
    org_id = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org_id)
    base = datetime.now(UTC) - timedelta(minutes=30)
    for i, (person, _) in enumerate(people[:6]):
        await _verified_points(
            org_id, person, team_ids[0], [50, 20, 20, 70, 20, 5][i], base + timedelta(minutes=i)
        )
    in_memory = Boards(app.state.redis, memory_max=1000)
    by_lua = Boards(app.state.redis, memory_max=0)
    for person, _ in people:
        me = CurrentUser(
            id=UUID(person.user_id),
            org_id=org_id,
            role="employee",
            email=person.email,
            display_name="x",
            team_id=team_ids[0],
        )
        for offset, limit in ((0, 10), (1, 2), (5, 3), (9, 5)):
            a = await in_memory.users(me, "week", limit=limit, offset=offset)
            b = await by_lua.users(me, "week", limit=limit, offset=offset)
            assert a == b, (offset, limit)
    assert in_memory._snapshots and not by_lua._snapshots


def _entry(org_id, person, team_id, delta):
    from backend.points.service import LedgerEntry

    return LedgerEntry(
        org_id=org_id,
        user_id=UUID(person.user_id),
        team_id=team_id,
        delta=delta,
        reason="test",
        idempotency_key=uuid4().hex,
    )


async def test_a_rebuild_waits_for_an_award_being_committed(app, client):
    """An award half-committed when a rebuild reads the ledger is neither left out nor counted
    twice: the rebuild waits for it (the ledger lock) and its mark then covers it."""
    from backend import events
    from backend.points import service as points

    admin, people, team_ids = await _org_with_people(client, teams=(("Red", 1),))
    org_id = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org_id)
    committed = asyncio.Event()

    async def slow_award() -> list[events.PointsAwarded]:
        async with DB.transaction():
            written = await points.append([_entry(org_id, people[0][0], team_ids[0], 40)])
            await asyncio.sleep(0.5)  # inserted, not yet committed
        committed.set()
        return written

    award = asyncio.create_task(slow_award())
    await asyncio.sleep(0.2)
    mark = await boards.rebuild(app.state.redis, org_id)
    assert committed.is_set()  # the rebuild's read waited for the commit
    written = await award
    assert mark == written[0].ledger_id
    await events.points_awarded(written)  # announced after commit: already included, skipped
    board = await _all_boards(app.state.redis, org_id)
    assert board[keys.users_key(org_id, "all")] == {
        people[0][0].user_id: pytest.approx(40 * keys.SCALE, abs=keys.SCALE - 1)
    }


async def test_an_award_arriving_during_a_rebuild_makes_it_read_again(app, client, monkeypatch):
    admin, people, team_ids = await _org_with_people(client, teams=(("Red", 2),))
    org_id = UUID(admin.org_id)
    await _verified_points(org_id, people[0][0], team_ids[0], 30)
    real_compute = boards.compute_from_ledger
    reads = 0

    async def compute_then_award(org):  # an award lands between the read and the swap
        nonlocal reads
        reads += 1
        result = await real_compute(org)
        if reads == 1:
            await _verified_points(org_id, people[1][0], team_ids[0], 70)
        return result

    monkeypatch.setattr(boards, "compute_from_ledger", compute_then_award)
    await boards.rebuild(app.state.redis, org_id)
    # at least once more; the award's outbox relay may land during the second read and flag it
    # again, so a third read is as correct
    assert 2 <= reads <= boards.REBUILD_ROUNDS
    users = (await _all_boards(app.state.redis, org_id))[keys.users_key(org_id, "all")]
    assert {member: keys.points_of(score) for member, score in users.items()} == {
        people[0][0].user_id: 30,
        people[1][0].user_id: 70,
    }
    assert not await app.state.redis.exists(keys.missed_key(org_id))


async def test_an_update_whose_answer_redis_dropped_counts_once(app, client, monkeypatch):
    """Redis counted the award and the answer was lost: the outbox row is still there, the relay
    applies it again, and the record of applied ledger ids makes that a no-op (no rebuild)."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from backend.leaderboards import outbox
    from backend.points.tables import BoardOutbox

    admin, people, team_ids = await _org_with_people(client, teams=(("Red", 1),))
    org_id = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org_id)
    kicker = outbox._kicker
    assert kicker is not None
    real_apply = kicker._apply

    async def applied_then_connection_lost(*args, **kwargs):
        await real_apply(*args, **kwargs)  # Redis counted it, then the answer was lost
        raise RedisConnectionError("Connection reset by peer")

    monkeypatch.setattr(kicker, "_apply", applied_then_connection_lost)
    await _verified_points(org_id, people[0][0], team_ids[0], 25)
    monkeypatch.setattr(kicker, "_apply", real_apply)
    for _ in range(600):  # the relay loop takes the row within a fraction of a second
        if not await BoardOutbox.count().where(BoardOutbox.org == org_id):
            break
        await asyncio.sleep(0.05)
    assert not await BoardOutbox.count().where(BoardOutbox.org == org_id)
    assert await app.state.redis.exists(keys.mark_key(org_id))  # nothing to rebuild
    await asyncio.sleep(MAX_STALE_SECONDS + 0.1)
    resp = await client.get("/api/v1/leaderboards/users", headers=bearer(people[0][0]))
    assert resp.json()["me"] == {"rank": 1, "points": 25}  # once, not twice


# -- movement since yesterday, avatars, last periods (issue 19, item 5) ----------------------


def _quiet_wednesday() -> datetime:
    """Noon (org time) on a Wednesday three or four weeks back whose Tuesday is in the same
    month: its week and month boards are still kept, and yesterday is in the same periods."""
    zone = ZoneInfo(TZ)
    day = datetime.now(zone).date() - timedelta(days=21)
    wednesday = day - timedelta(days=day.weekday()) + timedelta(days=2)
    if wednesday.day == 1:
        wednesday -= timedelta(days=7)
    return datetime(wednesday.year, wednesday.month, wednesday.day, 12, tzinfo=zone)


def _at(monkeypatch, when: datetime) -> None:
    from backend.core import clock

    monkeypatch.setattr(clock, "now", lambda: when.astimezone(UTC))


async def _users_board(client, viewer, **params):
    resp = await client.get("/api/v1/leaderboards/users", params=params, headers=bearer(viewer))
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _four_across_midnight(app, client, names=("Red 0", "Red 1", "Red 2", "Red 3")):
    """A, B, C score on Tuesday (B draws level with A a minute before midnight); after midnight
    C passes both and D scores for the first time."""
    admin = await signup(client)
    await DB.run_ddl(f"UPDATE organization SET timezone = '{TZ}'")
    boards._tz_cache.clear()
    team = await create_team(client, admin, "Red")
    people = [await add_member(client, admin, team_id=team["id"], name=n) for n in names]
    org_id, team_id = UUID(admin.org_id), UUID(team["id"])
    await boards.rebuild(app.state.redis, org_id)
    wednesday = _quiet_wednesday()
    tuesday = wednesday - timedelta(days=1)
    a, b, c, d = people
    for person, points, at in (
        (a, 50, tuesday.replace(hour=10)),
        (b, 30, tuesday.replace(hour=10)),
        (c, 10, tuesday.replace(hour=10)),
        (b, 20, tuesday.replace(hour=23, minute=59)),  # yesterday's end: A 1, B 1, C 3
        (c, 60, wednesday.replace(hour=0, minute=1)),  # today: C 70, A 50, B 50, D 5
        (d, 5, wednesday.replace(hour=9)),
    ):
        await _verified_points(org_id, person, team_id, points, at.astimezone(UTC))
    return admin, people, org_id, team_id, wednesday


async def test_movement_counts_places_since_the_end_of_yesterday(app, client, monkeypatch):
    admin, (a, b, c, d), org_id, team_id, wednesday = await _four_across_midnight(app, client)
    _at(monkeypatch, wednesday)
    expected = [("Red 2", 1, 2), ("Red 0", 2, -1), ("Red 1", 2, -1), ("Red 3", 4, None)]
    for params in ({"period": "week"}, {"period": "month"}, {"period": "all"}, {"teamId": team_id}):
        board = await _users_board(client, admin, **params)
        assert [(e["displayName"], e["rank"], e["movement"]) for e in board["entries"]] == expected
    # the caller's own row and neighbours carry it too; a newcomer's is null
    mine = await _users_board(client, d, period="all")
    assert [(e["displayName"], e["movement"]) for e in mine["around"]] == [
        ("Red 0", -1),
        ("Red 1", -1),
        ("Red 3", None),
    ]
    # what the readers stored is yesterday's ranks as the ledger says
    day = wednesday.date() - timedelta(days=1)
    stored = await app.state.redis.hgetall(keys.ranks_key(keys.users_key(org_id, "all"), day))
    assert {m.decode(): int(r) for m, r in stored.items()} == {
        a.user_id: 1,
        b.user_id: 1,
        c.user_id: 3,
    }
    # Monday: the week began today, so nobody moved on it; all time still compares with Sunday
    monday = wednesday + timedelta(days=5)
    await _verified_points(org_id, a, team_id, 5, monday.replace(hour=9).astimezone(UTC))
    _at(monkeypatch, monday)
    app.state.boards.forget(org_id)
    week = await _users_board(client, admin, period="week")
    assert [(e["displayName"], e["movement"]) for e in week["entries"]] == [("Red 0", None)]
    every = await _users_board(client, admin, period="all")
    assert [(e["displayName"], e["rank"], e["movement"]) for e in every["entries"]] == [
        ("Red 2", 1, 0),
        ("Red 0", 2, 0),
        ("Red 1", 3, -1),
        ("Red 3", 4, 0),
    ]


async def test_movement_survives_redis_coming_back_empty(app, client, monkeypatch):
    """Yesterday's ranks are a function of the ledger: lost with Redis, they are computed again
    by the first reader (here a process that never held them)."""
    from backend.leaderboards.service import Boards

    admin, _people, org_id, _team_id, wednesday = await _four_across_midnight(app, client)
    _at(monkeypatch, wednesday)
    before = await _users_board(client, admin, period="all")
    await app.state.redis.flushdb()
    app.state.boards = Boards(app.state.redis)
    try:
        after = await _users_board(client, admin, period="all")
    finally:
        app.state.boards = Boards(app.state.redis)
    assert after["entries"] == before["entries"]
    assert await app.state.redis.exists(
        keys.ranks_mark_key(org_id, wednesday.date() - timedelta(days=1))
    )


async def test_the_midnight_job_stores_yesterdays_ranks_once(app, client, monkeypatch):
    from workers import tasks

    _admin, (a, b, c, _d), org_id, team_id, wednesday = await _four_across_midnight(app, client)
    _at(monkeypatch, wednesday.replace(hour=0, minute=5))
    assert await tasks.store_yesterdays_ranks({"redis": app.state.redis}) == 1
    assert await tasks.store_yesterdays_ranks({"redis": app.state.redis}) == 0  # already there
    day = wednesday.date() - timedelta(days=1)
    for board in (keys.users_key(org_id, "all"), keys.team_members_key(org_id, team_id, "all")):
        stored = await app.state.redis.hgetall(keys.ranks_key(board, day))
        assert {m.decode(): int(r) for m, r in stored.items()} == {
            a.user_id: 1,
            b.user_id: 1,
            c.user_id: 3,
        }


async def test_entries_carry_initials_and_a_colour_that_stays_with_the_person(
    app, client, monkeypatch
):
    from backend.core.identity import CurrentUser
    from backend.leaderboards.service import Boards, colour_of

    names = ("Ada Lovelace", "grace brewster hopper", "Red 2", "42")
    admin, people, org_id, team_id, wednesday = await _four_across_midnight(app, client, names)
    _at(monkeypatch, wednesday)
    by_name = {}
    for params in ({"period": "week"}, {"period": "all"}, {"teamId": team_id}):
        for viewer in (admin, people[0], people[3]):
            for e in (await _users_board(client, viewer, **params))["entries"]:
                by_name.setdefault(e["displayName"], set()).add((e["initials"], e["colour"]))
    assert {name: seen for name, seen in by_name.items()} == {
        "Ada Lovelace": {("AL", colour_of(UUID(people[0].user_id)))},
        "grace brewster hopper": {("GH", colour_of(UUID(people[1].user_id)))},
        "Red 2": {("R", colour_of(UUID(people[2].user_id)))},
        "42": {("?", colour_of(UUID(people[3].user_id)))},
    }
    # another process gives everyone the same colour, and ids spread over all twelve
    other = Boards(app.state.redis)
    me = CurrentUser(
        id=UUID(people[0].user_id),
        org_id=org_id,
        role="employee",
        email=people[0].email,
        display_name="x",
        team_id=team_id,
    )
    elsewhere = await other.users(me, "all")
    assert {e.display_name: e.colour for e in elsewhere.entries} == {
        name: next(iter(seen))[1] for name, seen in by_name.items()
    }
    assert {colour_of(uuid4()) for _ in range(500)} == set(range(12))


async def test_hidden_people_get_no_initials_nor_a_colour_of_their_own(app, client, monkeypatch):
    from backend.leaderboards.service import colour_of

    _admin, (a, b, _c, _d), _org_id, _team_id, wednesday = await _four_across_midnight(app, client)
    hide = await client.patch("/api/v1/me", json={"hideFromLeaderboards": True}, headers=bearer(a))
    assert hide.status_code == 200
    _at(monkeypatch, wednesday)
    seen = await _users_board(client, b, period="all")
    hidden = seen["entries"][1]
    assert hidden == {
        "rank": 2,
        "userId": None,
        "displayName": "Anonymous advocate",
        "teamName": None,
        "points": 50,
        "isMe": False,
        "movement": -1,  # the place moved, as the ranks shown, says nothing of who
        "initials": "?",
        "colour": 0,
    }
    own = (await _users_board(client, a, period="all"))["entries"][1]
    assert (own["initials"], own["colour"]) == ("R", colour_of(UUID(a.user_id)))


class _RoundTrips:
    """Redis round trips made from this task (a command, or a pipeline's one exchange)."""

    def __init__(self, monkeypatch):
        import contextvars

        from redis.asyncio.client import Pipeline, Redis

        self.count = 0
        self._on = contextvars.ContextVar("counting", default=False)
        real_command, real_execute = Redis.execute_command, Pipeline.execute

        async def command(client, *args, **kwargs):
            if self._on.get():
                self.count += 1
            return await real_command(client, *args, **kwargs)

        async def execute(pipe, *args, **kwargs):
            if self._on.get() and pipe.command_stack:
                self.count += 1
            return await real_execute(pipe, *args, **kwargs)

        monkeypatch.setattr(Redis, "execute_command", command)
        monkeypatch.setattr(Pipeline, "execute", execute)

    async def of(self, awaitable) -> int:
        before = self.count
        token = self._on.set(True)
        try:
            await awaitable
        finally:
            self._on.reset(token)
        return self.count - before


async def test_movement_adds_no_redis_round_trip_to_a_warm_read(app, client, monkeypatch):
    """Yesterday's ranks are read once per board and process (then held for minutes): a read
    from memory stays at zero round trips, a held big board's read at one at most (none while
    the caller's own part is held too)."""
    from backend.core.identity import CurrentUser
    from backend.leaderboards.service import Boards

    _admin, people, org_id, team_id, wednesday = await _four_across_midnight(app, client)
    _at(monkeypatch, wednesday)
    trips = _RoundTrips(monkeypatch)
    me = CurrentUser(
        id=UUID(people[3].user_id),
        org_id=org_id,
        role="employee",
        email=people[3].email,
        display_name="x",
        team_id=team_id,
    )
    in_memory = Boards(app.state.redis)
    by_lua = Boards(app.state.redis, memory_max=0)
    # cold: the board, then yesterday's ranks (computed once from the ledger, stored, read)
    assert await trips.of(in_memory.users(me, "all")) <= 8
    # the size probe, the scripts (loaded into Redis on first use: EVALSHA refused, then
    # EVAL) and one for the ranks: a bounded handful, once
    assert await trips.of(by_lua.users(me, "all")) <= 8
    lua_warm = [await trips.of(by_lua.users(me, "all")) for _ in range(5)]
    assert max(lua_warm) <= 1
    warm = [await trips.of(in_memory.users(me, "all")) for _ in range(5)]
    assert sum(warm) <= 1  # at most one reload of the snapshot, never the ranks
    board = await by_lua.users(me, "all")
    assert [e.movement for e in board.entries] == [2, -1, -1, None]
    assert board == await in_memory.users(me, "all")


async def test_last_week_and_last_month_are_served_without_movement(app, client, monkeypatch):
    admin, people, _team_ids = await _org_with_people(client, teams=(("Red", 2),))
    org_id = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org_id)
    wednesday = _quiet_wednesday()
    a, b = people[0][0], people[1][0]
    team_id = UUID(people[0][1]["id"])
    last_week_day = wednesday - timedelta(days=7)
    last_month_day = wednesday.replace(day=1) - timedelta(days=1)
    await _verified_points(org_id, a, team_id, 40, last_week_day.astimezone(UTC))
    await _verified_points(org_id, b, team_id, 15, last_month_day.astimezone(UTC))
    _at(monkeypatch, wednesday)
    week = await _users_board(client, a, period="lastWeek")
    assert (week["period"], week["periodId"]) == (
        "lastWeek",
        keys.period_id("lastWeek", TZ, wednesday),
    )
    assert week["me"] == {"rank": 1, "points": 40}
    month = await _users_board(client, b, period="lastMonth")
    assert month["periodId"] == keys.period_id("lastMonth", TZ, wednesday)
    assert month["me"]["points"] == 15
    for board in (week, month):
        assert board["entries"] and all(e["movement"] is None for e in board["entries"])
    teams = await client.get(
        "/api/v1/leaderboards/teams", params={"period": "lastMonth"}, headers=bearer(a)
    )
    assert teams.status_code == 200
    assert_problem(
        await client.get(
            "/api/v1/leaderboards/users", params={"period": "lastYear"}, headers=bearer(a)
        ),
        400,
    )


async def test_a_big_boards_page_is_held_while_my_rank_and_neighbours_are_asked_each_read(
    app, client
):
    """A board too big to hold whole: its top page is kept for the snapshots' interval (and
    dropped sooner once pub/sub says the board changed); the caller's own rank and neighbours
    are kept too, but asked of Redis again on the first read after pub/sub says the board
    changed, so they never wait for the page."""
    from backend.core.identity import CurrentUser
    from backend.leaderboards.service import Boards

    admin, people, team_ids = await _org_with_people(client, teams=(("Red", 5),))
    org_id = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org_id)
    base = datetime.now(UTC) - timedelta(minutes=30)
    for i, (person, _) in enumerate(people):
        await _verified_points(
            org_id, person, team_ids[0], [50, 40, 30, 20, 10][i], base + timedelta(minutes=i)
        )
    last = people[4][0]
    me = CurrentUser(
        id=UUID(last.user_id),
        org_id=org_id,
        role="employee",
        email=last.email,
        display_name="x",
        team_id=team_ids[0],
    )
    by_lua = Boards(app.state.redis, memory_max=0)
    in_memory = Boards(app.state.redis)
    first = await by_lua.users(me, "week", limit=2)
    assert first == await in_memory.users(me, "week", limit=2)
    assert [e.points for e in first.entries] == [50, 40] and first.me is not None
    assert (first.me.rank, first.me.points) == (5, 10)
    assert len(by_lua._pages) == 1 and not by_lua._snapshots

    again = await by_lua.users(me, "week", limit=2)
    assert again == first  # read again at once: the caller's part held as well, no Redis call
    await _verified_points(org_id, last, team_ids[0], 100)  # now first, with 110
    by_lua.mark_dirty(str(org_id))  # what the pub/sub listener does on the board's event
    held = await by_lua.users(me, "week", limit=2)
    assert held.me is not None and (held.me.rank, held.me.points) == (1, 110)  # at once
    assert [e.points for e in held.around][:1] == [110]

    await asyncio.sleep(0.25)  # past FRESH_SECONDS: a changed board's page is read again
    fresh = await by_lua.users(me, "week", limit=2)
    assert [e.points for e in fresh.entries] == [110, 50]
    assert fresh.entries[0].is_me
    in_memory.mark_dirty(str(org_id))
    assert fresh == await in_memory.users(me, "week", limit=2)
