"""Writing awards onto the boards: one Lua call per organization per batch, which applies each
ledger id once (it skips ids at or below the rebuild mark and ids it recorded as applied).

The relay and the kick that use it, and why the record is safe: backend/leaderboards/outbox.py.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from redis.asyncio import Redis

from backend import events
from backend.leaderboards import keys
from backend.leaderboards.boards import BOARD_EVENTS, boards_for, org_timezone, request_rebuild

RECORD_SECONDS = 3600  # how long the applied ledger ids are remembered

# KEYS: mark, missed, applied, then the boards of the rows. ARGV: scale, record seconds, rows,
# then per row: ledger id, delta, fraction, trusted (0/1), boards, then per board: the KEYS
# index of its key, member, expire-at (0: never). Returns {-1} when the boards are not built,
# else {1, then per row 1 (applied now) or 0 (already on the boards)}.
_APPLY = """
local mark = redis.call('GET', KEYS[1])
if not mark then
  redis.call('SET', KEYS[2], '1', 'EX', 600)
  return {-1}
end
mark = tonumber(mark)
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[2]))
local rows = tonumber(ARGV[3])
local fresh = {}
local i = 4
for r = 1, rows do
  local id = ARGV[i]
  if tonumber(id) > mark and not redis.call('ZSCORE', KEYS[3], id) then
    if ARGV[i + 3] ~= '1' then
      redis.call('DEL', KEYS[1])
      redis.call('SET', KEYS[2], '1', 'EX', 600)
      return {-1}
    end
    fresh[r] = true
  end
  i = i + 5 + 3 * tonumber(ARGV[i + 4])
end
local scale = tonumber(ARGV[1])
local out = {1}
i = 4
for r = 1, rows do
  local boards = tonumber(ARGV[i + 4])
  if fresh[r] then
    redis.call('ZADD', KEYS[3], now, ARGV[i])
    local delta, frac = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
    for b = 0, boards - 1 do
      local at = i + 5 + 3 * b
      local key, member = KEYS[tonumber(ARGV[at])], ARGV[at + 1]
      local expire_at = tonumber(ARGV[at + 2])
      local old = redis.call('ZSCORE', key, member)
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
      redis.call('ZADD', key, new, member)
      if expire_at > 0 then redis.call('EXPIREAT', key, expire_at) end
    end
    out[r + 1] = 1
  else
    out[r + 1] = 0
  end
  i = i + 5 + 3 * boards
end
redis.call('EXPIRE', KEYS[3], 2 * tonumber(ARGV[2]))
return out
"""


class BoardWriter:
    """Applies awards to the boards of the Redis it was given: one Lua call per organization,
    in one round trip."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._apply = redis.register_script(_APPLY)

    async def apply_many(
        self, awards: list[events.PointsAwarded], trusted: set[int] | None = None
    ) -> list[int]:
        """Per award: 1 applied, 0 already on the boards, -1 boards not built (a rebuild is
        asked for). `trusted`: the ledger ids the record vouches for (None: all)."""
        by_org: dict[UUID, list[int]] = defaultdict(list)
        for index, award in enumerate(awards):
            by_org[award.org_id].append(index)
        calls = []
        for org_id, indexes in by_org.items():
            tz = await org_timezone(org_id)
            chosen = [awards[i] for i in indexes]
            calls.append((indexes, *_script_inputs(org_id, chosen, tz, trusted)))
        if len(calls) == 1:
            answers = [await self._apply(keys=calls[0][1], args=calls[0][2])]
        else:
            async with self.redis.pipeline(transaction=False) as pipe:
                for _, call_keys, call_args in calls:
                    await self._apply(keys=call_keys, args=call_args, client=pipe)
                answers = await pipe.execute()
        results = [0] * len(awards)
        for (indexes, _, _), answer in zip(calls, answers, strict=True):
            flags = [int(a) for a in answer]
            for position, index in enumerate(indexes):
                results[index] = -1 if flags[0] == -1 else flags[position + 1]
        changed = {
            f"{a.org_id} {a.user_id} {a.team_id or '-'}"
            for a, r in zip(awards, results, strict=True)
            if r == 1
        }
        for message in sorted(changed):
            await self.redis.publish(BOARD_EVENTS, message)
        for org_id in sorted({a.org_id for a, r in zip(awards, results, strict=True) if r == -1}):
            await request_rebuild(self.redis, org_id)
        return results


def _script_inputs(
    org_id: UUID, awards: list[events.PointsAwarded], tz: str, trusted: set[int] | None
) -> tuple[list[str], list[str | int]]:
    board_keys = [keys.mark_key(org_id), keys.missed_key(org_id), keys.applied_key(org_id)]
    index: dict[str, int] = {}
    args: list[str | int] = [keys.SCALE, RECORD_SECONDS, len(awards)]
    for award in awards:
        minute = award.at.replace(second=0, microsecond=0)
        boards = boards_for(org_id, award.user_id, award.team_id, award.challenge_id, minute, tz)
        vouched = trusted is None or award.ledger_id in trusted
        args += [award.ledger_id, award.delta, keys.fraction(award.at), int(vouched), len(boards)]
        for key, member, expire in boards:
            if key not in index:
                board_keys.append(key)
                index[key] = len(board_keys)  # Lua's KEYS count from 1
            args += [index[key], member, expire]
    return board_keys, args
