"""Rank movement since yesterday: every live board's competition ranks at the end of yesterday.

The invariant: `…:ranks:<day>:<board>` holds member → rank as the ledger rows created before
the organization's midnight that ends `<day>` rank them, for every people board (the whole
organization's and each team's) of today's week, today's month and all time. It is a pure
function of the ledger: a cron job writes it just after each organization's midnight, and a
reader that finds it missing (Redis came back empty, the job has not run yet) computes it the
same way. Readers hold it in memory for minutes, so movement costs no Redis round trip on the
hot path. A board whose period started today (or has closed) has no yesterday: movement null.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from redis.exceptions import RedisClusterException, RedisError

from backend.core import clock
from backend.leaderboards import keys, store
from backend.leaderboards.boards import org_timezone
from backend.points.tables import PointsLedger

log = logging.getLogger("chorus.leaderboards")

RANKS_TTL_SECONDS = 3 * 24 * 3600  # read for one day; kept a little longer for late time zones
HELD_SECONDS = 300.0  # how long a process trusts what it read (the ranks of a past day hold)
RETRY_SECONDS = 2.0  # after a failure or while another process computes them
COMPUTE_WAIT_SECONDS = 5.0

# Mirrors the rebuild (boards._REBUILD_SQL): the same rows, cut at a midnight, two periods.
_RANKS_SQL = """
WITH rows AS (
    SELECT l."user", t.id AS team, l.delta,
           'w' || to_char(l.created_at AT TIME ZONE {}, 'IYYY-IW') AS wk,
           'm' || to_char(l.created_at AT TIME ZONE {}, 'YYYY-MM') AS mo
    FROM points_ledger l LEFT JOIN team t ON t.id = l.team
    WHERE l.org = {} AND l.created_at < {}
), periods AS (
    SELECT r.*, p.period FROM rows r, LATERAL (VALUES (r.wk), (r.mo), ('all')) AS p(period)
    WHERE p.period = ANY({}::text[])
)
SELECT NULL::text AS team, "user"::text AS member, period, sum(delta)::bigint AS points
FROM periods GROUP BY "user", period
UNION ALL
SELECT team::text, "user"::text, period, sum(delta)::bigint
FROM periods WHERE team IS NOT NULL GROUP BY team, "user", period
"""


@dataclass(frozen=True, slots=True)
class Day:
    """Where "yesterday" is for an organization at some minute."""

    yesterday: date
    midnight: datetime  # the local midnight that ended yesterday
    live: frozenset[str]  # period ids (and "all") that went on across that midnight


def day_at(tz: str, now: datetime) -> Day:
    return _day_at_minute(tz, now.replace(second=0, microsecond=0))


@functools.lru_cache(maxsize=4096)
def _day_at_minute(tz: str, now: datetime) -> Day:
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    midnight = datetime.combine(today, datetime.min.time(), zone)
    before = {slot.id for slot in keys.slots_at(midnight - timedelta(minutes=1), tz)}
    after = {slot.id for slot in keys.slots_at(midnight, tz)}
    return Day(today - timedelta(days=1), midnight, frozenset(before & after))


def competition_ranks(points: dict[str, int]) -> dict[str, int]:
    """member → 1 + how many have more points (1, 2, 2, 4), as boards rank."""
    ordered = sorted(points.values(), reverse=True)
    first_at: dict[int, int] = {}
    for index, value in enumerate(ordered):
        first_at.setdefault(value, index + 1)
    return {member: first_at[value] for member, value in points.items()}


async def compute_ranks(org_id: UUID, day: Day, tz: str) -> dict[str, dict[str, int]]:
    """board key → member → rank at `day.midnight`, from the ledger alone."""
    rows = await PointsLedger.raw(_RANKS_SQL, tz, tz, org_id, day.midnight, sorted(day.live))
    boards: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        team = row["team"]
        key = (
            keys.users_key(org_id, row["period"])
            if team is None
            else keys.team_members_key(org_id, team, row["period"])
        )
        boards[key][row["member"]] = int(row["points"])
    return {key: competition_ranks(points) for key, points in boards.items()}


async def store_ranks(redis: Redis, org_id: UUID, day: Day, tz: str) -> int:
    """Compute yesterday's ranks from the ledger and store them, the mark last (one MULTI);
    safe to run twice: the same ledger gives the same ranks. Returns how many boards. (On a
    cluster, a pipeline in order: readers look for the mark, which still comes last.)"""
    redis = store.client(redis)
    ranks = await compute_ranks(org_id, day, tz)
    async with redis.pipeline(transaction=not store.is_cluster(redis)) as multi:
        for board_key, members in ranks.items():
            key = keys.ranks_key(board_key, day.yesterday)
            items = list(members.items())
            for start in range(0, len(items), 5000):
                multi.hset(key, mapping=dict(items[start : start + 5000]))
            multi.expire(key, RANKS_TTL_SECONDS)
        multi.set(keys.ranks_mark_key(org_id, day.yesterday), len(ranks), ex=RANKS_TTL_SECONDS)
        await multi.execute()
    return len(ranks)


async def ensure_ranks(redis: Redis, org_id: UUID) -> bool:
    """The cron job's step for one organization: store its yesterday's ranks unless they are
    there. Returns True when it computed them."""
    tz = await org_timezone(org_id)
    day = day_at(tz, clock.now())
    if await store.client(redis).exists(keys.ranks_mark_key(org_id, day.yesterday)):
        return False
    await store_ranks(redis, org_id, day, tz)
    return True


@dataclass(frozen=True, slots=True)
class Yesterday:
    """One board's ranks at the end of yesterday; `generation` changes with every load, so
    pages built from an older load are not served with a newer one."""

    ranks: dict[str, int]
    generation: int


class RankHistory:
    """Per process: board key and day → the ranks at the end of that day, held for minutes."""

    def __init__(self, redis: Redis) -> None:
        self.redis = store.client(redis)
        self._held: dict[str, tuple[float, float, Yesterday | None]] = {}
        self._loading: dict[str, asyncio.Future[Yesterday | None]] = {}
        self._generation = 0

    async def yesterday(self, org_id: UUID, board_key: str, tz: str) -> Yesterday | None:
        """The board's ranks at the end of yesterday; None when it has no yesterday (its period
        began today or has closed) or they cannot be had right now."""
        day = day_at(tz, clock.now())
        if board_key.rsplit(":", 1)[1] not in day.live:
            return None
        key = keys.ranks_key(board_key, day.yesterday)
        held = self._held.get(key)
        now = time.monotonic()
        if held is not None and now - held[0] < held[1]:
            return held[2]
        pending = self._loading.get(key)
        if pending is not None:  # one load per board, however many readers wait for it
            return await asyncio.shield(pending)
        future: asyncio.Future[Yesterday | None] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            try:
                found = await self._load(org_id, key, day, tz)
                hold = HELD_SECONDS if found is not None else RETRY_SECONDS
            # the board still reads, without movement
            except (RedisError, RedisClusterException, OSError, TimeoutError) as exc:
                log.warning("yesterday's ranks unavailable: %s", exc)
                found, hold = None, RETRY_SECONDS
            if len(self._held) > 10_000:
                self._held.clear()
            self._held[key] = (time.monotonic(), hold, found)
            future.set_result(found)
            return found
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters get it, nobody logs it as lost
            raise
        finally:
            del self._loading[key]

    async def _load(self, org_id: UUID, key: str, day: Day, tz: str) -> Yesterday | None:
        mark = keys.ranks_mark_key(org_id, day.yesterday)
        for _ in range(2):
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.exists(mark)
                pipe.hgetall(key)
                stored, raw = await pipe.execute()
            if stored:
                self._generation += 1
                ranks = {_text(member): int(rank) for member, rank in raw.items()}
                return Yesterday(ranks, self._generation)
            await self._compute(org_id, day, tz)
        return None

    async def _compute(self, org_id: UUID, day: Day, tz: str) -> None:
        """Missing (Redis restarted empty, or just past midnight before the cron job): one
        process computes them from the ledger, the others wait for its mark a moment."""
        mark = keys.ranks_mark_key(org_id, day.yesterday)
        lock = f"{mark}:computing"
        if await self.redis.set(lock, "1", nx=True, ex=60):
            try:
                await store_ranks(self.redis, org_id, day, tz)
            finally:
                await self.redis.delete(lock)
            return
        for _ in range(round(COMPUTE_WAIT_SECONDS / 0.05)):
            if await self.redis.exists(mark):
                return
            await asyncio.sleep(0.05)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
