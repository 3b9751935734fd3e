"""Writing leaderboards: live updates from `points_awarded`, and rebuilds from the ledger.

Every award updates every affected board (the person's, their team's members, the teams',
the challenge's) for every period in **one Lua call**, so no reader ever sees half an award and
no two writers race. The call is skipped for ledger rows the boards already include: a rebuild
records the ledger id it read up to (the mark), so a live update and a rebuild never count a
row twice. No mark means the boards are not built (Redis came back empty, or a rebuild is under
way): the update is skipped and a rebuild is asked for, and readers rebuild before they serve.
What a race could still leave behind (an update skipped while a rebuild job was already
running), `reconcile` finds and repairs: it compares every board with the ledger whenever the
organization's ledger has been quiet for a few seconds.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend import events, jobs
from backend.db import DB
from backend.leaderboards import keys
from backend.orgs.tables import Organization
from backend.points.service import LEDGER_REBUILD_LOCK
from backend.points.tables import PointsLedger

log = logging.getLogger("chorus.leaderboards")

BOARD_EVENTS = "chorus:lb-events"  # pub/sub: which boards changed, for live readers

_APPLY = """
local mark = redis.call('GET', KEYS[1])
if not mark then
  redis.call('SET', KEYS[2], '1', 'EX', 600)
  return -1
end
if tonumber(ARGV[1]) <= tonumber(mark) then return 0 end
local delta, frac, scale = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 3, #KEYS do
  local member = ARGV[3 + 2 * (i - 2)]
  local expire_at = tonumber(ARGV[4 + 2 * (i - 2)])
  local old = redis.call('ZSCORE', KEYS[i], member)
  local new
  if old then
    old = tonumber(old)
    local points = math.floor(old / scale)
    local f = old - points * scale
    if frac < f then f = frac end
    new = (points + delta) * scale + f
  else
    new = delta * scale + frac
  end
  redis.call('ZADD', KEYS[i], new, member)
  if expire_at > 0 then redis.call('EXPIREAT', KEYS[i], expire_at) end
end
return 1
"""

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


@functools.lru_cache(maxsize=20_000)
def _script_inputs(
    org_id: UUID,
    user_id: UUID,
    team_id: UUID | None,
    challenge_id: UUID | None,
    minute: datetime,
    tz: str,
) -> tuple[list[bytes], list[bytes | int]]:
    """The apply script's keys and per-board arguments, encoded once: the same person keeps
    scoring on the same boards, and building them costs more than the Redis call."""
    boards = boards_for(org_id, user_id, team_id, challenge_id, minute, tz)
    board_keys = [keys.mark_key(org_id).encode(), keys.missed_key(org_id).encode()]
    board_keys += [key.encode() for key, _, _ in boards]
    board_args: list[bytes | int] = []
    for _, member, expire in boards:
        board_args += [member.encode(), expire]
    return board_keys, board_args


class BoardWriter:
    """Applies awards to the boards of the Redis it was given (one per process)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._apply = redis.register_script(_APPLY)

    async def _call(self, event: events.PointsAwarded, client: Any = None) -> Any:
        tz = await org_timezone(event.org_id)
        board_keys, board_args = _script_inputs(
            event.org_id,
            event.user_id,
            event.team_id,
            event.challenge_id,
            event.at.replace(second=0, microsecond=0),
            tz,
        )
        args = [event.ledger_id, event.delta, keys.fraction(event.at), keys.SCALE, *board_args]
        return await self._apply(keys=board_keys, args=args, client=client)

    async def apply(self, event: events.PointsAwarded) -> int:
        """1 applied, 0 already included, -1 boards not built (a rebuild is asked for)."""
        return (await self.apply_many([event]))[0]

    async def apply_many(self, awards: list[events.PointsAwarded]) -> list[int]:
        """Apply several awards in one round trip (a pipeline of the same Lua call)."""
        if len(awards) == 1:
            results = [int(await self._call(awards[0]))]
        else:
            async with self.redis.pipeline(transaction=False) as pipe:
                for event in awards:
                    await self._call(event, client=pipe)
                results = [int(r) for r in await pipe.execute()]
        done = list(zip(awards, results, strict=True))
        changed = {f"{e.org_id} {e.user_id} {e.team_id or '-'}" for e, r in done if r == 1}
        for message in sorted(changed):
            await self.redis.publish(BOARD_EVENTS, message)
        for org_id in sorted({e.org_id for e, r in done if r == -1}):
            await request_rebuild(self.redis, org_id)
        return results


async def request_rebuild(redis: Redis, org_id: UUID) -> None:
    """Ask a worker to rebuild (one job per organization at a time)."""
    await jobs.enqueue(redis, jobs.rebuild_leaderboards(org_id))


_REBUILD_SQL = """
WITH rows AS (
    SELECT "user", team, challenge, delta, created_at,
           'w' || to_char(created_at AT TIME ZONE {tz}, 'IYYY-IW') AS wk,
           'm' || to_char(created_at AT TIME ZONE {tz}, 'YYYY-MM') AS mo
    FROM points_ledger WHERE org = {org} AND id <= {mark}
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
    found = []
    async for key in redis.scan_iter(match=f"{keys.prefix(org_id)}:*", count=1000):
        name = key.decode() if isinstance(key, bytes) else key
        if not name.endswith((":mark", ":missed", ":rebuilding")) and ":tmp:" not in name:
            found.append(name)
    return found


REBUILD_ROUNDS = 5


async def rebuild(redis: Redis, org_id: UUID) -> int:
    """Replace every board of the organization with what the ledger says; returns the mark.

    An award that arrives while the boards are being replaced skips them and flags it; the
    rebuild then reads the ledger again, so no award is left out (bounded: under a storm of
    awards the last flag stays, and the next reader or the reconcile job rebuilds again).
    """
    for _ in range(REBUILD_ROUNDS):
        mark = await _rebuild_once(redis, org_id)
        if not await redis.delete(keys.missed_key(org_id)):
            return mark
        log.info("an award arrived during the rebuild; reading the ledger again")
    await redis.delete(keys.mark_key(org_id))  # still missing something: not built
    return mark


async def _rebuild_once(redis: Redis, org_id: UUID) -> int:
    """New boards are written under temporary names and swapped in by one MULTI, so readers see
    the old boards or the new ones, never a half-built board."""
    tz = await org_timezone(org_id)
    # From here until the swap, live updates skip (and flag it) instead of writing to boards
    # that are about to be replaced.
    await redis.delete(keys.mark_key(org_id), keys.missed_key(org_id))
    mark, boards = await compute_from_ledger(org_id)
    token = secrets.token_hex(4)
    temporary: dict[str, str] = {}
    async with redis.pipeline(transaction=False) as pipe:
        for key, members in boards.items():
            temp = f"{key}:tmp:{token}"
            temporary[key] = temp
            items = list(members.items())
            for start in range(0, len(items), 5000):
                pipe.zadd(temp, dict(items[start : start + 5000]))
            pipe.expire(temp, 600)
        await pipe.execute()
    stale = [key for key in await board_keys(redis, org_id) if key not in boards]
    async with redis.pipeline(transaction=True) as multi:
        if stale:
            multi.delete(*stale)
        for key, temp in temporary.items():
            multi.rename(temp, key)
            period = key.rsplit(":", 1)[1]
            expires = keys.expiry_of(period, tz)
            if expires is None:
                multi.persist(key)
            else:
                multi.expireat(key, expires)
        multi.set(keys.mark_key(org_id), mark)
        await multi.execute()
    await redis.publish(BOARD_EVENTS, f"{org_id} * -")
    log.info("leaderboards rebuilt", extra={"org": str(org_id), "boards": len(boards)})
    return mark


async def ensure_built(redis: Redis, org_id: UUID, wait_seconds: float = 10.0) -> bool:
    """Before serving: if the boards are missing (Redis came back empty), rebuild them once.

    Returns True when the boards were (re)built meanwhile, by us or another process.
    """
    if await redis.exists(keys.mark_key(org_id)):
        return False
    if await redis.set(keys.lock_key(org_id), "1", nx=True, ex=120):
        try:
            await rebuild(redis, org_id)
        finally:
            await redis.delete(keys.lock_key(org_id))
        return True
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while asyncio.get_running_loop().time() < deadline:  # another process is rebuilding
        await asyncio.sleep(0.05)
        if await redis.exists(keys.mark_key(org_id)):
            return True
    raise TimeoutError("leaderboards are being rebuilt")


QUIET_SECONDS = 10


async def rebuild_locked(redis: Redis, org_id: UUID, wait_seconds: float = 120) -> None:
    """Rebuild under the organization's lock (one rebuild at a time across processes)."""
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while not await redis.set(keys.lock_key(org_id), "1", nx=True, ex=300):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("another rebuild holds the lock")
        await asyncio.sleep(0.1)
    try:
        await rebuild(redis, org_id)
    finally:
        await redis.delete(keys.lock_key(org_id))


async def reconcile(redis: Redis, org_id: UUID) -> list[str]:
    """Compare every board with the ledger and rebuild if any differ; returns what differed.

    Only when the ledger has been quiet for QUIET_SECONDS: then every award's live update has
    landed, and a difference is real drift, not an update on its way.
    """
    if not await redis.exists(keys.mark_key(org_id)):
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
            for m, s in await redis.zrange(key, 0, -1, withscores=True)
        }
        if actual != expected.get(key, {}):
            drift.append(key)
    if drift:
        log.warning("leaderboard drift repaired", extra={"org": str(org_id), "boards": drift})
        await rebuild_locked(redis, org_id)
    return drift


_writer: BoardWriter | None = None
_unsure: set[UUID] = set()  # organizations whose boards may lack an award Redis did not take
_healer: asyncio.Task[None] | None = None


async def _on_award(event: events.PointsAwarded) -> None:
    if _writer is None:
        return
    try:
        await _writer.apply(event)
    except (RedisError, OSError) as exc:
        # Redis went away during the update: it may or may not have counted this award, and
        # adding it again could count it twice. Once Redis answers, the organization's boards
        # are marked unbuilt, so they are rebuilt from the ledger before anyone reads them.
        log.warning(
            "a leaderboard update failed (%s); the boards will be rebuilt from the ledger",
            exc,
            extra={"org": str(event.org_id)},
        )
        _unsure.add(event.org_id)
        _start_healer()


def _start_healer() -> None:
    global _healer
    if _healer is None or _healer.done():
        _healer = asyncio.create_task(_heal(), name="chorus-boards-heal")


async def _heal() -> None:
    delay = 0.2
    while _unsure and _writer is not None:
        org_id = next(iter(_unsure))
        try:
            await _writer.redis.delete(keys.mark_key(org_id))
        except (RedisError, OSError):
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
            continue
        _unsure.discard(org_id)
        log.info("leaderboards marked for rebuild", extra={"org": str(org_id)})


def install(redis: Redis) -> None:
    """Keep this process's boards live (see backend/subscribers.py for when)."""
    global _writer
    _writer = BoardWriter(redis)
    events.on_points_awarded(_on_award)
    if _unsure:  # left by a writer that lost its Redis before it could heal
        _start_healer()


def uninstall() -> None:
    global _writer, _healer
    events.remove_subscriber(_on_award)
    _writer = None
    if _healer is not None:
        _healer.cancel()
        _healer = None
