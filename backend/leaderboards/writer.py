"""Writing awards onto the boards: one Lua call per organization per batch, which applies each
ledger id once (it skips ids at or below the rebuild mark and ids it recorded as applied).

The relay and the kick that use it, and why the record is safe: backend/leaderboards/outbox.py.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from uuid import UUID

from redis.asyncio import Redis

from backend import events
from backend.leaderboards import keys, store
from backend.leaderboards.boards import BOARD_EVENTS, boards_for, org_timezone, request_rebuild

RECORD_SECONDS = 3600  # how long the applied ledger ids are remembered
OVERTAKEN_LIMIT = 20  # people a kick reports passed, at most (told of it, at most once a day)

# KEYS: mark, missed, applied, then the boards of the rows.
# ARGV: scale, record seconds, the channel of board events ('' when the boards live apart from
#   the main Redis: the events are then returned after the flags, to publish there), then
#   B (the boards' count) and per board its expire-at (0: never), in KEYS order;
#   M and M members (each board member once);
#   the rows' count, then per row: ledger id, delta, fraction, trusted (0/1), its board event,
#   boards, then per board: the KEYS index of its key and the index of its member (from 1);
#   then, optionally (the kick of one award, for "someone passed you"): the KEYS index of the
#   week's people board, the index of the member, the award's delta and a limit.
# Returns {-1} when the boards are not built, else {1, then per row 1 (applied now) or 0
# (already on the boards), then (when asked) the members the award passed on that board, then
# (channel '') the board events}. "Passed": points now above theirs, and before (now - delta)
# below: ZRANGEBYSCORE between the two, lowest first, at most `limit`; none when the member is
# not on the board (what backend/notifications/triggers.py `overtaken` asked Redis for in two
# round trips of its own).
#
# What one call costs Redis: one ZMSCORE of the record per 200 rows, one ZSCORE and one ZADD
# per (board, member) the fresh rows touch (several awards of one member on one board are
# summed first), one EXPIREAT per board (its expiry is fixed by its period, so once a call is
# as good as once an award), one ZADD of the record per 200 rows, one PUBLISH per board event.
_APPLY = """
local mark = redis.call('GET', KEYS[1])
if not mark then
  redis.call('SET', KEYS[2], '1', 'EX', 600)
  return {-1}
end
mark = tonumber(mark)
local now = tonumber(redis.call('TIME')[1])
local record = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - record)
local nboards = tonumber(ARGV[4])
local members = 5 + nboards  -- member m is ARGV[members + m]
local i = members + 1 + tonumber(ARGV[members])
local rows = tonumber(ARGV[i])
i = i + 1
local starts, ids = {}, {}
for r = 1, rows do
  starts[r] = i
  ids[r] = ARGV[i]
  i = i + 6 + 2 * tonumber(ARGV[i + 5])
end
local watch = i  -- ARGV[watch] is the week board's KEYS index, when asked
local fresh = {}
for first = 1, rows, 200 do
  local last = math.min(first + 199, rows)
  local seen = redis.call('ZMSCORE', KEYS[3], unpack(ids, first, last))
  for r = first, last do
    local at = starts[r]
    if tonumber(ids[r]) > mark and not seen[r - first + 1] then
      if ARGV[at + 3] ~= '1' then
        redis.call('DEL', KEYS[1])
        redis.call('SET', KEYS[2], '1', 'EX', 600)
        return {-1}
      end
      fresh[r] = true
    end
  end
end
local out = {1}
local sums, order, touched, recorded, events = {}, {}, {}, {}, {}
for r = 1, rows do
  if fresh[r] then
    out[r + 1] = 1
    local at = starts[r]
    local delta, frac = tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
    recorded[#recorded + 1] = now
    recorded[#recorded + 1] = ids[r]
    events[ARGV[at + 4]] = true
    for b = 0, tonumber(ARGV[at + 5]) - 1 do
      local k, m = ARGV[at + 6 + 2 * b], ARGV[at + 7 + 2 * b]
      local slot = k .. ' ' .. m
      local sum = sums[slot]
      if sum then
        sum[3] = sum[3] + delta
        if frac < sum[4] then sum[4] = frac end
      else
        sums[slot] = {tonumber(k), tonumber(m), delta, frac}
        order[#order + 1] = slot
        touched[k] = true
      end
    end
  else
    out[r + 1] = 0
  end
end
local scale = tonumber(ARGV[1])
for _, slot in ipairs(order) do
  local sum = sums[slot]
  local key, member = KEYS[sum[1]], ARGV[members + sum[2]]
  local old = redis.call('ZSCORE', key, member)
  local new
  if old then
    old = tonumber(old)
    local points = math.floor(old / scale)
    local f = old - points * scale
    if sum[4] < f then f = sum[4] end
    new = (points + sum[3]) * scale + f
  else
    new = sum[3] * scale + sum[4]
  end
  redis.call('ZADD', key, new, member)
end
for k in pairs(touched) do
  local expire_at = tonumber(ARGV[1 + tonumber(k)])  -- KEYS[k]'s expiry is ARGV[4 + k - 3]
  if expire_at > 0 then redis.call('EXPIREAT', KEYS[tonumber(k)], expire_at) end
end
for first = 1, #recorded, 2 * 200 do
  redis.call('ZADD', KEYS[3], unpack(recorded, first, math.min(first + 399, #recorded)))
end
redis.call('EXPIRE', KEYS[3], 2 * record)
if ARGV[watch] then
  local key, member = KEYS[tonumber(ARGV[watch])], ARGV[members + tonumber(ARGV[watch + 1])]
  local passed = {}
  local score = redis.call('ZSCORE', key, member)
  if score then
    local points = math.floor(tonumber(score) / scale)
    local before = points - tonumber(ARGV[watch + 2])
    if points - 1 >= before + 1 then
      passed = redis.call('ZRANGEBYSCORE', key, (before + 1) * scale, points * scale - 1,
        'LIMIT', 0, tonumber(ARGV[watch + 3]))
    end
  end
  out[#out + 1] = passed
end
if ARGV[3] == '' then  -- the boards' own Redis: the caller publishes on the main one
  for event in pairs(events) do out[#out + 1] = event end
else
  for event in pairs(events) do redis.call('PUBLISH', ARGV[3], event) end
end
return out
"""


class BoardWriter:
    """Applies awards to the boards (backend/leaderboards/store.py says which Redis holds them):
    one Lua call per organization, in one round trip; board events go out on `redis`."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._apply = redis.register_script(_APPLY)

    async def apply_many(
        self, awards: list[events.PointsAwarded], trusted: set[int] | None = None
    ) -> list[int]:
        """Per award: 1 applied, 0 already on the boards, -1 boards not built (a rebuild is
        asked for). `trusted`: the ledger ids the record vouches for (None: all)."""
        boards = store.client(self.redis)
        channel = BOARD_EVENTS if boards is self.redis else ""
        by_org: dict[UUID, list[int]] = defaultdict(list)
        for index, award in enumerate(awards):
            by_org[award.org_id].append(index)
        calls = []
        for org_id, indexes in by_org.items():
            tz = await org_timezone(org_id)
            chosen = [awards[i] for i in indexes]
            calls.append((indexes, *_script_inputs(org_id, chosen, tz, trusted, channel)))
        if len(calls) == 1:
            answers = [await self._apply(keys=calls[0][1], args=calls[0][2], client=boards)]
        elif store.is_cluster(boards):  # one slot per organization: each call to its node
            answers = await asyncio.gather(
                *(self._apply(keys=k, args=a, client=boards) for _, k, a in calls)
            )
        else:
            async with boards.pipeline(transaction=False) as pipe:
                for _, call_keys, call_args in calls:
                    await self._apply(keys=call_keys, args=call_args, client=pipe)
                answers = await pipe.execute()
        results = [0] * len(awards)
        published: list[str] = []
        for (indexes, _, _), answer in zip(calls, answers, strict=True):
            flags = [int(a) for a in answer[: len(indexes) + 1]]
            published += [_text(e) for e in answer[len(indexes) + 1 :]]
            for position, index in enumerate(indexes):
                results[index] = -1 if flags[0] == -1 else flags[position + 1]
        await self._settle(awards, results, published)
        return results

    async def kick(self, award: events.PointsAwarded) -> tuple[int, list[str] | None]:
        """One award on the boards (as `apply_many`), and, in the same call, who it passed on
        this week's people board: the members (ids as text, at most OVERTAKEN_LIMIT, lowest
        first) whose points were above the awarded person's before it and are below now. None
        when the call could not tell (boards not built, or no gain): ask the board then."""
        boards = store.client(self.redis)
        channel = BOARD_EVENTS if boards is self.redis else ""
        tz = await org_timezone(award.org_id)
        call_keys, call_args = _script_inputs(award.org_id, [award], tz, None, channel)
        week = keys.users_key(award.org_id, keys.period_id("week", tz, award.at))
        watched = award.delta > 0 and week in call_keys
        if watched:  # KEYS and members count from 1 in Lua
            first = 5 + int(call_args[3])  # header (4), expiries, members' count
            member = call_args[first : first + int(call_args[first - 1])].index(str(award.user_id))
            call_args += [call_keys.index(week) + 1, member + 1, award.delta, OVERTAKEN_LIMIT]
        answer = await self._apply(keys=call_keys, args=call_args, client=boards)
        flag = int(answer[0]) if int(answer[0]) == -1 else int(answer[1])
        passed: list[str] | None = None
        published: list[str] = []
        if flag != -1:
            rest = list(answer[2:])
            if watched:
                passed = [_text(m) for m in rest.pop(0)]
            published = [_text(e) for e in rest]
        await self._settle([award], [flag], published)
        return flag, passed

    async def _settle(
        self, awards: list[events.PointsAwarded], results: list[int], published: list[str]
    ) -> None:
        """The board events a cluster's script returned go out on the main Redis; boards
        found unbuilt get a rebuild."""
        if published:
            async with self.redis.pipeline(transaction=False) as pub:
                for event in published:
                    pub.publish(BOARD_EVENTS, event)
                await pub.execute()
        for org_id in sorted({a.org_id for a, r in zip(awards, results, strict=True) if r == -1}):
            await request_rebuild(self.redis, org_id)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _script_inputs(
    org_id: UUID,
    awards: list[events.PointsAwarded],
    tz: str,
    trusted: set[int] | None,
    channel: str = BOARD_EVENTS,
) -> tuple[list[str], list[str | int]]:
    board_keys = [keys.mark_key(org_id), keys.missed_key(org_id), keys.applied_key(org_id)]
    key_index: dict[str, int] = {}
    expiries: list[int] = []
    member_index: dict[str, int] = {}
    rows: list[str | int] = [len(awards)]
    for award in awards:
        minute = award.at.replace(second=0, microsecond=0)
        boards = boards_for(org_id, award.user_id, award.team_id, award.challenge_id, minute, tz)
        vouched = trusted is None or award.ledger_id in trusted
        event = f"{org_id} {award.user_id} {award.team_id or '-'}"  # what live readers reload
        rows += [award.ledger_id, award.delta, keys.fraction(award.at), int(vouched), event]
        rows.append(len(boards))
        for key, member, expire in boards:
            k = key_index.get(key)
            if k is None:
                board_keys.append(key)
                k = key_index[key] = len(board_keys)  # Lua's KEYS count from 1
                expiries.append(expire)
            m = member_index.get(member)
            if m is None:
                m = member_index[member] = len(member_index) + 1
            rows += [k, m]
    header: list[str | int] = [keys.SCALE, RECORD_SECONDS, channel, len(expiries)]
    return board_keys, [*header, *expiries, len(member_index), *member_index, *rows]
