"""Fixed-window rate limits counted in Redis (shared by every API process)."""

from __future__ import annotations

from collections.abc import Callable

from redis.asyncio import Redis

from backend.core.clock import in_words
from backend.core.errors import TooManyRequests
from backend.core.i18n import Message, Text, msg

# The whole sentence for each thing counted (`what`): a noun glued into "Too many …" would not
# agree with the words around it in every language.
_TOO_MANY: dict[str, Callable[[Message], Message]] = {
    "photos": lambda wait: msg("Too many photos; try again in {wait}.", wait=wait),
    "comments": lambda wait: msg("Too many comments; try again in {wait}.", wait=wait),
    "wall requests from this address": lambda wait: msg(
        "Too many wall requests from this address; try again in {wait}.", wait=wait
    ),
    "sign-ups from this address": lambda wait: msg(
        "Too many sign-ups from this address; try again in {wait}.", wait=wait
    ),
    "password reset requests from this address": lambda wait: msg(
        "Too many password reset requests from this address; try again in {wait}.", wait=wait
    ),
    "single sign-on attempts": lambda wait: msg(
        "Too many single sign-on attempts; try again in {wait}.", wait=wait
    ),
    "attempts at this quiz": lambda wait: msg(
        "Too many attempts at this quiz; try again in {wait}.", wait=wait
    ),
}


def too_many(what: Text, wait: Message) -> Message:
    """ "Too many photos; try again in 2 minutes.", a whole sentence when `what` is known here."""
    sentence = _TOO_MANY.get(what) if isinstance(what, str) else None
    if sentence is not None:
        return sentence(wait)
    return msg("Too many {what}; try again in {wait}.", what=what, wait=wait)


async def count_attempt(
    redis: Redis, key: str, limit: int, window_seconds: int, what: Text
) -> None:
    """Count one attempt under `key`; past `limit` in the window, a 429 with Retry-After.
    `what` names what is counted ("photos"); a new one gets its sentence in `_TOO_MANY`."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, window_seconds, nx=True)
        pipe.ttl(key)
        count, _, ttl = await pipe.execute()
    if int(count) > limit:
        retry_after = max(int(ttl), 1)
        raise TooManyRequests(
            too_many(what, in_words(retry_after)),
            headers={"Retry-After": str(retry_after)},
        )
