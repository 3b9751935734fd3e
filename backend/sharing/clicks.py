"""Ingesting clicks from the Redis stream into PostgreSQL, deciding which of them count.

At least once: a consumer group tracks what was read; entries are acknowledged only after
their transaction commits, and a click's id is its primary key, so a batch read twice (a crash
between commit and XACK, a second worker claiming it) inserts nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from backend.db import DB
from backend.settings import get_settings
from backend.sharing.bots import bot_network
from backend.sharing.redirect import CLICK_STREAM, ClickEvent
from backend.sharing.sharers import used_by_sharer
from backend.sharing.tables import Click

log = logging.getLogger("chorus.clicks")

GROUP = "ingest"
REPEAT_WINDOW = timedelta(hours=24)
RATE_WINDOW = timedelta(minutes=1)
CLAIM_IDLE_MS = 60_000  # entries read by a consumer that died are taken over after a minute

_decoder = msgspec.msgpack.Decoder(ClickEvent)

# What new unique clicks mean for a share (a clicks-policy claim verified, click points, reach
# badges) is the submissions domain's to decide, and it sits above sharing: the composition
# root (backend/subscribers.py) registers its reaction here, called as (sharer id, challenge id).
ClicksReaction = Callable[[UUID, UUID], Awaitable[None]]
_reaction: ClicksReaction | None = None


def react_to_unique_clicks(reaction: ClicksReaction | None) -> None:
    """Set (or, with None, clear) what runs after a batch brings someone new unique clicks."""
    global _reaction
    _reaction = reaction


async def ensure_group(redis: Redis) -> None:
    try:
        await redis.xgroup_create(CLICK_STREAM, GROUP, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


OFFICIAL_CLICK, CLICK = "official_click", "click"  # the two tables clicks are kept in


async def _unique_or_repeat(table: str, event: ClickEvent, at: datetime) -> str:
    """A human click is "repeat" when the same visitor clicked the same link within the
    window (today's or yesterday's visitor hash), else "unique"."""
    seen = await Click.raw(
        f"SELECT 1 FROM {table} WHERE link = {{}} AND at > {{}} AND at <= {{}} "  # noqa: S608
        "AND visitor_hash IN ({}, {}) AND kind IN ('unique', 'repeat') AND id <> {} LIMIT 1",
        UUID(event.link_id),
        at - REPEAT_WINDOW,
        at,
        event.visitor_today,
        event.visitor_yesterday,
        UUID(event.id),
    )
    return "repeat" if seen else "unique"


async def _insert_official(event: ClickEvent, at: datetime) -> str:
    """A click on an official brand link: unique / repeat / bot, as for employees' links."""
    kind = "bot" if event.hint == "bot" else ""
    if not kind:
        kind = await _unique_or_repeat(OFFICIAL_CLICK, event, at)
    await Click.raw(
        "INSERT INTO official_click (id, org, link, at, kind, bot_name, visitor_hash) "
        "SELECT {}, {}, l.id, {}, {}, {}, {} FROM official_link l WHERE l.id = {} "
        "ON CONFLICT (id) DO NOTHING",
        UUID(event.id),
        UUID(event.org_id),
        at,
        kind,
        event.bot_name,
        event.visitor_today,
        UUID(event.link_id),
    )
    return "official"


async def _too_many_from(event: ClickEvent, at: datetime) -> bool:
    """This address already clicked tracked links of the organization too often this minute."""
    rows = await Click.raw(
        "SELECT count(*) AS n FROM click WHERE org = {} AND visitor_hash IN ({}, {}) "
        "AND at > {} AND at <= {} AND id <> {}",
        UUID(event.org_id),
        event.visitor_today,
        event.visitor_yesterday,
        at - RATE_WINDOW,
        at,
        UUID(event.id),
    )
    return int(rows[0]["n"]) >= get_settings().clicks_per_address_per_minute


async def classify(redis: Redis, event: ClickEvent, at: datetime) -> tuple[str, str | None]:
    """(kind, why it was set aside or None): what a click on an employee's link counts as.

    Only a `unique` click counts (verifies a clicks-policy share, earns click points, counts
    towards reach badges and impact figures). Set aside: crawlers, the sharer themselves (their
    session, or an address they used Chorus from in the last 24 h), a visitor's address again
    within 24 h (however its User-Agent varies), and an address clicking too fast.
    """
    if event.hint == "bot":
        posing = bot_network(event.bot_name) is not None and not event.bot_from_network
        # a network's preview bot by name, from outside that network's addresses
        return "bot", "unverified_bot" if posing else "bot"
    if event.hint == "self":
        return "self", "session"
    hashes = (event.visitor_today, event.visitor_yesterday)
    if await used_by_sharer(redis, event.org_id, event.sharer_id, hashes, at):
        return "self", "sharer_address"
    if await _too_many_from(event, at):
        return "repeat", "rate_limit"
    if await _unique_or_repeat(CLICK, event, at) == "repeat":
        return "repeat", "same_visitor"
    return "unique", None


async def _classify_and_insert(redis: Redis, event: ClickEvent) -> str:
    at = datetime.fromtimestamp(event.at_ms / 1000, UTC)
    if event.official:
        return await _insert_official(event, at)
    kind, set_aside = await classify(redis, event, at)
    # A link deleted since the click (its organization left) takes the click with it.
    await Click.raw(
        "INSERT INTO click (id, org, link, challenge, sharer, network, at, kind, bot_name, "
        "visitor_hash, referrer_host, set_aside) SELECT {}, {}, l.id, {}, {}, {}, {}, {}, {}, "
        "{}, {}, {} FROM share_link l WHERE l.id = {} ON CONFLICT (id) DO NOTHING",
        UUID(event.id),
        UUID(event.org_id),
        UUID(event.challenge_id),
        UUID(event.sharer_id),
        event.network,
        at,
        kind,
        event.bot_name,
        event.visitor_today,
        event.referrer_host,
        set_aside,
        UUID(event.link_id),
    )
    if kind == "bot" and event.bot_from_network and bot_network(event.bot_name) == event.network:
        # The network's own preview bot fetched the link: evidence it was posted there.
        await Click.raw(
            "UPDATE share_link SET first_bot_at = {}, first_bot_name = {} "
            "WHERE id = {} AND first_bot_at IS NULL",
            at,
            event.bot_name,
            UUID(event.link_id),
        )
    return kind


async def ingest_entries(redis: Redis, entries: list[tuple[Any, dict[Any, Any]]]) -> int:
    """Write a batch of stream entries in order, in one transaction."""
    events = []
    for _, fields in entries:
        payload = fields.get(b"e") or fields.get("e") or b""
        try:
            events.append(_decoder.decode(payload))
        except (msgspec.DecodeError, TypeError):
            log.error("skipping an unreadable click entry")
    clicked: set[tuple[str, str]] = set()
    async with DB.transaction():
        for event in sorted(events, key=lambda e: e.at_ms):
            if await _classify_and_insert(redis, event) == "unique":
                clicked.add((event.sharer_id, event.challenge_id))
    if clicked and _reaction is None:
        # never acknowledge clicks nobody reacted to: the batch is read again once one is set
        raise RuntimeError("no reaction to unique clicks is registered (backend/subscribers.py)")
    for sharer_id, challenge_id in sorted(clicked):
        assert _reaction is not None
        await _reaction(UUID(sharer_id), UUID(challenge_id))
    return len(events)


async def ingest_once(
    redis: Redis, consumer: str, *, count: int = 500, block_ms: int | None = None
) -> int:
    """Read, store and acknowledge one batch (stale entries of dead consumers first)."""
    claimed = await redis.xautoclaim(
        CLICK_STREAM, GROUP, consumer, min_idle_time=CLAIM_IDLE_MS, start_id="0-0", count=count
    )
    entries = list(claimed[1]) if claimed and len(claimed) > 1 else []
    if not entries:
        response = await redis.xreadgroup(
            GROUP, consumer, {CLICK_STREAM: ">"}, count=count, block=block_ms
        )
        entries = [entry for _, stream_entries in response or [] for entry in stream_entries]
    if not entries:
        return 0
    stored = await ingest_entries(redis, entries)
    await redis.xack(CLICK_STREAM, GROUP, *[entry_id for entry_id, _ in entries])
    return stored


async def drain(redis: Redis, consumer: str = "drain") -> int:
    """Ingest until the stream has nothing new (tests, `chorus` maintenance)."""
    await ensure_group(redis)
    total = 0
    while stored := await ingest_once(redis, consumer):
        total += stored
    return total


async def run_ingester(redis: Redis, consumer: str, stop: asyncio.Event) -> None:
    """The worker's long-running loop; survives Redis and PostgreSQL outages by retrying."""
    while not stop.is_set():
        try:
            await ensure_group(redis)
            while not stop.is_set():
                await ingest_once(redis, consumer, block_ms=1000)
        except (RedisError, OSError) as exc:
            log.warning("click ingestion paused: %s", exc)
        except Exception:
            log.exception("click ingestion failed; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 2)
