"""The leaderboards on a real Redis Cluster (three Valkey masters, tests/cluster.py): the same
specifications as tests/test_leaderboards.py, with the boards on the cluster and the queue and
pub/sub on the main Redis; then a master killed mid-run, and organizations spread over masters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings

from backend.leaderboards import boards, keys
from tests import test_leaderboards as single
from tests.helpers import ledger_award, signup


class _Split:
    """The Redis the single-Redis tests talk to, split as production splits it: board keys on
    the cluster, pub/sub on the main Redis."""

    def __init__(self, main: Any, cluster: Any) -> None:
        self._main, self._cluster = main, cluster

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cluster, name)

    async def publish(self, channel: str, message: str) -> Any:
        return await self._main.publish(channel, message)

    async def flushdb(self) -> Any:  # "Redis restarted empty": the boards' Redis
        from redis.asyncio.cluster import RedisCluster

        return await self._cluster.flushdb(target_nodes=RedisCluster.PRIMARIES)


class _OnCluster:
    """The app as the single-Redis tests see it, but `state.redis` reads and flushes the boards
    on the cluster."""

    class _State:
        def __init__(self, real: Any, redis: Any) -> None:
            object.__setattr__(self, "_real", real)
            object.__setattr__(self, "redis", redis)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._real, name)

        def __setattr__(self, name: str, value: Any) -> None:
            setattr(self._real, name, value)

    def __init__(self, app: Any, cluster: Any) -> None:
        self.state = self._State(app.state, _Split(app.state.redis, cluster))


SAME_SPECIFICATIONS = [
    "test_the_users_board_ranks_with_ties_me_and_around",
    "test_team_boards_total_and_per_capita_with_small_teams_apart",
    "test_a_verified_share_moves_the_boards",
    "test_boards_are_rebuilt_before_serving_when_redis_comes_back_empty",
    "test_reconcile_repairs_drift",
    "test_memory_and_lua_reads_agree",
    "test_a_rebuild_waits_for_an_award_being_committed",
    "test_an_award_arriving_during_a_rebuild_makes_it_read_again",
    "test_movement_counts_places_since_the_end_of_yesterday",
    "test_movement_survives_redis_coming_back_empty",
    "test_the_midnight_job_stores_yesterdays_ranks_once",
    "test_last_week_and_last_month_are_served_without_movement",
    "test_a_big_boards_page_is_held_while_my_rank_and_neighbours_are_asked_each_read",
]


@pytest.mark.parametrize("name", SAME_SPECIFICATIONS)
async def test_the_leaderboard_specifications_hold_on_a_cluster(
    name, app, client, cluster_boards, monkeypatch, request
):
    specification = getattr(single, name)
    wanted = specification.__code__.co_varnames[: specification.__code__.co_argcount]
    given = {"app": _OnCluster(app, cluster_boards), "client": client, "monkeypatch": monkeypatch}
    await specification(**{arg: given[arg] for arg in wanted})


@pytest.mark.slow
@pytest.mark.slow
@hsettings(  # fewer examples than on a single Redis, which explores the rest
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(single.SCRIPTS)
async def test_boards_always_equal_the_ledger_on_a_cluster(app, client, cluster_boards, script):
    await single.boards_equal_the_ledger(_OnCluster(app, cluster_boards), client, script)


async def _users_all(org_id: UUID, cluster: Any) -> dict[str, float]:
    pairs = await cluster.zrange(keys.users_key(org_id, "all"), 0, -1, withscores=True)
    return {m.decode(): keys.points_of(s) for m, s in pairs}


async def _ledger_sums(org_id: UUID) -> dict[str, int]:
    from backend.points.tables import PointsLedger

    rows = await PointsLedger.raw(
        'SELECT "user"::text AS member, sum(delta)::bigint AS points FROM points_ledger '
        'WHERE org = {} GROUP BY "user"',
        org_id,
    )
    return {row["member"]: int(row["points"]) for row in rows}


async def test_boards_of_organizations_spread_over_the_masters(app, client, cluster_boards):
    orgs = []
    for _ in range(6):
        admin = await signup(client)
        org_id = UUID(admin.org_id)
        await boards.rebuild(app.state.redis, org_id)
        await ledger_award(org_id, UUID(admin.user_id), 10, at=datetime.now(UTC))
        orgs.append(org_id)
    owners = {cluster_boards.get_node_from_key(keys.mark_key(org)).name for org in orgs}
    assert len(owners) >= 2
    for org_id in orgs:  # every key of an organization on its slot's node, and only there
        node = cluster_boards.get_node_from_key(keys.mark_key(org_id))
        found = [
            key
            async for key in cluster_boards.scan_iter(
                match=f"*{{org:{org_id}}}*", target_nodes=node
            )
        ]
        assert keys.users_key(org_id, "all").encode() in found
        assert {cluster_boards.keyslot(key) for key in found} == {
            cluster_boards.keyslot(keys.mark_key(org_id))
        }


async def test_the_kick_tells_who_an_award_passed_on_a_cluster(
    app, client, cluster_boards, monkeypatch
):
    """Who an award passed is answered by the kick's Lua call on the organization's slot: the
    "someone passed you" trigger never asks the board itself (that path fails here if taken)."""
    from backend.notifications import triggers
    from backend.notifications.tables import Notification
    from tests.helpers import add_member

    async def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the kick answered this: no read of the board")

    monkeypatch.setattr(triggers, "_passed_on_board", refuse)
    admin = await signup(client)
    ahead, behind, climber = [await add_member(client, admin, name=n) for n in ("Ada", "Bo", "Cy")]
    org = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org)
    await ledger_award(org, UUID(ahead.user_id), 50)
    await ledger_award(org, UUID(behind.user_id), 30)
    await ledger_award(org, UUID(climber.user_id), 40)  # Cy passes Bo (30), not Ada (50)
    told = await Notification.select(Notification.user, Notification.title).where(
        Notification.category == "leaderboard"
    )
    assert [(str(t["user"]), t["title"]) for t in told] == [(behind.user_id, "Cy just passed you")]
