"""Leaderboards from the ledger: which boards a ledger row counts on, and rebuilds.

Awards reach the boards through the outbox (backend/leaderboards/outbox.py): one Lua call per
batch, which skips ledger rows the boards already include. A rebuild records the ledger id it
read up to (the mark), so the relay and a rebuild never count a row twice; no mark means the
boards are not built (Redis came back empty, or a rebuild is under way), and the relay then
keeps its rows until the rebuild is done. `reconcile` is the last net: it compares every board
with the ledger whenever the organization's ledger has been quiet for a few seconds.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import defaultdict
from datetime import datetime
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend import jobs
from backend.db import DB
from backend.leaderboards import keys, store
from backend.orgs.tables import Organization
from backend.points.service import LEDGER_REBUILD_LOCK
from backend.points.tables import PointsLedger

log = logging.getLogger("chorus.leaderboards")

BOARD_EVENTS = "chorus:lb-events"  # pub/sub: which boards changed, for live readers

_tz_cache: dict[UUID, str] = {}


async def org_timezone(org_id: UUID) -> str:
    tz = _tz_cache.get(org_id)
    if tz is None:
        row = (
            await Organization.select(Organization.timezone)
            .where(Organization.id == org_id)
            .first()
        )
        tz = row["timezone"] if row else "UTC"
        _tz_cache[org_id] = tz
    return tz


def remember_timezone(org_id: UUID, tz: str) -> None:
    """The organization's time zone as just read with its outbox rows (fresher than the cache)."""
    _tz_cache[org_id] = tz


def boards_for(
    org_id: UUID,
    user_id: UUID,
    team_id: UUID | None,
    challenge_id: UUID | None,
    at: datetime,
    tz: str,
) -> list[tuple[str, str, int]]:
    """(key, member, expire-at or 0) for every board a ledger row counts on."""
    boards: list[tuple[str, str, int]] = []
    for slot in keys.slots_at(at, tz):
        expire = slot.expires_at or 0
        boards.append((keys.users_key(org_id, slot.id), str(user_id), expire))
        if team_id is not None:
            boards.append((keys.team_members_key(org_id, team_id, slot.id), str(user_id), expire))
            boards.append((keys.teams_key(org_id, slot.id), str(team_id), expire))
    if challenge_id is not None:
        boards.append((keys.challenge_key(org_id, challenge_id), str(user_id), 0))
    return boards


async def request_rebuild(redis: Redis, org_id: UUID) -> None:
    """Ask a worker to rebuild (one job per organization at a time)."""
    await jobs.enqueue(redis, jobs.rebuild_leaderboards(org_id))


_REBUILD_SQL = """
WITH rows AS (
    -- a deleted team's points stay with its members, but the team leaves the team boards
    SELECT l."user", t.id AS team, l.challenge, l.delta, l.created_at,
           'w' || to_char(l.created_at AT TIME ZONE {tz}, 'IYYY-IW') AS wk,
           'm' || to_char(l.created_at AT TIME ZONE {tz}, 'YYYY-MM') AS mo
    FROM points_ledger l LEFT JOIN team t ON t.id = l.team
    WHERE l.org = {org} AND l.id <= {mark}
), periods AS (
    SELECT r.*, p.period FROM rows r, LATERAL (VALUES (r.wk), (r.mo), ('all')) AS p(period)
)
SELECT 'users' AS board, NULL::text AS scope, "user"::text AS member, period,
       sum(delta)::bigint AS points, max(created_at) AS reached
FROM periods GROUP BY "user", period
UNION ALL
SELECT 'team', team::text, "user"::text, period, sum(delta)::bigint, max(created_at)
FROM periods WHERE team IS NOT NULL GROUP BY team, "user", period
UNION ALL
SELECT 'teams', NULL, team::text, period, sum(delta)::bigint, max(created_at)
FROM periods WHERE team IS NOT NULL GROUP BY team, period
UNION ALL
SELECT 'challenge', challenge::text, "user"::text, 'all', sum(delta)::bigint, max(created_at)
FROM rows WHERE challenge IS NOT NULL GROUP BY challenge, "user"
"""


async def compute_from_ledger(org_id: UUID) -> tuple[int, dict[str, dict[str, float]]]:
    """(the ledger id read up to, key → member → score) as the ledger says, in one snapshot."""
    tz = await org_timezone(org_id)
    async with DB.transaction():
        # Held until commit: no award of this organization is half-committed while we read
        # (they take the shared side, see points.append), so the mark and the sums agree and
        # every ledger id above the mark is written after it.
        await PointsLedger.raw(LEDGER_REBUILD_LOCK, str(org_id))
        top = await PointsLedger.raw(
            "SELECT coalesce(max(id), 0) AS mark FROM points_ledger WHERE org = {}", org_id
        )
        mark = int(top[0]["mark"])
        rows = await PointsLedger.raw(
            _REBUILD_SQL.replace("{tz}", "{}", 2).replace("{org}", "{}").replace("{mark}", "{}"),
            tz,
            tz,
            org_id,
            mark,
        )
    boards: dict[str, dict[str, float]] = defaultdict(dict)
    now = datetime.now().timestamp()
    for row in rows:
        period = row["period"]
        expires = keys.expiry_of(period, tz)
        if expires is not None and expires <= now:
            continue  # a closed period past its retention: gone from Redis too
        board = row["board"]
        if board == "users":
            key = keys.users_key(org_id, period)
        elif board == "team":
            key = keys.team_members_key(org_id, row["scope"], period)
        elif board == "teams":
            key = keys.teams_key(org_id, period)
        else:
            key = keys.challenge_key(org_id, row["scope"])
        boards[key][row["member"]] = keys.encode(int(row["points"]), row["reached"])
    return mark, boards


async def board_keys(redis: Redis, org_id: UUID) -> list[str]:
    """Every board key of the organization (on a cluster: SCAN on the node of its slot only)."""
    redis = store.client(redis)
    match = f"{keys.prefix(org_id)}:*"
    scan = (
        redis.scan_iter(match=match, count=1000)
        if not store.is_cluster(redis)
        else redis.scan_iter(
            match=match,
            count=1000,
            target_nodes=redis.get_node_from_key(keys.mark_key(org_id)),  # type: ignore[attr-defined]
        )
    )
    found = []
    async for key in scan:
        name = key.decode() if isinstance(key, bytes) else key
        bookkeeping = (":mark", ":missed", ":rebuilding", ":applied")
        if not name.endswith(bookkeeping) and ":tmp:" not in name:
            found.append(name)
    return found


REBUILD_ROUNDS = 5


async def rebuild(redis: Redis, org_id: UUID) -> int:
    """Replace every board of the organization with what the ledger says; returns the mark.

    An award that arrives while the boards are being replaced skips them and flags it; the
    rebuild then reads the ledger again, so no award is left out (bounded: under a storm of
    awards the last flag stays, and the next reader or the reconcile job rebuilds again).
    """
    boards = store.client(redis)
    for _ in range(REBUILD_ROUNDS):
        mark = await _rebuild_once(redis, org_id)
        if not await boards.delete(keys.missed_key(org_id)):
            return mark
        log.info("an award arrived during the rebuild; reading the ledger again")
    await boards.delete(keys.mark_key(org_id))  # still missing something: not built
    return mark


# The swap: one Lua call, atomic on a single Redis and on the organization's cluster slot alike
# (no MULTI on a cluster here). KEYS: mark, applied, the stale boards, then per new board its
# temporary and its final key. ARGV: the mark, how many stale, then per new board its expire-at
# (0: never). Every award recorded as applied was on the old boards, so it is at or below the
# new mark (it committed before the ledger read): the record has nothing left to guard.
_SWAP = """
local stale = tonumber(ARGV[2])
for i = 3, 2 + stale do redis.call('DEL', KEYS[i]) end
local board = 0
for i = 3 + stale, #KEYS, 2 do
  board = board + 1
  redis.call('RENAME', KEYS[i], KEYS[i + 1])
  local expire_at = tonumber(ARGV[2 + board])
  if expire_at > 0 then
    redis.call('EXPIREAT', KEYS[i + 1], expire_at)
  else
    redis.call('PERSIST', KEYS[i + 1])
  end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return board
"""


async def _rebuild_once(redis: Redis, org_id: UUID) -> int:
    """New boards are written under temporary names and swapped in by one Lua call, so readers
    see the old boards or the new ones, never a half-built board."""
    boards_redis = store.client(redis)
    tz = await org_timezone(org_id)
    # From here until the swap, live updates skip (and flag it) instead of writing to boards
    # that are about to be replaced.
    await boards_redis.delete(keys.mark_key(org_id), keys.missed_key(org_id))
    mark, boards = await compute_from_ledger(org_id)
    token = secrets.token_hex(4)
    temporary: dict[str, str] = {}
    async with boards_redis.pipeline(transaction=False) as pipe:
        for key, members in boards.items():
            temp = f"{key}:tmp:{token}"
            temporary[key] = temp
            items = list(members.items())
            for start in range(0, len(items), 5000):
                pipe.zadd(temp, dict(items[start : start + 5000]))
            pipe.expire(temp, 600)
        await pipe.execute()
    stale = [key for key in await board_keys(redis, org_id) if key not in boards]
    swap_keys = [keys.mark_key(org_id), keys.applied_key(org_id), *stale]
    swap_args: list[str | int] = [mark, len(stale)]
    for key, temp in temporary.items():
        swap_keys += [temp, key]
        swap_args.append(keys.expiry_of(key.rsplit(":", 1)[1], tz) or 0)
    await boards_redis.register_script(_SWAP)(keys=swap_keys, args=swap_args)
    await redis.publish(BOARD_EVENTS, f"{org_id} * -")
    log.info("leaderboards rebuilt", extra={"org": str(org_id), "boards": len(boards)})
    return mark


async def _lock(boards: Redis, org_id: UUID, seconds: int) -> str | None:
    """The organization's rebuild lock, by a token of ours; None while another holds it.

    A client may send a SET again after losing its answer (redis-py's cluster client retries on
    a dropped connection): the second finds the key the first set, so the token tells whether
    that holder is us. Without it the lock would be nobody's until it expires.
    """
    token = secrets.token_hex(8)
    if await boards.set(keys.lock_key(org_id), token, nx=True, ex=seconds):
        return token
    held = await boards.get(keys.lock_key(org_id))
    if held is not None and (held.decode() if isinstance(held, bytes) else held) == token:
        log.info("rebuild lock taken by a SET whose answer was lost", extra={"org": str(org_id)})
        return token
    return None


_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


async def _unlock(boards: Redis, org_id: UUID, token: str) -> None:
    """Release our lock (only ours): tried a few times, as the rebuild may have failed because
    Redis is going away; if it cannot be released it expires on its own."""
    for attempt in range(3):
        try:
            await boards.register_script(_UNLOCK)(keys=[keys.lock_key(org_id)], args=[token])
            return
        except (RedisError, OSError) as exc:
            failure = exc
            await asyncio.sleep(0.2 * (attempt + 1))
    log.warning("rebuild lock not released (%s); it expires", type(failure).__name__)


async def ensure_built(redis: Redis, org_id: UUID, wait_seconds: float = 10.0) -> bool:
    """Before serving: if the boards are missing (Redis came back empty), rebuild them once.

    Returns True when the boards were (re)built meanwhile, by us or another process.
    """
    boards = store.client(redis)
    if await boards.exists(keys.mark_key(org_id)):
        return False
    token = await _lock(boards, org_id, 120)
    if token is not None:
        try:
            await rebuild(redis, org_id)
        finally:
            await _unlock(boards, org_id, token)
        return True
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while asyncio.get_running_loop().time() < deadline:  # another process is rebuilding
        await asyncio.sleep(0.05)
        if await boards.exists(keys.mark_key(org_id)):
            return True
    raise TimeoutError("leaderboards are being rebuilt")


QUIET_SECONDS = 10


async def rebuild_locked(redis: Redis, org_id: UUID, wait_seconds: float = 120) -> None:
    """Rebuild under the organization's lock (one rebuild at a time across processes)."""
    boards = store.client(redis)
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while (token := await _lock(boards, org_id, 300)) is None:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("another rebuild holds the lock")
        await asyncio.sleep(0.1)
    try:
        await rebuild(redis, org_id)
    finally:
        await _unlock(boards, org_id, token)


async def reconcile(redis: Redis, org_id: UUID) -> list[str]:
    """Compare every board with the ledger and rebuild if any differ; returns what differed.

    Only when the ledger has been quiet for QUIET_SECONDS: then every award's live update has
    landed, and a difference is real drift, not an update on its way.
    """
    boards = store.client(redis)
    if not await boards.exists(keys.mark_key(org_id)):
        await rebuild_locked(redis, org_id)
        return ["boards missing"]
    latest = await PointsLedger.raw(
        "SELECT max(created_at) > now() - make_interval(secs => {}) AS busy "
        "FROM points_ledger WHERE org = {}",
        QUIET_SECONDS,
        org_id,
    )
    if latest and latest[0]["busy"]:
        return []
    _, expected = await compute_from_ledger(org_id)
    drift = []
    for key in set(expected) | set(await board_keys(redis, org_id)):
        actual = {
            (m.decode() if isinstance(m, bytes) else m): s
            for m, s in await boards.zrange(key, 0, -1, withscores=True)
        }
        if actual != expected.get(key, {}):
            drift.append(key)
    if drift:
        log.warning("leaderboard drift repaired", extra={"org": str(org_id), "boards": drift})
        await rebuild_locked(redis, org_id)
    return drift
