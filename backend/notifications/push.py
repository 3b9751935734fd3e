"""Sending Web Push: encrypted with pywebpush (aes128gcm), signed with our VAPID key.

Runs in arq tasks and never blocks the worker's loop (webpush_async). Per notification and
subscription: 404/410 deletes the subscription (the browser dropped it), 429 and 5xx retry with
backoff honouring Retry-After, anything else counts a failure. A push already delivered to a
subscription is not sent again when the job retries for the others.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import aiohttp
from py_vapid import Vapid
from pywebpush import WebPushException, webpush_async
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
VAPID_TOKEN_LIFETIME = 12 * 3600
VAPID_REFRESH_AFTER = 3600


class VapidSigner:
    """VAPID Authorization headers, one per push-service origin, reused for an hour: the token
    is valid for 12 h, and signing it anew for every push costs more than the push itself."""

    def __init__(self, private: str, subject: str) -> None:
        self._vapid = Vapid.from_string(private_key=private)
        self._subject = subject
        self._cache: dict[str, tuple[float, dict[str, str]]] = {}

    def headers_for(self, endpoint: str) -> dict[str, str]:
        parts = urlsplit(endpoint)
        origin = f"{parts.scheme}://{parts.netloc}"
        now = time.time()
        cached = self._cache.get(origin)
        if cached is None or now - cached[0] > VAPID_REFRESH_AFTER:
            # a fresh claims dict each time: signing writes into it
            claims = {"sub": self._subject, "aud": origin, "exp": int(now) + VAPID_TOKEN_LIFETIME}
            cached = (now, dict(self._vapid.sign(claims)))
            self._cache[origin] = cached
        return dict(cached[1])


_signers: dict[tuple[str, str], VapidSigner] = {}


def signer_for(private: str, subject: str) -> VapidSigner:
    signer = _signers.get((private, subject))
    if signer is None:
        signer = _signers[(private, subject)] = VapidSigner(private, subject)
    return signer


async def send(notification_id: UUID, *, redis: Redis, settings: Settings) -> Outcome:
    rows = await Notification.raw("SELECT * FROM notification WHERE id = {}", notification_id)
    key = private_key(settings)
    if not rows or rows[0]["push_state"] not in ("queued", "sent") or key is None:
        return Outcome(0, 0, None)
    note = rows[0]
    subscriptions = await PushSubscription.raw(
        'SELECT * FROM push_subscription WHERE "user" = {}', note["user"]
    )
    body = payload(note)
    signer = signer_for(key, settings.vapid_subject)
    gone: list[UUID] = []
    refused: list[UUID] = []
    delivered: list[UUID] = []
    waits: list[float] = []
    gate = asyncio.Semaphore(CONCURRENCY)

    markers = [
        DELIVERED.format(notification=notification_id, subscription=sub["id"])
        for sub in subscriptions
    ]
    # devices a previous try of this job already reached (one round trip for all of them)
    done_before = await redis.mget(markers) if markers else []

    async def one(sub: dict[str, Any]) -> None:
        if not service.push_host_allowed(sub["endpoint"], settings):
            return  # a host that stopped being allowed: never post to it
        async with gate:
            headers = {
                "Urgency": "high" if note["urgent"] else "normal",
                **signer.headers_for(sub["endpoint"]),
            }
            if note["category"] in TOPICS:
                headers["Topic"] = TOPICS[note["category"]]  # a newer one replaces an older one
            try:
                await webpush_async(
                    subscription_info={
                        "endpoint": sub["endpoint"],
                        "keys": {"p256dh": sub["p256dh"], "auth": sub["auth"]},
                    },
                    data=body,
                    ttl=TTL_SECONDS,
                    headers=headers,
                    timeout=PUSH_TIMEOUT_SECONDS,
                    aiohttp_session=session,
                )
            except WebPushException as exc:
                status = exc.status_code
                if status in (404, 410):
                    gone.append(sub["id"])
                elif status is None or status == 429 or status >= 500:
                    waits.append(float(exc.retry_after or 0) or settings.push_retry_seconds)
                else:
                    refused.append(sub["id"])
                    log.warning("push refused", extra={"status": status})
                return
            except (OSError, TimeoutError) as exc:
                log.warning("push service unreachable: %s", exc)
                waits.append(settings.push_retry_seconds)
                return
            delivered.append(sub["id"])

    pending = [sub for sub, seen in zip(subscriptions, done_before, strict=True) if not seen]
    # one connection pool for the whole fan-out instead of a new session per push
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*[one(sub) for sub in pending])
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
