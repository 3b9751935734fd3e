"""Sign-in throttling that slows guessers without locking the right person out.

Failed sign-ins are counted per (email, client address) and per client address; successes are
not counted, and a success clears its pair's count. Past a free allowance each further failure
makes the next attempt wait twice as long (2 s, 4 s, 8 s ... up to the window): a growing delay,
answered as 429 with Retry-After, instead of a lock. Failures from one address never slow the
same email down from another address, so nobody can keep an admin out by guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from backend.core.clock import in_words
from backend.core.errors import TooManyRequests
from backend.core.i18n import msg
from backend.core.tokens import visitor_hash


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    redis: Redis
    key: str  # the keyed-hash key (CHORUS_SECRET_KEY derived for "login-throttle")
    free_per_pair: int  # failures of one email from one address before delays begin
    free_per_address: int  # failures from one address, any emails, before delays begin
    max_delay_seconds: int

    def _keys(self, email: str, address: str) -> tuple[str, str]:
        pair = visitor_hash(self.key, "pair", email, address)
        where = visitor_hash(self.key, "ip", address)
        return f"chorus:rl:login:pair:{pair}", f"chorus:rl:login:ip:{where}"

    async def check(self, email: str, address: str) -> None:
        """429 with Retry-After while this pair or this address must wait."""
        pair, where = self._keys(email, address)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.pttl(f"{pair}:wait")
            pipe.pttl(f"{where}:wait")
            waits = await pipe.execute()
        wait_ms = max(int(w) for w in waits)
        if wait_ms > 0:
            retry_after = max((wait_ms + 999) // 1000, 1)
            raise TooManyRequests(
                msg("Too many failed sign-ins; try again in {wait}.", wait=in_words(retry_after)),
                headers={"Retry-After": str(retry_after)},
            )

    async def failed(self, email: str, address: str) -> None:
        """Count a failure; past the allowance, the next attempt waits twice as long."""
        pair, where = self._keys(email, address)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(f"{pair}:failures")
            pipe.expire(f"{pair}:failures", self.max_delay_seconds * 2)
            pipe.incr(f"{where}:failures")
            pipe.expire(f"{where}:failures", self.max_delay_seconds * 2)
            pair_failures, _, address_failures, _ = await pipe.execute()
        async with self.redis.pipeline(transaction=False) as pipe:
            for key, failures, free in (
                (pair, int(pair_failures), self.free_per_pair),
                (where, int(address_failures), self.free_per_address),
            ):
                if failures >= free:
                    delay = min(2 ** min(failures - free + 1, 30), self.max_delay_seconds)
                    pipe.set(f"{key}:wait", b"1", ex=delay)
            await pipe.execute()

    async def succeeded(self, email: str, address: str) -> None:
        pair, _ = self._keys(email, address)
        await self.redis.delete(f"{pair}:failures", f"{pair}:wait")
