"""Fixed-window rate limits counted in Redis (shared by every API process)."""

from __future__ import annotations

from redis.asyncio import Redis

from backend.core.clock import in_words
from backend.core.errors import TooManyRequests


async def count_attempt(redis: Redis, key: str, limit: int, window_seconds: int, what: str) -> None:
    """Count one attempt under `key`; past `limit` in the window, a 429 with Retry-After."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, window_seconds, nx=True)
        pipe.ttl(key)
        count, _, ttl = await pipe.execute()
    if int(count) > limit:
        retry_after = max(int(ttl), 1)
        raise TooManyRequests(
            f"Too many {what}; try again in {in_words(retry_after)}.",
            headers={"Retry-After": str(retry_after)},
        )
