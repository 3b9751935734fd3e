"""Leaderboard figures: reads over HTTP against baselines on the same server, and the worker's
award throughput and the rebuild measured in this process against plain baselines."""

from __future__ import annotations

import asyncio
import random
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

SMALL = 10_000
LARGE = 1_000_000
LEDGER_ROWS = 1_000_000
LEDGER_CHUNK = 100_000
LANES = 4
AWARD_BATCH = 100  # awards per writer call, as the relay and a busy worker pass them


def signup(base: str, name: str) -> dict[str, Any]:
    with httpx.Client(base_url=base, timeout=60) as http:
        body: dict[str, Any] = http.post(
            "/api/v1/auth/signup",
            json={
                "orgName": name,
                "email": f"admin-{secrets.token_hex(4)}@bench.example",
                "password": secrets.token_urlsafe(16),
                "displayName": f"{name} Admin",
            },
        ).json()
        auth = {"Authorization": f"Bearer {body['accessToken']}"}
        for team in range(12):
            http.post("/api/v1/admin/teams", json={"name": f"Team {team:02d}"}, headers=auth)
        # the first read builds the organization's (empty) boards
        http.get("/api/v1/leaderboards/users", headers=auth).raise_for_status()
    return body


async def fill_board(redis_url: str, org_id: str, me: str, members: int) -> None:
    """A week board of `members` people (the caller among them) and a board of teams."""
    from redis.asyncio import Redis

    from backend.leaderboards import keys

    redis = Redis.from_url(redis_url)
    now = datetime.now(UTC)
    week = keys.period_id("week", "UTC", now)
    users_key = keys.users_key(org_id, week)
    rng = random.Random(7)
    try:
        batch: dict[str, float] = {me: keys.encode(500, now)}
        for i in range(members - 1):
            batch[str(uuid.UUID(int=rng.getrandbits(128)))] = keys.encode(rng.randint(0, 5000), now)
            if len(batch) >= 20_000 or i == members - 2:
                await redis.zadd(users_key, batch)
                batch = {}
        teams = {str(uuid.uuid4()): keys.encode(rng.randint(0, 50_000), now) for _ in range(12)}
        await redis.zadd(keys.teams_key(org_id, week), teams)
    finally:
        await redis.aclose()


async def award_throughput(org_id: str, awards: int = 20_000) -> tuple[float, float]:
    """(awards/s through the board writer, awards/s of a raw pipelined ZINCRBY of the same
    board updates), both with redis-py and hiredis from this process."""
    from redis.asyncio import Redis

    from backend import db, events
    from backend.leaderboards import keys
    from backend.leaderboards.boards import boards_for
    from backend.leaderboards.writer import BoardWriter
    from backend.settings import get_settings

    await db.open_pool()
    redis = Redis.from_url(get_settings().redis_url)
    org = uuid.UUID(org_id)
    now = datetime.now(UTC)
    people = [uuid.uuid4() for _ in range(1000)]
    teams = [uuid.uuid4() for _ in range(20)]
    challenge = uuid.uuid4()
    writer = BoardWriter(redis)
    batch = AWARD_BATCH
    try:
        mark = int(await redis.get(keys.mark_key(org)) or 0)
        award_events = [
            events.PointsAwarded(
                org_id=org,
                user_id=people[i % 1000],
                team_id=teams[i % 20],
                delta=10,
                reason="bench",
                challenge_id=challenge,
                submission_id=None,
                ledger_id=mark + 1 + i,
                at=now,
            )
            for i in range(awards)
        ]
        await writer.apply_many(award_events[:batch])  # warm-up: script loaded, tz cached
        batches = [award_events[i : i + batch] for i in range(batch, awards, batch)]
        updates = [
            boards_for(org, e.user_id, e.team_id, e.challenge_id, now, "UTC") for e in award_events
        ]
        chunks = [updates[i : i + batch] for i in range(0, awards, batch)]

        async def raw_lane(lane: list[list[list[tuple[str, str, int]]]]) -> None:
            for chunk in lane:
                async with redis.pipeline(transaction=False) as pipe:
                    for board_list in chunk:
                        for key, member, _ in board_list:
                            pipe.zincrby(key + ":raw", 10 * keys.SCALE, member)
                    await pipe.execute()

        async def raw_rate() -> float:
            started = time.perf_counter()
            await asyncio.gather(*[raw_lane(chunks[i::LANES]) for i in range(LANES)])
            return awards / (time.perf_counter() - started)

        async def ours_lane(lane: list[list[events.PointsAwarded]]) -> None:
            for chunk in lane:
                await writer.apply_many(chunk)

        # the machine is shared: the baseline runs right before and right after ours, and the
        # figure's baseline is their mean
        raw_before = await raw_rate()
        started = time.perf_counter()
        # A worker runs several jobs at once: four lanes of batches, as in the baseline.
        await asyncio.gather(*[ours_lane(batches[i::LANES]) for i in range(LANES)])
        ours = (awards - batch) / (time.perf_counter() - started)
        raw = (raw_before + await raw_rate()) / 2
        async for key in redis.scan_iter(match=f"{keys.prefix(org)}:*:raw"):
            await redis.delete(key)
    finally:
        await redis.aclose()
        await db.close_pool()
    return ours, raw


async def rebuild_figures(org_id: str) -> tuple[float, float, int]:
    """(seconds to rebuild all boards from LEDGER_ROWS rows, seconds to read those rows)."""
    from redis.asyncio import Redis

    from backend import db
    from backend.leaderboards.boards import rebuild
    from backend.points.tables import PointsLedger
    from backend.settings import get_settings

    await db.open_pool()
    redis = Redis.from_url(get_settings().redis_url)
    org = uuid.UUID(org_id)
    try:
        await PointsLedger.raw(
            "INSERT INTO app_user (id, org, email, display_name, password_hash, team) "
            "SELECT gen_random_uuid(), {}, 'bench' || g || '@bench.example', 'Bench ' || g, "
            "'x', (SELECT id FROM team WHERE org = {} ORDER BY name OFFSET (g % 12) LIMIT 1) "
            "FROM generate_series(1, 2000) AS g",
            org,
            org,
        )
        # in chunks: one statement stays well inside the pool's 30 s command timeout even
        # when the machine is busy
        for first in range(1, LEDGER_ROWS + 1, LEDGER_CHUNK):
            await PointsLedger.raw(
                "WITH u AS (SELECT id, team, row_number() OVER (ORDER BY id) - 1 AS n "
                "FROM app_user WHERE org = {}) "
                'INSERT INTO points_ledger (org, "user", team, delta, reason, idempotency_key, '
                "created_at) SELECT {}, u.id, u.team, 10, 'bench', "
                "'bench:' || {}::text || ':' || g, now() - make_interval(mins => g % 86400) "
                "FROM generate_series({}::int, {}::int) AS g JOIN u ON u.n = g % 2000",
                org,
                org,
                str(org),
                first,
                min(first + LEDGER_CHUNK - 1, LEDGER_ROWS),
            )
        # the rebuild below puts them on the boards: not for the relay to carry one by one
        await PointsLedger.raw("DELETE FROM board_outbox WHERE org = {}", org)
        started = time.perf_counter()
        rows = await PointsLedger.raw(
            'SELECT "user", team, challenge, delta, created_at FROM points_ledger WHERE org = {}',
            org,
        )
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        await rebuild(redis, org)
        rebuild_seconds = time.perf_counter() - started
    finally:
        await redis.aclose()
        await db.close_pool()
    return rebuild_seconds, read_seconds, len(rows)


def run_async(coro: Any) -> Any:
    return asyncio.run(coro)
