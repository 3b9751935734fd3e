"""Reading leaderboards: top N, the caller's row and neighbours, competition ranks.

One Lua call per read returns the page, the caller's position and neighbours, and the
competition rank (1, 2, 2, 4) of every points value shown: `1 + members with more points`.
Names come from a small in-process directory, refreshed every few seconds, so a steady stream
of reads costs one Redis round trip each and no database query. Movement since yesterday comes
from ranks held in memory for minutes (backend/leaderboards/movement.py): no round trip more.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
import zlib
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisClusterException, RedisError

from backend.core import clock
from backend.core.errors import NotFound, Unavailable
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.leaderboards import keys, store
from backend.leaderboards.boards import ensure_built, org_timezone
from backend.leaderboards.coalesce import ScriptBatcher
from backend.leaderboards.movement import RankHistory, Yesterday
from backend.leaderboards.schemas import (
    MyRank,
    TeamEntry,
    TeamsBoard,
    UserEntry,
    UsersBoard,
)
from backend.orgs.tables import Team, User

ANONYMOUS = "Anonymous advocate"
HIDDEN_INITIALS = "?"
HIDDEN_COLOUR = 0  # someone hidden gets a fixed colour: one derived from their id would tell
AVATAR_COLOURS = 12
DIRECTORY_TTL = 5.0

_READ = """
if redis.call('EXISTS', KEYS[2]) == 0 then return {-1} end
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

# The caller's part of a read of a big board whose page is held (see HeldPage): their rank,
# their neighbours and the ranks of the points those show.
_NEAR = """
if redis.call('EXISTS', KEYS[2]) == 0 then return {-1} end
local key, me, n, scale = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local r = redis.call('ZREVRANK', key, me)
if not r then return {redis.call('ZCARD', key), -1, {}, {}} end
local from = r - n
if from < 0 then from = 0 end
local around = redis.call('ZREVRANGE', key, from, r + n, 'WITHSCORES')
local ranks = {}
local seen = {}
for i = 2, #around, 2 do
  local points = math.floor(tonumber(around[i]) / scale)
  if not seen[points] then
    seen[points] = true
    local above = redis.call('ZCOUNT', key, string.format('%.17g', (points + 1) * scale), '+inf')
    table.insert(ranks, tostring(points))
    table.insert(ranks, above + 1)
  end
end
return {redis.call('ZCARD', key), r, around, ranks}
"""


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    team_name: str | None
    hidden: bool
    initials: str = HIDDEN_INITIALS


def initials_of(name: str) -> str:
    """The first letter of the first and of the last word that start with one ("Ada King-Noel"
    → "AK", "Red 0" → "R"), upper case; "?" when the name has no letter."""
    words = [word for word in name.split() if word[0].isalpha()]
    if not words:
        return HIDDEN_INITIALS
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()[:2]  # some letters upper-case to two ("ß" → "SS")


@functools.lru_cache(maxsize=200_000)
def colour_of(user_id: UUID) -> int:
    """A person's avatar colour, 0-11: CRC-32 of the id's bytes, the same in every process."""
    return zlib.crc32(user_id.bytes) % AVATAR_COLOURS


class BoardsMissing(Exception):
    """The organization's boards are not in Redis (it restarted empty): rebuild, then read."""


# Members are stored as strings; parsing the same few thousand again and again costs more
# than the rest of a read, so parsed ids are remembered.
_uuid = functools.lru_cache(maxsize=200_000)(UUID)


def _mark_of(key: str) -> str:
    return key.split("}:lb:", 1)[0] + "}:lb:mark"


GONE = Person("Former colleague", None, True)


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
                    row["display_name"],
                    row["team_name"],
                    row["hide_from_leaderboards"],
                    initials_of(row["display_name"]),
                )
                self._people[row["id"]] = (now, person)
                found[row["id"]] = person
            for user_id in missing:
                if user_id not in found:  # deleted since they scored: remembered as gone
                    self._people[user_id] = (now, GONE)
                    found[user_id] = GONE
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

    __slots__ = ("dirty", "index", "loaded_at", "members", "memo", "points", "ranks", "scores")

    def __init__(self, members: list[str], scores: list[float]) -> None:
        self.loaded_at = time.monotonic()
        self.dirty = False
        # (offset, limit, generation of yesterday's ranks) → the page as anyone sees it
        self.memo: dict[tuple[int, int, int], list[UserEntry]] = {}
        self.members = members
        self.scores = scores
        self.index = dict(zip(members, range(len(members)), strict=True))
        # whole points: floor(score / SCALE), as keys.points_of, without a call per member
        scale = keys.SCALE
        self.points = [math.floor(score / scale) for score in scores]
        self.ranks: list[int] = []
        rank, previous = 0, None
        for i, points in enumerate(self.points, 1):
            if points != previous:
                rank, previous = i, points
            self.ranks.append(rank)

    def fresh(self, now: float) -> bool:
        age = now - self.loaded_at
        return age < FRESH_SECONDS or (age < MAX_STALE_SECONDS and not self.dirty)

    def read(self, me: str, offset: int, limit: int, around: int) -> list[Any]:
        """The same shape the Lua read returns."""
        size = len(self.members)
        shown = range(offset, min(offset + limit, size))
        mine = self.index.get(me, -1)
        nearby = range(max(0, mine - around), min(mine + around + 1, size)) if mine >= 0 else ()
        top: list[Any] = []
        near: list[Any] = []
        ranks: list[Any] = []
        for i in shown:
            top += [self.members[i], self.scores[i]]
            ranks += [self.points[i], self.ranks[i]]
        for i in nearby:
            near += [self.members[i], self.scores[i]]
            ranks += [self.points[i], self.ranks[i]]
        return [len(self.members), top, mine, near, ranks]


class HeldPage:
    """A page of a board too big to hold whole (offset, limit; ranks of its points), kept for
    the snapshots' interval: each read then asks Redis only for the caller's own part."""

    __slots__ = ("dirty", "loaded_at", "memo", "ranks", "top")

    def __init__(self, top: list[Any], ranks: list[Any]) -> None:
        self.loaded_at = time.monotonic()
        self.dirty = False
        self.top = top
        self.ranks = ranks
        self.memo: dict[tuple[int, int, int], list[UserEntry]] = {}

    def fresh(self, now: float) -> bool:
        age = now - self.loaded_at
        return age < FRESH_SECONDS or (age < MAX_STALE_SECONDS and not self.dirty)


class HeldNear:
    """One caller's part of a big board (their rank, points and neighbours), kept as a held
    page is: a person reading the board again within the snapshots' interval is not another
    Redis call."""

    __slots__ = ("generation", "loaded_at", "value")

    def __init__(self, value: list[Any], generation: int) -> None:
        self.loaded_at = time.monotonic()
        self.value = value
        self.generation = generation

    def fresh(self, now: float, generation: int) -> bool:
        """Asked again on the first read after pub/sub says the board changed (the person's
        own award shows at once), and at least every MAX_STALE_SECONDS."""
        return generation == self.generation and now - self.loaded_at < MAX_STALE_SECONDS


def _org_marker(key: str) -> str:
    """`{org:<id>}` of a board key (every board key carries its organization's hash tag)."""
    start = key.find("{org:")
    return key[start : key.find("}", start) + 1]


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
        self.main = redis  # pub/sub and jobs; the boards may live apart (leaderboards/store.py)
        self.redis = store.client(redis)
        self.directory = Directory()
        self.history = RankHistory(redis)
        self._read = self.redis.register_script(_READ)
        # the caller's part of a big board's read: concurrent reads share a pipeline
        self._near = ScriptBatcher(self.redis, _NEAR)
        self._pages: dict[tuple[str, int, int], HeldPage] = {}
        self._nears: dict[tuple[str, str], HeldNear] = {}
        self._generations: dict[str, int] = {}  # per organization: bumped when its boards change
        self._around = around
        self.min_team_size = min_team_size
        self.memory_max = memory_max
        self._snapshots: dict[str, Snapshot] = {}
        self._too_big: dict[str, float] = {}
        self._loading: dict[str, asyncio.Future[Any]] = {}

    def mark_dirty(self, org_id: str) -> None:
        """Pub/sub said an organization's boards changed."""
        marker = f"{{org:{org_id}}}"
        self._generations[marker] = self._generations.get(marker, 0) + 1
        for key, snapshot in self._snapshots.items():
            if marker in key:
                snapshot.dirty = True
        for (key, _, _), page in self._pages.items():
            if marker in key:
                page.dirty = True

    def forget(self, org_id: UUID) -> None:
        """Drop an organization's snapshots (its boards were just rebuilt here)."""
        marker = f"{{org:{org_id}}}"
        for key in [k for k in self._snapshots if marker in k]:
            del self._snapshots[key]
        for held in [k for k in self._pages if marker in k[0]]:
            del self._pages[held]
        for near in [k for k in self._nears if marker in k[0]]:
            del self._nears[near]

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
        async with self.redis.pipeline(transaction=not store.is_cluster(self.redis)) as pipe:
            pipe.exists(_mark_of(key))
            pipe.zcard(key)
            # flat, not paired by redis-py: pairing 50,000 in Python cost more than the rest
            pipe.execute_command("ZREVRANGE", key, 0, self.memory_max, "WITHSCORES")
            built, size, flat = await pipe.execute()
        if not built:
            raise BoardsMissing(key)
        if int(size) > self.memory_max:
            self._too_big[key] = time.monotonic()
            self._snapshots.pop(key, None)
            return None
        members = flat[0::2]
        if members and isinstance(members[0], bytes):
            members = list(map(bytes.decode, members))
        snapshot = Snapshot(members, list(map(float, flat[1::2])))
        if len(self._snapshots) > 10_000:
            self._snapshots.clear()
        self._snapshots[key] = snapshot
        return snapshot

    async def _fetch(self, key: str, me: str, offset: int, limit: int) -> list[Any]:
        """The read; boards Redis lost (no mark) are rebuilt from the ledger first."""
        for _ in range(3):
            try:
                snapshot = await self._snapshot(key)
                if snapshot is not None:
                    return snapshot.read(me, offset, limit, self._around)
                if limit > 0 and me:
                    return await self._held_read(key, me, offset, limit)
                result: list[Any] = await self._read(
                    keys=[key, _mark_of(key)], args=[me, offset, limit, self._around, keys.SCALE]
                )
                if result[0] == -1:
                    raise BoardsMissing(key)
                return result
            except BoardsMissing:
                org_id = UUID(key.split("{org:", 1)[1].split("}", 1)[0])
                await ensure_built(self.main, org_id)
                self.forget(org_id)
        raise TimeoutError("leaderboards keep disappearing")

    async def _held_read(self, key: str, me: str, offset: int, limit: int) -> list[Any]:
        """The Lua read's shape: the held page, and the caller's part asked of Redis."""
        page = await self._page(key, offset, limit)
        generation = self._generations.get(_org_marker(key), 0)
        held = self._nears.get((key, me))
        if held is not None and held.fresh(time.monotonic(), generation):
            near = held.value
        else:
            near = await self._near(keys=[key, _mark_of(key)], args=[me, self._around, keys.SCALE])
            if near[0] == -1:
                raise BoardsMissing(key)
            if len(self._nears) > 100_000:
                self._nears.clear()
            self._nears[(key, me)] = HeldNear(near, generation)
        total, my_rank, around, ranks = near
        return [total, page.top, my_rank, around, page.ranks + ranks]

    async def _page(self, key: str, offset: int, limit: int) -> HeldPage:
        held = (key, offset, limit)
        now = time.monotonic()
        page = self._pages.get(held)
        if page is not None and page.fresh(now):
            return page
        pending = self._loading.get(f"{key} {offset} {limit}")
        if pending is not None:  # one load per page, however many readers wait for it
            loaded: HeldPage = await asyncio.shield(pending)
            return loaded
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._loading[f"{key} {offset} {limit}"] = future
        try:
            result: list[Any] = await self._read(
                keys=[key, _mark_of(key)], args=["", offset, limit, self._around, keys.SCALE]
            )
            if result[0] == -1:
                raise BoardsMissing(key)
            page = HeldPage(result[1], result[4])
            if len(self._pages) > 10_000:
                self._pages.clear()
            self._pages[held] = page
            future.set_result(page)
            return page
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters get it, nobody logs it as lost
            raise
        finally:
            del self._loading[f"{key} {offset} {limit}"]

    async def _whole(self, key: str) -> list[tuple[Any, float]]:
        """Every member of a (small) board, best first."""
        await self._fetch(key, "", 0, 0)  # makes sure the boards exist
        snapshot = await self._snapshot(key)
        if snapshot is not None:
            return list(zip(snapshot.members, snapshot.scores, strict=True))
        pairs: list[tuple[Any, float]] = await self.redis.zrevrange(key, 0, -1, withscores=True)
        return pairs

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
        # On a small team "anonymous" names someone: people hidden from boards are left out of
        # its board altogether (they still see themselves).
        small_team = False
        if team_id is not None:
            team = (await self.directory.teams(caller.org_id)).get(team_id)
            if team is None:
                raise NotFound(msg("No such team in your organization."))
            small_team = team[1] < self.min_team_size
            key = keys.team_members_key(caller.org_id, team_id, period_id)
        else:
            key = keys.users_key(caller.org_id, period_id)
        try:
            total, top, my_rank, around, flat_ranks = await self._fetch(
                key, str(caller.id), offset, limit
            )
        except (RedisError, RedisClusterException, OSError, TimeoutError) as exc:
            raise Unavailable(
                msg("Leaderboards are unavailable for a moment; please try again shortly."),
                headers={"Retry-After": "2"},
            ) from exc
        ranks = {int(flat_ranks[i]): int(flat_ranks[i + 1]) for i in range(0, len(flat_ranks), 2)}
        yesterday: Yesterday | None = await self.history.yesterday(caller.org_id, key, tz)
        before = yesterday.ranks if yesterday is not None else {}
        memo_key = (offset, limit, yesterday.generation if yesterday is not None else 0)
        me_member = str(caller.id)
        around_pairs = _pairs(around)
        # set when this read was served from memory, whole or its page
        snapshot: Snapshot | HeldPage | None = self._snapshots.get(key) or self._pages.get(
            (key, offset, limit)
        )
        neutral = snapshot.memo.get(memo_key) if snapshot is not None and not small_team else None
        top_pairs = _pairs(top) if neutral is None else []
        people = await self.directory.people(
            [_uuid(member) for member, _ in top_pairs + around_pairs]
        )

        def entry(member: str, score: float, viewer: str | None) -> UserEntry:
            user_id = _uuid(member)
            points = keys.points_of(score)
            person = people.get(user_id) or GONE
            shown = not person.hidden or member == viewer
            rank = ranks[points]
            was = before.get(member)
            return UserEntry(
                rank=rank,
                user_id=user_id if shown else None,
                display_name=person.name if shown else ANONYMOUS,
                team_name=person.team_name if shown else None,
                points=points,
                is_me=member == viewer,
                movement=None if was is None else was - rank,
                initials=person.initials if shown else HIDDEN_INITIALS,
                colour=colour_of(user_id) if shown else HIDDEN_COLOUR,
            )

        def listed(member: str, viewer: str) -> bool:
            hidden = (people.get(_uuid(member)) or GONE).hidden
            return not (small_team and hidden and member != viewer)

        if small_team:  # a few entries, each as this caller may see it
            entries = [entry(m, s, me_member) for m, s in top_pairs if listed(m, me_member)]
        else:
            if neutral is None:
                # The page as anyone sees it; kept with the snapshot, shared by every reader.
                neutral = [entry(m, s, None) for m, s in top_pairs]
                if snapshot is not None:
                    snapshot.memo[memo_key] = neutral
            entries = list(neutral)
            # (a held page may be a moment older than my rank: then it is shown as held)
            if 0 <= my_rank - offset < len(entries) and _member(top, my_rank - offset) == me_member:
                mine_pair = next(pair for pair in around_pairs if pair[0] == me_member)
                entries[my_rank - offset] = entry(*mine_pair, me_member)
        me = None
        if my_rank >= 0:
            mine = next(score for member, score in around_pairs if member == me_member)
            me = MyRank(rank=ranks[keys.points_of(mine)], points=keys.points_of(mine))
        return UsersBoard(
            period=period,
            period_id=period_id,
            total=int(total)
            - (sum(not listed(m, me_member) for m, _ in top_pairs) if small_team else 0),
            entries=entries,
            me=me,
            around=[
                entry(m, s, me_member)
                for m, s in around_pairs
                if not small_team or listed(m, me_member)
            ],
        )

    async def teams(self, caller: CurrentUser, period: keys.Period, metric: str) -> TeamsBoard:
        tz = await org_timezone(caller.org_id)
        period_id = keys.period_id(period, tz, clock.now())
        try:
            raw = await self._whole(keys.teams_key(caller.org_id, period_id))
        except (RedisError, RedisClusterException, OSError, TimeoutError) as exc:
            raise Unavailable(
                msg("Leaderboards are unavailable for a moment; please try again shortly."),
                headers={"Retry-After": "2"},
            ) from exc
        directory = await self.directory.teams(caller.org_id)
        rows = []
        for member, score in raw:
            team_id = _uuid(member.decode() if isinstance(member, bytes) else member)
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


def _member(flat: list[Any], index: int) -> str:
    member = flat[2 * index]
    return member.decode() if isinstance(member, bytes) else str(member)


def _pairs(flat: list[Any]) -> list[tuple[str, float]]:
    out = []
    for i in range(0, len(flat), 2):
        member = flat[i]
        out.append((member.decode() if isinstance(member, bytes) else member, float(flat[i + 1])))
    return out
