"""Sending Web Push: each payload encrypted for its device (aes128gcm, RFC 8291, with
`http_ece`, the library pywebpush uses), signed with our VAPID key (RFC 8292), posted on one
long-lived HTTP/1.1 client per process.

Runs in arq tasks and never blocks the worker's loop. Per notification and subscription:
404/410 deletes the subscription (the browser dropped it), 429 and 5xx retry with backoff
honouring Retry-After, anything else counts a failure. A push already delivered to a
subscription is not sent again when the job retries for the others.

What a push costs is the encryption (an ephemeral P-256 key and one ECDH per device: the
payload is readable by that device only) and one request on a kept-alive connection: the VAPID
header is signed once per push service and reused until shortly before it expires, and the
connections to each push service stay open between jobs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import aiohttp
import http_ece  # type: ignore[import-untyped]
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from redis.asyncio import Redis

from backend import events, jobs
from backend.notifications import service, triggers
from backend.notifications.tables import Notification, PushSubscription
from backend.notifications.vapid import private_key
from backend.settings import Settings

log = logging.getLogger("chorus.push")

TTL_SECONDS = 24 * 3600
DELIVERED = "chorus:push-delivered:{notification}:{subscription}"
TOPICS = {"leaderboard": "leaderboard", "streak": "streak", "digest": "digest"}


@dataclass(frozen=True, slots=True)
class Outcome:
    sent: int
    removed: int
    retry_after: float | None  # set when some subscription should be tried again


def payload(row: dict[str, Any]) -> str:
    """What the service worker shows: small, well under the 4 KB a push may carry."""
    return json.dumps(
        {
            "id": str(row["id"]),
            "title": row["title"],
            "body": row["body"],
            "url": row["url"],
            "category": row["category"],
        },
        separators=(",", ":"),
    )


PUSH_TIMEOUT_SECONDS = 10.0
CONCURRENCY = 32  # pushes in flight per job
CONNECTIONS_PER_HOST = 32  # kept-alive connections to one push service, per process
KEEPALIVE_SECONDS = 60.0  # an idle connection to a push service is closed after this
VAPID_TOKEN_LIFETIME = 12 * 3600  # push services accept up to 24 h
VAPID_REFRESH_BEFORE = 600  # a token is signed anew this long before it expires


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encrypt(body: bytes, p256dh: str, auth: str) -> bytes:
    """The aes128gcm body only the subscription's device can read (RFC 8291): a fresh
    ephemeral key per message, its public half in the body's header."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    sealed: bytes = http_ece.encrypt(
        body,
        private_key=ephemeral,
        dh=_b64decode(p256dh),
        auth_secret=_b64decode(auth),
        version="aes128gcm",
    )
    return sealed


class VapidSigner:
    """VAPID Authorization headers, one per push-service origin, reused until shortly before
    the token expires: signing one costs more than the push itself."""

    def __init__(self, private: str, subject: str) -> None:
        self._vapid = Vapid.from_string(private_key=private)
        self._subject = subject
        self._cache: dict[str, tuple[float, dict[str, str]]] = {}

    def headers_for(self, endpoint: str) -> dict[str, str]:
        """The Authorization header for the push service of an endpoint (or an origin)."""
        parts = urlsplit(endpoint)
        origin = f"{parts.scheme}://{parts.netloc}"
        now = time.time()
        cached = self._cache.get(origin)
        if cached is None or now > cached[0] - VAPID_REFRESH_BEFORE:
            expires = int(now) + VAPID_TOKEN_LIFETIME
            # a fresh claims dict each time: signing writes into it
            claims = {"sub": self._subject, "aud": origin, "exp": expires}
            cached = (float(expires), dict(self._vapid.sign(claims)))
            self._cache[origin] = cached
        return dict(cached[1])


_signers: dict[tuple[str, str], VapidSigner] = {}


def signer_for(private: str, subject: str) -> VapidSigner:
    signer = _signers.get((private, subject))
    if signer is None:
        signer = _signers[(private, subject)] = VapidSigner(private, subject)
    return signer


# ---- one HTTP client per process ------------------------------------------------------------

_client: tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession] | None = None
_closing: set[asyncio.Task[None]] = set()


def http_client() -> aiohttp.ClientSession:
    """This process's client for push services (made on first use in the running loop): its
    connections stay open between pushes and jobs, CONNECTIONS_PER_HOST per push service."""
    global _client
    loop = asyncio.get_running_loop()
    if _client is None or _client[0] is not loop or _client[1].closed:
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=0,  # the per-host limit is the one that matters
                limit_per_host=CONNECTIONS_PER_HOST,
                keepalive_timeout=KEEPALIVE_SECONDS,
                ttl_dns_cache=300,
            ),
            # per socket: waiting for one of our own pooled connections is not the push
            # service being slow
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=PUSH_TIMEOUT_SECONDS, sock_read=PUSH_TIMEOUT_SECONDS
            ),
            cookie_jar=aiohttp.DummyCookieJar(),  # push services set none we would send back
            auto_decompress=False,
        )
        _client = (loop, session)
    return _client[1]


async def close_http_client() -> None:
    global _client
    if _client is not None:
        _, session = _client
        _client = None
        await session.close()


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return default
    try:
        return max(float(value), 0.0) or default
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0) or default
    except (TypeError, ValueError):
        return default


async def send(notification_id: UUID, *, redis: Redis, settings: Settings) -> Outcome:
    rows = await Notification.raw("SELECT * FROM notification WHERE id = {}", notification_id)
    key = private_key(settings)
    if not rows or rows[0]["push_state"] not in ("queued", "sent") or key is None:
        return Outcome(0, 0, None)
    note = rows[0]
    subscriptions = await PushSubscription.raw(
        'SELECT * FROM push_subscription WHERE "user" = {}', note["user"]
    )
    body = payload(note).encode()
    signer = signer_for(key, settings.vapid_subject)
    common = {
        "TTL": str(TTL_SECONDS),
        "Urgency": "high" if note["urgent"] else "normal",
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
    }
    if note["category"] in TOPICS:
        common["Topic"] = TOPICS[note["category"]]  # a newer one replaces an older one
    gone: list[UUID] = []
    refused: list[UUID] = []
    delivered: list[UUID] = []
    waits: list[float] = []
    session = http_client()
    # per push service, once a job: is it allowed, and its headers (VAPID signed per origin)
    services: dict[str, dict[str, str] | None] = {}

    def headers_for(endpoint: str) -> dict[str, str] | None:
        origin = "/".join(endpoint.split("/", 3)[:3])  # scheme://host[:port]
        if origin not in services:
            allowed = service.push_host_allowed(endpoint, settings)
            services[origin] = {**common, **signer.headers_for(endpoint)} if allowed else None
        return services[origin]

    markers = [
        DELIVERED.format(notification=notification_id, subscription=sub["id"])
        for sub in subscriptions
    ]
    # devices a previous try of this job already reached (one round trip for all of them)
    done_before = await redis.mget(markers) if markers else []

    async def one(sub: dict[str, Any]) -> None:
        endpoint = sub["endpoint"]
        headers = headers_for(endpoint)
        if headers is None:
            return  # a host that stopped being allowed: never post to it
        try:
            sealed = encrypt(body, sub["p256dh"], sub["auth"])
        except (ValueError, TypeError) as exc:  # keys no device could have made
            refused.append(sub["id"])
            log.warning("push subscription keys unusable: %s", exc)
            return
        try:
            async with session.post(endpoint, data=sealed, headers=headers) as resp:
                status = resp.status
                retry_after = resp.headers.get("Retry-After")
                await resp.read()  # the connection goes back to the pool for the next push
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning("push service unreachable: %s", exc)
            waits.append(settings.push_retry_seconds)
            return
        if status <= 202:
            delivered.append(sub["id"])
        elif status in (404, 410):
            gone.append(sub["id"])
        elif status == 429 or status >= 500:
            waits.append(_retry_after(retry_after, settings.push_retry_seconds))
        else:
            refused.append(sub["id"])
            log.warning("push refused", extra={"status": status})

    pending = iter([sub for sub, seen in zip(subscriptions, done_before, strict=True) if not seen])

    async def lane() -> None:
        for sub in pending:  # CONCURRENCY lanes share one iterator: each device once
            await one(sub)

    await asyncio.gather(*[lane() for _ in range(CONCURRENCY)])
    if delivered:
        async with redis.pipeline(transaction=False) as pipe:
            for sub_id in delivered:
                marker = DELIVERED.format(notification=notification_id, subscription=sub_id)
                pipe.set(marker, "1", ex=2 * TTL_SECONDS)
            await pipe.execute()
    if gone:
        await PushSubscription.delete().where(PushSubscription.id.is_in(gone))
    if refused:
        await PushSubscription.raw(
            "UPDATE push_subscription SET failures = failures + 1 WHERE id = ANY({})", refused
        )
    if delivered:
        await PushSubscription.raw(
            "UPDATE push_subscription SET last_success_at = now(), failures = 0 WHERE id = ANY({})",
            delivered,
        )
    if not waits:
        await Notification.raw(
            "UPDATE notification SET push_state = 'sent' WHERE id = {} AND push_state = 'queued'",
            notification_id,
        )
    return Outcome(len(delivered), len(gone), max(waits) if waits else None)


class NoticePusher:
    """Turns this process's user notices into inbox rows and queued pushes, and tells people
    when an award passed them on this week's board."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def __call__(self, notice: events.UserNotice) -> None:
        made = await service.on_notice(notice)
        if made is not None and made[1] == "queued":
            await enqueue_push(self._redis, made[0])

    async def on_points(self, event: events.PointsAwarded) -> None:
        for notification_id in await triggers.overtaken(self._redis, event):
            await enqueue_push(self._redis, notification_id)


async def enqueue_push(redis: Redis, notification_id: UUID) -> None:
    """Queue the push, unless its person has no device to push to (it stays in the inbox):
    one query here saves a job per notice for everyone who never turned push on."""
    if not hasattr(redis, "enqueue_job"):
        return  # a process without a queue
    devices = await PushSubscription.raw(
        'SELECT 1 FROM push_subscription s JOIN notification n ON n."user" = s."user" '
        "WHERE n.id = {} LIMIT 1",
        notification_id,
    )
    if devices:
        await jobs.enqueue(redis, jobs.send_push(notification_id))


_pusher: NoticePusher | None = None


def install(redis: Redis) -> None:
    """Make this process's notices into notifications (see backend/subscribers.py for when)."""
    global _pusher
    _pusher = NoticePusher(redis)
    events.on_user_notice(_pusher)
    events.on_points_awarded(_pusher.on_points)


def uninstall() -> None:
    global _pusher
    if _pusher is not None:
        events.remove_notice_subscriber(_pusher)
        events.remove_subscriber(_pusher.on_points)
        _pusher = None
    if _client is not None and not _client[1].closed:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop left to close it in: the process is ending
        if loop is _client[0]:  # close its connections in the loop that opened them
            task = loop.create_task(close_http_client())
            _closing.add(task)
            task.add_done_callback(_closing.discard)
