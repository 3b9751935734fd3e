"""Where sharers use Chorus from, so that their own clicks on their own links never count.

Each authenticated API request remembers the keyed hash of the caller's address (today's
visitor salt, the same hash a click from that address gets) in a per-person sorted set that
forgets after 24 h. A click on someone's link from an address they used for the API within the
24 hours before it is `self`, however the browser presents itself (a private window, another
User-Agent, no session cookie). Raw addresses are never stored.
"""

from __future__ import annotations

import hmac
import logging
import time
from datetime import UTC, datetime
from hashlib import sha256
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend.sharing.redirect import VisitorSalts

log = logging.getLogger("chorus.clicks")

WINDOW_SECONDS = 24 * 3600
REMEMBER_EVERY_SECONDS = 600  # a busy person's requests write once per address per 10 minutes
_MAX_REMEMBERED = 200_000


def addresses_key(org_id: UUID | str, user_id: UUID | str) -> str:
    return f"chorus:{{org:{org_id}}}:sharer-addresses:{user_id}"


class SharerAddresses:
    """Remembers, per process, which (person, address) pairs it already wrote recently."""

    def __init__(self, redis: Redis, salts: VisitorSalts) -> None:
        self._redis = redis
        self._salts = salts
        self._written: dict[tuple[str, str], float] = {}
        # (person, raw address, UTC day number) → when written: the same pair as `_written`
        # (the visitor hash is a function of the address and the day's salt), checked before
        # hashing so that a busy person's requests cost a dict lookup, not an HMAC
        self._seen: dict[tuple[UUID, str, int], float] = {}

    async def remember(self, org_id: UUID, user_id: UUID, address: str) -> None:
        """Note that this person used Chorus from `address` now (cheap when already noted)."""
        now = time.time()
        seen = (user_id, address, int(now // 86_400))
        if self._seen.get(seen, 0.0) > now - REMEMBER_EVERY_SECONDS:
            return
        day = datetime.fromtimestamp(now, UTC).date().isoformat()
        try:
            salts = self._salts.cached(day) or await self._salts.load(day)
        except (RedisError, OSError):
            return  # the request goes on; a click in the meantime may count as a visitor's
        visitor = hmac.new(salts[0], address.encode(), sha256).hexdigest()[:32]
        pair = (str(user_id), visitor)
        written = self._written.get(pair, 0.0)
        if written > now - REMEMBER_EVERY_SECONDS:
            self._seen[seen] = written
            return
        if len(self._written) >= _MAX_REMEMBERED:
            self._written.clear()
        if len(self._seen) >= _MAX_REMEMBERED:
            self._seen.clear()
        key = addresses_key(org_id, user_id)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.zadd(key, {visitor: now})
                pipe.zremrangebyscore(key, "-inf", now - WINDOW_SECONDS)
                pipe.expire(key, WINDOW_SECONDS + 3600)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("could not note a sharer's address: %s", exc)
            return
        self._written[pair] = now
        self._seen[seen] = now


async def used_by_sharer(
    redis: Redis, org_id: str, sharer_id: str, visitor_hashes: tuple[str, str], at: datetime
) -> bool:
    """Whether the sharer used Chorus from this visitor's address in the 24 h before `at`."""
    key = addresses_key(org_id, sharer_id)
    async with redis.pipeline(transaction=False) as pipe:
        for visitor in visitor_hashes:
            pipe.zscore(key, visitor)
        scores = await pipe.execute()
    since = at.timestamp() - WINDOW_SECONDS
    return any(score is not None and float(score) >= since for score in scores)
