"""Reading leaderboards: top N, the caller's row and neighbours, competition ranks.

One Lua call per read returns the page, the caller's position and neighbours, and the
competition rank (1, 2, 2, 4) of every points value shown: `1 + members with more points`.
Names come from a small in-process directory, refreshed every few seconds, so a steady stream
of reads costs one Redis round trip each and no database query.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend import clock
from backend.errors import NotFound, Unavailable
from backend.leaderboards import keys
from backend.leaderboards.boards import ensure_built, org_timezone
from backend.leaderboards.schemas import (
    MyRank,
    TeamEntry,
    TeamsBoard,
    UserEntry,
    UsersBoard,
)
from backend.orgs.tables import Team, User
from backend.security import CurrentUser

ANONYMOUS = "Anonymous advocate"
DIRECTORY_TTL = 5.0

_READ = """
local key, me = KEYS[1], ARGV[1]
local offset, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local n, scale = tonumber(ARGV[4]), tonumber(ARGV[5])
local top = redis.call('ZREVRANGE', key, offset, offset + limit - 1, 'WITHSCORES')
local myrank = -1
local around = {}
if me ~= '' then
  local r = redis.call('ZREVRANK', key, me)
  if r then
    myrank = r
    local from = r - n
    if from < 0 then from = 0 end
    around = redis.call('ZREVRANGE', key, from, r + n, 'WITHSCORES')
  end
end
local ranks = {}
local seen = {}
local function rank_of(score)
  local points = math.floor(tonumber(score) / scale)
  if not seen[points] then
    seen[points] = true
    local above = redis.call('ZCOUNT', key, string.format('%.17g', (points + 1) * scale), '+inf')
    table.insert(ranks, tostring(points))
    table.insert(ranks, above + 1)
  end
end
for i = 2, #top, 2 do rank_of(top[i]) end
for i = 2, #around, 2 do rank_of(around[i]) end
return {redis.call('ZCARD', key), top, myrank, around, ranks}
"""


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    team_name: str | None
    hidden: bool


class Directory:
    """user id → name, team and privacy choice; team id → name and size. Seconds-fresh."""

    def __init__(self) -> None:
        self._people: dict[UUID, tuple[float, Person]] = {}
        self._teams: dict[UUID, tuple[float, dict[UUID, tuple[str, int]]]] = {}

    async def people(self, ids: list[UUID]) -> dict[UUID, Person]:
        now = time.monotonic()
        found: dict[UUID, Person] = {}
        missing = []
        for user_id in ids:
            cached = self._people.get(user_id)
            if cached and now - cached[0] < DIRECTORY_TTL:
                found[user_id] = cached[1]
            else:
                missing.append(user_id)
        if missing:
            rows = await User.select(
                User.id,
                User.display_name,
                User.hide_from_leaderboards,
                User.team.name.as_alias("team_name"),
            ).where(User.id.is_in(missing))
            for row in rows:
                person = Person(
                    row["display_name"], row["team_name"], row["hide_from_leaderboards"]
                )
                self._people[row["id"]] = (now, person)
                found[row["id"]] = person
            if len(self._people) > 200_000:
                self._people.clear()
        return found

    async def teams(self, org_id: UUID) -> dict[UUID, tuple[str, int]]:
        now = time.monotonic()
        cached = self._teams.get(org_id)
        if cached and now - cached[0] < DIRECTORY_TTL:
            return cached[1]
        rows = await Team.raw(
            "SELECT t.id, t.name, (SELECT count(*) FROM app_user u "
            "WHERE u.team = t.id AND u.active) AS members FROM team t WHERE t.org = {}",
            org_id,
        )
        teams = {row["id"]: (row["name"], int(row["members"])) for row in rows}
        self._teams[org_id] = (now, teams)
        return teams

    def forget(self, user_id: UUID) -> None:
        self._people.pop(user_id, None)


class Snapshot:
    """A whole board held in this process: members best first, their points and ranks."""

    __slots__ = ("dirty", "index", "loaded_at", "members", "ranks", "scores")

    def __init__(self, pairs: list[tuple[str, float]]) -> None:
        self.loaded_at = time.monotonic()
        self.dirty = False
        self.members = [member for member, _ in pairs]
        self.scores = [score for _, score in pairs]
        self.index = {member: i for i, member in enumerate(self.members)}
        self.ranks: list[int] = []
        previous = None
        for i, score in enumerate(self.scores):
            points = keys.points_of(score)
            self.ranks.append(i + 1 if points != previous else self.ranks[-1])
            previous = points

    def fresh(self, now: float) -> bool:
        age = now - self.loaded_at
        return age < FRESH_SECONDS or (age < MAX_STALE_SECONDS and not self.dirty)

    def read(self, me: str, offset: int, limit: int, around: int) -> list[Any]:
        """The same shape the Lua read returns."""
        top: list[Any] = []
        for i in range(offset, min(offset + limit, len(self.members))):
            top += [self.members[i], self.scores[i]]
        mine = self.index.get(me, -1)
        near: list[Any] = []
        if mine >= 0:
            for i in range(max(0, mine - around), min(mine + around + 1, len(self.members))):
                near += [self.members[i], self.scores[i]]
        ranks: list[Any] = []
        for i in [
            *range(offset, min(offset + limit, len(self.members))),
            *(
                []
                if mine < 0
                else range(max(0, mine - around), min(mine + around + 1, len(self.members)))
            ),
        ]:
            ranks += [keys.points_of(self.scores[i]), self.ranks[i]]
        return [len(self.members), top, mine, near, ranks]


# A board read from memory is at most MAX_STALE_SECONDS old, and reloaded sooner (after
# FRESH_SECONDS) once pub/sub says it changed: live within a second, at most one reload a
# fifth of a second per board, however many reads.
FRESH_SECONDS = 0.2
MAX_STALE_SECONDS = 1.0


class Boards:
    """The read side, one per API process.

    Boards up to `memory_max` members are served from an in-process snapshot; larger ones
    with one Lua call per read.
    """

    def __init__(
        self, redis: Redis, *, around: int = 2, min_team_size: int = 3, memory_max: int = 50_000
    ) -> None:
        self.redis = redis
        self.directory = Directory()
        self._read = redis.register_script(_READ)
        self._around = around
        self.min_team_size = min_team_size
        self.memory_max = memory_max
        self._snapshots: dict[str, Snapshot] = {}
        self._too_big: dict[str, float] = {}
        self._loading: dict[str, asyncio.Future[Snapshot | None]] = {}

    def mark_dirty(self, org_id: str) -> None:
        """Pub/sub said an organization's boards changed."""
        marker = f"{{org:{org_id}}}"
        for key, snapshot in self._snapshots.items():
            if marker in key:
                snapshot.dirty = True

    def forget(self, org_id: UUID) -> None:
        """Drop an organization's snapshots (its boards were just rebuilt here)."""
        marker = f"{{org:{org_id}}}"
        for key in [k for k in self._snapshots if marker in k]:
            del self._snapshots[key]

    async def _snapshot(self, key: str) -> Snapshot | None:
        now = time.monotonic()
        snapshot = self._snapshots.get(key)
        if snapshot is not None and snapshot.fresh(now):
            return snapshot
        if now - self._too_big.get(key, -60.0) < 60:
            return None
        pending = self._loading.get(key)
        if pending is not None:  # one load per board, however many readers wait for it
            return await asyncio.shield(pending)
        future: asyncio.Future[Snapshot | None] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            loaded = await self._load(key)
            future.set_result(loaded)
            return loaded
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters get it, nobody logs it as lost
            raise
        finally:
            del self._loading[key]

    async def _load(self, key: str) -> Snapshot | None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zcard(key)
            pipe.zrevrange(key, 0, self.memory_max, withscores=True)
            size, pairs = await pipe.execute()
        if int(size) > self.memory_max:
            self._too_big[key] = time.monotonic()
            self._snapshots.pop(key, None)
            return None
        snapshot = Snapshot(
            [(m.decode() if isinstance(m, bytes) else m, float(s)) for m, s in pairs]
        )
        if len(self._snapshots) > 10_000:
            self._snapshots.clear()
        self._snapshots[key] = snapshot
        return snapshot

    async def _fetch(self, key: str, me: str, offset: int, limit: int) -> list[Any]:
        snapshot = await self._snapshot(key)
        if snapshot is not None:
            return snapshot.read(me, offset, limit, self._around)
        result: list[Any] = await self._read(
            keys=[key], args=[me, offset, limit, self._around, keys.SCALE]
        )
        return result

    async def users(
        self,
        caller: CurrentUser,
        period: keys.Period,
        *,
        limit: int = 10,
        offset: int = 0,
        team_id: UUID | None = None,
    ) -> UsersBoard:
        tz = await org_timezone(caller.org_id)
        period_id = keys.period_id(period, tz, clock.now())
        if team_id is not None:
            if team_id not in await self.directory.teams(caller.org_id):
                raise NotFound("No such team in your organization.")
            key = keys.team_members_key(caller.org_id, team_id, period_id)
        else:
            key = keys.users_key(caller.org_id, period_id)
        try:
            if await ensure_built(self.redis, caller.org_id):
                self.forget(caller.org_id)
            total, top, my_rank, around, flat_ranks = await self._fetch(
                key, str(caller.id), offset, limit
            )
        except (RedisError, OSError, TimeoutError) as exc:
            raise Unavailable(
                "Leaderboards are unavailable for a moment; please try again shortly.",
                headers={"Retry-After": "2"},
            ) from exc
        ranks = {int(flat_ranks[i]): int(flat_ranks[i + 1]) for i in range(0, len(flat_ranks), 2)}
        pairs = _pairs(top) + _pairs(around)
        people = await self.directory.people([UUID(member) for member, _ in pairs])

        def entry(member: str, score: float) -> UserEntry:
            user_id = UUID(member)
            points = keys.points_of(score)
            person = people.get(user_id) or Person("Former colleague", None, True)
            shown = not person.hidden or user_id == caller.id
            return UserEntry(
                rank=ranks[points],
                user_id=user_id if shown else None,
                display_name=person.name if shown else ANONYMOUS,
                team_name=person.team_name if shown else None,
                points=points,
                is_me=user_id == caller.id,
            )

        me = None
        if my_rank >= 0:
            mine = next(score for member, score in _pairs(around) if member == str(caller.id))
            me = MyRank(rank=ranks[keys.points_of(mine)], points=keys.points_of(mine))
        return UsersBoard(
            period=period,
            period_id=period_id,
            total=int(total),
            entries=[entry(m, s) for m, s in _pairs(top)],
            me=me,
            around=[entry(m, s) for m, s in _pairs(around)],
        )

    async def teams(self, caller: CurrentUser, period: keys.Period, metric: str) -> TeamsBoard:
        tz = await org_timezone(caller.org_id)
        period_id = keys.period_id(period, tz, clock.now())
        try:
            if await ensure_built(self.redis, caller.org_id):
                self.forget(caller.org_id)
            raw = await self.redis.zrevrange(
                keys.teams_key(caller.org_id, period_id), 0, -1, withscores=True
            )
        except (RedisError, OSError, TimeoutError) as exc:
            raise Unavailable(
                "Leaderboards are unavailable for a moment; please try again shortly.",
                headers={"Retry-After": "2"},
            ) from exc
        directory = await self.directory.teams(caller.org_id)
        rows = []
        for member, score in raw:
            team_id = UUID(member.decode() if isinstance(member, bytes) else member)
            name, members = directory.get(team_id, ("Former team", 0))
            points = keys.points_of(score)
            value = points if metric == "total" else round(points / max(members, 1), 2)
            # the score's remainder says who got there first, for ties
            rows.append((value, score - points * keys.SCALE, team_id, name, members, points))
        ranked_rows = rows
        unranked: list[TeamEntry] = []
        if metric == "perCapita":
            ranked_rows = [r for r in rows if r[4] >= self.min_team_size]
            unranked = [
                TeamEntry(
                    rank=None, team_id=r[2], name=r[3], points=r[0], members=r[4], total_points=r[5]
                )
                for r in sorted(rows, key=lambda r: (-r[0], -r[1]))
                if r[4] < self.min_team_size
            ]
        ranked_rows.sort(key=lambda r: (-r[0], -r[1]))
        entries: list[TeamEntry] = []
        for index, r in enumerate(ranked_rows):
            rank = (
                index + 1 if index == 0 or r[0] != ranked_rows[index - 1][0] else entries[-1].rank
            )
            entries.append(
                TeamEntry(
                    rank=rank, team_id=r[2], name=r[3], points=r[0], members=r[4], total_points=r[5]
                )
            )
        return TeamsBoard(
            period=period,
            period_id=period_id,
            metric=metric,
            entries=entries,
            unranked=unranked,
            min_team_size=self.min_team_size,
        )


def _pairs(flat: list[Any]) -> list[tuple[str, float]]:
    out = []
    for i in range(0, len(flat), 2):
        member = flat[i]
        out.append((member.decode() if isinstance(member, bytes) else member, float(flat[i + 1])))
    return out
