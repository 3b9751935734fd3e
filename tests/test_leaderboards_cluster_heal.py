"""A master of the boards' Redis Cluster dies mid-run and comes back empty: the boards heal.

Awards run for several organizations spread over the three masters (tests/cluster.py); one
master's valkey-server is killed with SIGKILL mid-run and started again on its port with its
nodes.conf, owning the same slots and holding nothing (no persistence, no replica). Awards made
meanwhile wait in the board outbox; the organizations whose boards were on that master lost
their rebuild mark, so the relay holds their rows and asks for a rebuild, which the real
worker runs and readers run too (backend/leaderboards/boards.py `ensure_built`). The test
asserts that the boards' client reconnects (backend/leaderboards/store.py: redis-py 5 alone
could stay disconnected for good), that every board then equals the ledger, that the ledger
holds exactly the awards made (none lost, none doubled) and that reconcile finds no drift left.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from typing import Any
from uuid import UUID, uuid4

import pytest

from backend.leaderboards import boards, keys
from backend.points.tables import PointsLedger
from tests.helpers import add_member, bearer, create_team, ledger_award, run_worker_burst, signup
from tests.test_outbox import board_differences, outbox_rows

SAFETY_NET_SECONDS = 120.0  # never reached when things work; a loaded machine stays well inside
DELTAS = (5, 10, 10, 25, -10)


class _Org:
    def __init__(self, admin: Any, team_id: UUID, people: list[Any]) -> None:
        self.id = UUID(admin.org_id)
        self.team_id = team_id
        self.people = people
        self.awarded: Counter[str] = Counter()  # user id → points this test awarded
        self.count = 0


async def _org(client: Any, redis: Any) -> _Org:
    admin = await signup(client)
    team = await create_team(client, admin, "Red")
    people = [
        await add_member(client, admin, team_id=team["id"], name=f"Red {n}") for n in range(3)
    ]
    await boards.rebuild(redis, UUID(admin.org_id))  # its boards start built
    return _Org(admin, UUID(team["id"]), people)


def _master_of(cluster: Any, org_id: UUID) -> int:
    return int(cluster.get_node_from_key(keys.mark_key(org_id)).port)


async def _awards(org: _Org, seed: int, stop: asyncio.Event) -> None:
    """Awards at a steady pace until told to stop; each one recorded once it is in the ledger."""
    rng = random.Random(seed)
    challenge = uuid4()
    while not stop.is_set():
        person = rng.choice(org.people)
        delta = rng.choice(DELTAS)
        await ledger_award(
            org.id,
            UUID(person.user_id),
            delta,
            team_id=org.team_id,
            challenge_id=challenge if rng.random() < 0.5 else None,
        )
        org.awarded[person.user_id] += delta
        org.count += 1
        await asyncio.sleep(rng.uniform(0.01, 0.05))


async def _reads(client: Any, org: _Org, stop: asyncio.Event, statuses: Counter[int]) -> None:
    """A reader of the users' board: 200, or 503 while the boards cannot be read."""
    while not stop.is_set():
        resp = await client.get("/api/v1/leaderboards/users", headers=bearer(org.people[0]))
        statuses[resp.status_code] += 1
        await asyncio.sleep(0.2)


async def _ledger(org_id: UUID) -> tuple[int, dict[str, int]]:
    rows = await PointsLedger.raw(
        'SELECT "user"::text AS member, count(*) AS n, sum(delta)::bigint AS points '
        'FROM points_ledger WHERE org = {} GROUP BY "user"',
        org_id,
    )
    return sum(int(r["n"]) for r in rows), {r["member"]: int(r["points"]) for r in rows}


async def _healed(client: Any, cluster: Any, orgs: list[_Org]) -> list[str]:
    """What still differs ([] once healed); reads the boards as a person does meanwhile."""
    pending = []
    for org in orgs:
        resp = await client.get("/api/v1/leaderboards/users", headers=bearer(org.people[0]))
        if resp.status_code != 200:
            pending.append(f"{org.id}: read {resp.status_code}")
            continue
        if await outbox_rows(org.id):
            pending.append(f"{org.id}: outbox not drained")
            continue
        differ = await board_differences(cluster, org.id)
        if differ:
            pending.append(f"{org.id}: {differ}")
    return pending


@pytest.mark.slow
async def test_a_master_killed_mid_run_comes_back_empty_and_the_boards_heal_from_the_ledger(
    app, client, redis_cluster, cluster_boards, monkeypatch
):
    redis = app.state.redis
    orgs: list[_Org] = []
    while len(orgs) < 20:  # the victim holds two organizations or more, the others two more
        orgs.append(await _org(client, redis))
        owners = Counter(_master_of(cluster_boards, org.id) for org in orgs)
        victim, most = owners.most_common(1)[0]
        if len(orgs) >= 5 and most >= 2 and len(orgs) - most >= 2:
            break
    on_victim = [org for org in orgs if _master_of(cluster_boards, org.id) == victim]
    assert len(on_victim) >= 2 and len(orgs) - len(on_victim) >= 2

    stop = asyncio.Event()
    statuses: Counter[int] = Counter()
    workload = [
        asyncio.create_task(_awards(org, seed, stop)) for seed, org in enumerate(orgs, 1)
    ] + [asyncio.create_task(_reads(client, org, stop, statuses)) for org in orgs[:3]]
    try:
        await asyncio.sleep(1.5)
        before_kill = sum(org.count for org in orgs)
        redis_cluster.kill(victim)  # SIGKILL
        await asyncio.sleep(4.0)  # past the cluster's node timeout: the cluster is down
        # same port, same nodes.conf: the same node, owning the same slots, holding nothing
        held = await asyncio.to_thread(redis_cluster.restart, victim)
        restarted = sum(org.count for org in orgs)
        await asyncio.sleep(2.0)  # awards go on against the restarted master
    finally:
        stop.set()
        await asyncio.gather(*workload)
    assert held == 0
    assert before_kill > 0 and restarted > before_kill  # awards ran through the outage
    assert sum(org.count for org in orgs) > restarted
    assert set(statuses) <= {200, 503}, statuses

    # Heal: the relay drains the outbox, the worker runs the rebuilds the relay asked for,
    # readers rebuild what they find missing.
    started = time.monotonic()
    while pending := await _healed(client, cluster_boards, orgs):
        if time.monotonic() - started > SAFETY_NET_SECONDS:
            raise AssertionError(f"the boards did not heal: {pending}")
        await run_worker_burst()
        await asyncio.sleep(0.2)

    for org in orgs:  # none lost, none doubled: the ledger holds what was awarded, once
        count, sums = await _ledger(org.id)
        assert count == org.count
        assert sums == {user: points for user, points in org.awarded.items()}
        board = await cluster_boards.zrange(keys.users_key(org.id, "all"), 0, -1, withscores=True)
        assert {m.decode(): keys.points_of(s) for m, s in board} == sums
        assert await board_differences(cluster_boards, org.id) == []
    monkeypatch.setattr(boards, "QUIET_SECONDS", 0)
    for org in orgs:  # the last net has nothing left to repair
        assert await boards.reconcile(redis, org.id) == []
    reader = orgs[0].people[0]
    resp = await client.get("/api/v1/leaderboards/users", headers=bearer(reader))
    assert resp.status_code == 200
    me = resp.json()["me"]
    if reader.user_id in orgs[0].awarded:
        assert me["points"] == orgs[0].awarded[reader.user_id]


async def test_a_rebuild_lock_whose_answer_was_lost_is_still_taken(
    app, client, cluster_boards, monkeypatch
):
    """redis-py's cluster client sends a command again when its connection drops before the
    answer: a SET NX of the rebuild lock that had been applied then finds its own key. The
    rebuild must go ahead (it used to wait for a lock nobody held, until it expired)."""
    org = await _org(client, app.state.redis)
    real_set = cluster_boards.set

    async def answer_lost(*args: Any, **kwargs: Any) -> Any:
        await real_set(*args, **kwargs)  # applied; its answer lost
        return await real_set(*args, **kwargs)  # the retry's answer

    monkeypatch.setattr(cluster_boards, "set", answer_lost)
    await cluster_boards.delete(keys.mark_key(org.id))  # the boards are lost
    assert await boards.ensure_built(app.state.redis, org.id, wait_seconds=1.0) is True
    assert await cluster_boards.exists(keys.mark_key(org.id))
    assert not await cluster_boards.exists(keys.lock_key(org.id))  # released
