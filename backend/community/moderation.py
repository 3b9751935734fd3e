"""The organization's house rules for what people write: the story checklist, blocked words
and pace limits."""

from __future__ import annotations

import re
import unicodedata
from uuid import UUID

import msgspec
from redis.asyncio import Redis

from backend.community.schemas import CommunitySettings
from backend.core.errors import Invalid
from backend.core.i18n import msg
from backend.core.text import clean_text
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
                msg(
                    "Please rephrase: “{word}” is on your organization's list of words to avoid.",
                    word=word,
                )
            )


async def pace(redis: Redis, user_id: UUID, what: str, limit: int, window_seconds: int) -> None:
    """At most `limit` of `what` per person per window (429 with Retry-After beyond)."""
    await count_attempt(redis, f"chorus:rl:{what}:{user_id}", limit, window_seconds, what)


async def read_settings(org_id: UUID) -> CommunitySettings:
    """The story checklist writers see and the words that hold a text for moderation."""
    rows = await Organization.raw(
        "SELECT story_guidelines, blocked_words FROM organization WHERE id = {}", org_id
    )
    raw = rows[0]["story_guidelines"]
    return CommunitySettings(
        guidelines=list(msgspec.json.decode(raw) if isinstance(raw, str) else raw),
        blocked_words=list(rows[0]["blocked_words"]),
    )


async def write_settings(org_id: UUID, data: CommunitySettings) -> CommunitySettings:
    """Replace both lists; blocked words are kept case-folded, once each, sorted."""
    rules = [clean_text(g, "guidelines") for g in data.guidelines]
    words = sorted({clean_text(w, "blockedWords").casefold() for w in data.blocked_words})
    await Organization.raw(
        "UPDATE organization SET story_guidelines = {}::jsonb, blocked_words = {} WHERE id = {}",
        msgspec.json.encode(rules).decode(),
        words,
        org_id,
    )
    return CommunitySettings(guidelines=rules, blocked_words=words)
