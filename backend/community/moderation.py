"""The organization's house rules for what people write: blocked words and pace limits."""

from __future__ import annotations

import re
import unicodedata
from uuid import UUID

from redis.asyncio import Redis

from backend.errors import Invalid
from backend.orgs.tables import Organization
from backend.ratelimit import count_attempt


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


async def blocked_words(org_id: UUID) -> list[str]:
    rows = await Organization.raw("SELECT blocked_words FROM organization WHERE id = {}", org_id)
    return list(rows[0]["blocked_words"]) if rows else []


async def check_words(org_id: UUID, *texts: str) -> None:
    """Refuse text holding one of the organization's blocked words (whole words, any case)."""
    words = await blocked_words(org_id)
    if not words:
        return
    folded = " ".join(_fold(t) for t in texts)
    for word in words:
        if re.search(rf"(?<!\w){re.escape(_fold(word))}(?!\w)", folded):
            raise Invalid(
                f"Please rephrase: “{word}” is on your organization's list of words to avoid."
            )


async def pace(redis: Redis, user_id: UUID, what: str, limit: int, window_seconds: int) -> None:
    """At most `limit` of `what` per person per window (429 with Retry-After beyond)."""
    await count_attempt(redis, f"chorus:rl:{what}:{user_id}", limit, window_seconds, what)
