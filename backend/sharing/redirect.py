"""`/s/{code}`: the tracked-link redirect, kept as fast as a constant answer.

The hot path does no I/O in the common case: the code's target comes from an in-process cache
(filled from PostgreSQL on first use; a link's target never changes), the click is classified
as far as the request alone allows (bot? the sharer's own session?) and appended to an
in-memory buffer that a background task flushes to a Redis stream every `click_flush_ms`.
Workers ingest that stream into PostgreSQL, where "repeat" versus "unique" is decided.
Visitors are identified only by a keyed hash of their address (never by User-Agent, which costs
nothing to vary) whose daily salt lives in Redis for two days: raw addresses are never stored,
and after 48 h nobody can link hashes.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt
import msgspec
from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend.core.networks import Network, within
from backend.fetch.urls import ascii_url
from backend.sharing.bots import bot_network, classify_agent
from backend.sharing.service import campaign_url
from backend.sharing.tables import ShareLink

log = logging.getLogger("chorus.clicks")

CLICK_STREAM = "chorus:clicks"
STREAM_MAX_LEN = 1_000_000
SALT_KEY = "chorus:visitor-salt:{day}"
SALT_TTL_SECONDS = 49 * 3600
MAX_BUFFERED_CLICKS = 200_000


@dataclass(frozen=True, slots=True)
class LinkTarget:
    link_id: str
    org_id: str
    challenge_id: str
    user_id: str
    network: str
    location: bytes  # the Location header: the content URL with our UTM parameters
    official: bool = False  # the brand's own post (analytics), not an employee's share


class ClickEvent(msgspec.Struct, array_like=True):
    """One click as it travels through the stream (compact: array-encoded)."""

    id: str
    link_id: str
    org_id: str
    challenge_id: str
    sharer_id: str
    network: str
    at_ms: int
    hint: str  # "bot", "self" or "" (unique or repeat: decided at ingestion)
    bot_name: str | None
    visitor_today: str
    visitor_yesterday: str
    referrer_host: str | None
    official: bool = False
    # the bot's request came from its network's published address ranges: only then is its
    # fetch evidence that the link was posted there (a User-Agent alone is never evidence)
    bot_from_network: bool = False


class LinkCache:
    """code → LinkTarget, in process. Targets never change, so entries live until evicted;
    unknown codes are remembered briefly so random probing cannot hammer the database."""

    def __init__(self, max_entries: int = 100_000, miss_ttl: float = 30.0) -> None:
        self._hits: OrderedDict[str, LinkTarget] = OrderedDict()
        self._misses: dict[str, float] = {}
        self._max = max_entries
        self._miss_ttl = miss_ttl

    def get(self, code: str) -> LinkTarget | bool | None:
        """The target; False when known missing; None when not cached."""
        target = self._hits.get(code)
        if target is not None:
            return target
        missed_at = self._misses.get(code)
        if missed_at is not None and time.monotonic() - missed_at < self._miss_ttl:
            return False
        return None

    def put(self, code: str, target: LinkTarget | None) -> None:
        if target is None:
            if len(self._misses) >= self._max:
                self._misses.clear()
            self._misses[code] = time.monotonic()
            return
        self._hits[code] = target
        if len(self._hits) > self._max:
            self._hits.popitem(last=False)


def _location(url: str) -> bytes | None:
    """The Location header for a stored URL: ASCII, as headers must be. URLs are stored that
    way since `ascii_url`; an older row whose host is no valid IDNA name leads nowhere."""
    try:
        return ascii_url(url).encode("ascii")
    except ValueError:  # UnicodeError included
        return None


async def load_target(code: str, base_url: str = "") -> LinkTarget | None:
    rows = await ShareLink.raw(
        'SELECT l.id, l.org, l.challenge, l."user", l.network, c.content_url, c.slug, c.kind, '
        '(SELECT s.slug FROM story s WHERE s.author = l."user" AND s.challenge = l.challenge) '
        "AS story_slug FROM share_link l JOIN challenge c ON c.id = l.challenge WHERE l.code = {}",
        code,
    )
    if not rows:
        return await _official_target(code)
    row = rows[0]
    content = row["content_url"]
    if row["kind"] == "story":
        if not row["story_slug"]:
            return None  # the story was deleted: nothing to send people to
        content = f"{base_url}/stories/{row['story_slug']}"  # its page 404s once taken down
    location = _location(campaign_url(content, network=row["network"], slug=row["slug"], code=code))
    if location is None:
        return None
    return LinkTarget(
        link_id=str(row["id"]),
        org_id=str(row["org"]),
        challenge_id=str(row["challenge"]),
        user_id=str(row["user"]),
        network=row["network"],
        location=location,
    )


async def _official_target(code: str) -> LinkTarget | None:
    """An official link: the brand's own post, tracked to compare with employees' shares."""
    rows = await ShareLink.raw(
        "SELECT id, org, network, target_url FROM official_link WHERE code = {}", code
    )
    if not rows:
        return None
    row = rows[0]
    location = _location(
        campaign_url(
            row["target_url"], network=row["network"], slug="official", code=code, medium="social"
        )
    )
    if location is None:
        return None
    return LinkTarget(
        link_id=str(row["id"]),
        org_id=str(row["org"]),
        challenge_id="",
        user_id="",
        network=row["network"],
        location=location,
        official=True,
    )


class VisitorSalts:
    """Random per-day salts shared by every process through Redis, gone after two days."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._day: str | None = None
        self._salts: tuple[bytes, bytes] = (b"", b"")

    def cached(self, day: str) -> tuple[bytes, bytes] | None:
        return self._salts if day == self._day else None

    async def load(self, day: str) -> tuple[bytes, bytes]:
        yesterday = (datetime.fromisoformat(day) - timedelta(days=1)).date().isoformat()
        salts = []
        for which in (day, yesterday):
            key = SALT_KEY.format(day=which)
            await self._redis.set(key, secrets.token_hex(32), nx=True, ex=SALT_TTL_SECONDS)
            value = await self._redis.get(key)
            salts.append(value if isinstance(value, bytes) else str(value).encode())
        self._day, self._salts = day, (salts[0], salts[1])
        return self._salts


def visitor_hashes(salts: tuple[bytes, bytes], address: str) -> tuple[str, str]:
    """Today's and yesterday's keyed hash of a visitor's address. The address alone: a
    User-Agent costs nothing to vary, so one address is one visitor however it presents."""
    visitor = address.encode()
    return (
        hmac.new(salts[0], visitor, hashlib.sha256).hexdigest()[:32],
        hmac.new(salts[1], visitor, hashlib.sha256).hexdigest()[:32],
    )


class ClickRecorder:
    """Buffers click events in memory and flushes them to the Redis stream in batches."""

    def __init__(self, redis: Redis, flush_seconds: float) -> None:
        self._redis = redis
        self._flush_seconds = flush_seconds
        self._buffer: list[bytes] = []
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def record(self, event: ClickEvent) -> None:
        if len(self._buffer) >= MAX_BUFFERED_CLICKS:
            # Redis has been away for long: keep the newest clicks, say what was lost.
            del self._buffer[: MAX_BUFFERED_CLICKS // 10]
            log.error("click buffer full while Redis is unreachable; oldest clicks dropped")
        self._buffer.append(msgspec.msgpack.encode(event))

    async def flush(self) -> int:
        if not self._buffer:
            return 0
        batch, self._buffer = self._buffer, []
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for payload in batch:
                    pipe.xadd(CLICK_STREAM, {"e": payload}, maxlen=STREAM_MAX_LEN, approximate=True)
                await pipe.execute()
        except RedisError:
            self._buffer[:0] = batch  # keep them for the next flush
            raise
        return len(batch)

    async def run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._flush_seconds)
            try:
                await self.flush()
            except RedisError as exc:
                log.warning("click flush failed, will retry: %s", exc)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="chorus-click-flusher")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
        try:
            await self.flush()
        except RedisError:
            log.error("%d clicks could not be saved at shutdown", len(self._buffer))


class Redirector:
    """Everything `/s/{code}` needs, created once per process in the lifespan."""

    def __init__(
        self,
        redis: Redis,
        token_key: str,
        flush_seconds: float,
        base_url: str = "",
        bot_ranges: dict[str, tuple[Network, ...]] | None = None,
    ) -> None:
        self.base_url = base_url
        self.bot_ranges = bot_ranges or {}
        self.cache = LinkCache()
        self.salts = VisitorSalts(redis)
        self.recorder = ClickRecorder(redis, flush_seconds)
        self._token_key = token_key

    async def target(self, code: str) -> LinkTarget | None:
        cached = self.cache.get(code)
        if cached is False:
            return None
        if isinstance(cached, LinkTarget):
            return cached
        target = await load_target(code, self.base_url)
        self.cache.put(code, target)
        return target

    def _session_user(self, token: str | None) -> str | None:
        if not token:
            return None
        try:
            claims = jwt.decode(token, self._token_key, algorithms=["HS256"], issuer="chorus")
        except jwt.PyJWTError:
            return None
        sub = claims.get("sub")
        return sub if isinstance(sub, str) else None

    async def record(
        self,
        target: LinkTarget,
        *,
        address: str,
        user_agent: str,
        session_token: str | None,
        referrer: str | None,
    ) -> None:
        now = datetime.now(UTC)
        day = now.date().isoformat()
        salts = self.salts.cached(day) or await self.salts.load(day)
        today, yesterday = visitor_hashes(salts, address)
        bot_name = classify_agent(user_agent)
        network = bot_network(bot_name)
        from_network = network is not None and within(address, self.bot_ranges.get(network, ()))
        if bot_name:
            hint = "bot"
        elif self._session_user(session_token) == target.user_id:
            hint = "self"
        else:
            hint = ""
        self.recorder.record(
            ClickEvent(
                id=uuid4().hex,
                link_id=target.link_id,
                org_id=target.org_id,
                challenge_id=target.challenge_id,
                sharer_id=target.user_id,
                network=target.network,
                at_ms=int(now.timestamp() * 1000),
                hint=hint,
                bot_name=bot_name,
                visitor_today=today,
                visitor_yesterday=yesterday,
                referrer_host=_host_of(referrer),
                official=target.official,
                bot_from_network=from_network,
            )
        )


def _host_of(referrer: str | None) -> str | None:
    if not referrer:
        return None
    host = referrer.split("://", 1)[-1].split("/", 1)[0].split("@")[-1].split(":")[0].lower()
    return host[:253] or None


_NOT_FOUND_STYLE = (
    ":root{color-scheme:light dark}body{font-family:system-ui,sans-serif;display:grid;"
    "place-items:center;min-height:100vh;margin:0;padding:24px;box-sizing:border-box}"
    "main{max-width:380px}h1{font-size:1.5rem}"
)
NOT_FOUND_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Link not found · Chorus</title>
<style>{_NOT_FOUND_STYLE}</style></head>
<body><main><h1>This link doesn't lead anywhere</h1>
<p>It may have been mistyped or cut short when it was copied. Ask the person who shared it
for the full link.</p></main></body></html>
""".encode()
# Nothing but its own inline style may load or run on that page.
NOT_FOUND_CSP = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_NOT_FOUND_STYLE.encode()).digest()).decode()
    + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


__all__ = [
    "NOT_FOUND_CSP",
    "NOT_FOUND_PAGE",
    "ClickEvent",
    "LinkTarget",
    "Redirector",
    "classify_agent",
]
