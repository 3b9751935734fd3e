"""Sending Web Push: encrypted with pywebpush (aes128gcm), signed with our VAPID key.

Runs in arq tasks and never blocks the worker's loop (webpush_async). Per notification and
subscription: 404/410 deletes the subscription (the browser dropped it), 429 and 5xx retry with
backoff honouring Retry-After, anything else counts a failure. A push already delivered to a
subscription is not sent again when the job retries for the others.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pywebpush import WebPushException, webpush_async
from redis.asyncio import Redis

from backend import events
from backend.notifications import service
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
    sent = removed = 0
    retry_after: float | None = None
    for sub in subscriptions:
        marker = DELIVERED.format(notification=notification_id, subscription=sub["id"])
        if await redis.exists(marker):
            continue
        if not service.push_host_allowed(sub["endpoint"], settings):
            continue  # a host that stopped being allowed: never post to it
        headers = {"Urgency": "high" if note["urgent"] else "normal"}
        if note["category"] in TOPICS:
            headers["Topic"] = TOPICS[note["category"]]  # a newer one replaces an older one
        try:
            await webpush_async(
                subscription_info={
                    "endpoint": sub["endpoint"],
                    "keys": {"p256dh": sub["p256dh"], "auth": sub["auth"]},
                },
                data=body,
                vapid_private_key=key,
                # a fresh dict per call: pywebpush writes aud and exp into the one it is given
                vapid_claims={"sub": settings.vapid_subject},
                ttl=TTL_SECONDS,
                headers=headers,
                timeout=PUSH_TIMEOUT_SECONDS,
            )
        except WebPushException as exc:
            status = exc.status_code
            if status in (404, 410):
                await PushSubscription.delete().where(PushSubscription.id == sub["id"])
                removed += 1
            elif status is None or status == 429 or status >= 500:
                wait = float(exc.retry_after or 0) or settings.push_retry_seconds
                retry_after = max(retry_after or 0.0, wait)
            else:
                await PushSubscription.raw(
                    "UPDATE push_subscription SET failures = failures + 1 WHERE id = {}",
                    sub["id"],
                )
                log.warning("push refused", extra={"status": status})
            continue
        except (OSError, TimeoutError) as exc:
            log.warning("push service unreachable: %s", exc)
            retry_after = max(retry_after or 0.0, settings.push_retry_seconds)
            continue
        await redis.set(marker, "1", ex=2 * TTL_SECONDS)
        await PushSubscription.raw(
            "UPDATE push_subscription SET last_success_at = now(), failures = 0 WHERE id = {}",
            sub["id"],
        )
        sent += 1
    if retry_after is None:
        await Notification.raw(
            "UPDATE notification SET push_state = 'sent' WHERE id = {} AND push_state = 'queued'",
            notification_id,
        )
    return Outcome(sent, removed, retry_after)


class NoticePusher:
    """Turns this process's user notices into inbox rows and queued pushes."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def __call__(self, notice: events.UserNotice) -> None:
        made = await service.on_notice(notice)
        if made is not None and made[1] == "queued":
            await enqueue_push(self._redis, made[0])


async def enqueue_push(redis: Redis, notification_id: UUID) -> None:
    enqueue = getattr(redis, "enqueue_job", None)
    if enqueue is not None:
        await enqueue("send_push", str(notification_id), _job_id=f"push:{notification_id}")


_pusher: NoticePusher | None = None
_installs = 0


def install(redis: Redis) -> None:
    """Make this process's notices into notifications (once per process)."""
    global _pusher, _installs
    _installs += 1
    if _pusher is None:
        _pusher = NoticePusher(redis)
        events.on_user_notice(_pusher)


def uninstall() -> None:
    global _pusher, _installs
    _installs = max(_installs - 1, 0)
    if _installs == 0 and _pusher is not None:
        events.remove_notice_subscriber(_pusher)
        _pusher = None
