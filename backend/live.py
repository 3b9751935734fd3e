"""Live updates to open apps: `GET /api/v1/events` (server-sent events) fed by Redis pub/sub.

Whichever process changes a board or decides a submission publishes to Redis; every API
process listens on one pub/sub connection and forwards to the streams it serves, so any
process can serve any client. `leaderboard` events are coalesced to at most one per second
per organization (each names the boards that changed); `submission` and `badge` events go
only to their owner, at once.

A stream lives only as long as the session that opened it: the session is checked again on
every heartbeat (at most SESSION_CHECK_SECONDS apart) and at once when any process announces
that the person's sessions ended (backend/orgs/sessions.py); an ended session closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncGenerator
from typing import Any
from uuid import UUID

from litestar import Request, get
from litestar.response import ServerSentEvent, ServerSentEventMessage
from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend import events
from backend.challenges.cache import CHALLENGE_EVENTS
from backend.core.identity import CurrentUser
from backend.http.auth import token_id, token_issued_us
from backend.leaderboards.boards import BOARD_EVENTS
from backend.orgs import sessions

log = logging.getLogger("chorus.live")

USER_EVENTS = "chorus:user-events"
COALESCE_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
SESSION_CHECK_SECONDS = 5.0
RECHECK = "__session__"  # queued to a stream (never sent): check the session now
QUEUE_LIMIT = 100


class _Client:
    def __init__(self, org_id: str, user_id: str) -> None:
        self.org_id = org_id
        self.user_id = user_id
        self.queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue(QUEUE_LIMIT)

    def offer(self, event: str, data: str) -> None:
        # a stalled reader misses live events; the app refetches when it wakes
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait((event, data))


class LiveHub:
    """One per API process: a pub/sub listener and the streams of the clients it serves."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._clients: dict[str, set[_Client]] = defaultdict(set)
        self._dirty: dict[str, set[str]] = defaultdict(set)
        self._tasks: list[asyncio.Task[None]] = []
        self.on_boards_changed: list[Any] = []  # callbacks(org_id) for in-process caches
        # in-process caches trusted only while subscribed: told when the listener is
        # (re)subscribed and when it is not, fed the challenge events and every live notice
        self.on_listening: list[Any] = []  # callbacks()
        self.on_paused: list[Any] = []  # callbacks()
        self.on_challenge_event: list[Any] = []  # callbacks(text)
        self.on_notice: list[Any] = []  # callbacks(org_id, user_id, kind)
        self._listened = False  # subscribed at least once: a later subscribe is a resubscribe

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._listen(), name="chorus-live-listen"),
            asyncio.create_task(self._flush_boards(), name="chorus-live-coalesce"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def connect(self, org_id: str, user_id: str) -> _Client:
        client = _Client(org_id, user_id)
        self._clients[org_id].add(client)
        return client

    def disconnect(self, client: _Client) -> None:
        self._clients[client.org_id].discard(client)
        if not self._clients[client.org_id]:
            del self._clients[client.org_id]

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(
                        BOARD_EVENTS, USER_EVENTS, sessions.SESSION_ENDS, CHALLENGE_EVENTS
                    )
                    # redis-py may reconnect and resubscribe by itself: events are lost then
                    connection = pubsub.connection
                    if connection is not None:
                        connection.register_connect_callback(self._reconnecting)
                    try:
                        async for message in pubsub.listen():
                            kind = message.get("type")
                            if kind == "message":
                                self._dispatch(message["channel"], message["data"])
                            elif kind == "subscribe" and (
                                _text(message["channel"]) == CHALLENGE_EVENTS
                            ):
                                self._notify(self.on_listening)  # the last channel subscribed
                                if self._listened:
                                    self._resubscribed()
                                self._listened = True
                    finally:
                        if connection is not None:  # it goes back to the pool
                            connection.deregister_connect_callback(self._reconnecting)
            except asyncio.CancelledError:
                self._notify(self.on_paused)
                raise
            except (RedisError, OSError) as exc:
                self._notify(self.on_paused)
                log.warning("live events paused, reconnecting: %s", exc)
                await asyncio.sleep(1)

    def _resubscribed(self) -> None:
        """Board events published while the listener was away are lost for good: every open
        stream is told its boards may have changed (in the next coalesced flush), and this
        process's board caches read again."""
        for org_id in list(self._clients):
            self._dirty[org_id].update({"users", "teams"})
            self._notify(self.on_boards_changed, org_id)

    def _reconnecting(self, connection: Any) -> None:
        self._notify(self.on_paused)

    @staticmethod
    def _notify(callbacks: list[Any], *args: Any) -> None:
        for callback in callbacks:
            try:
                callback(*args)
            except Exception:
                log.exception("live callback %r failed", callback)

    def _dispatch(self, channel: bytes | str, data: bytes | str) -> None:
        channel = _text(channel)
        text = _text(data)
        if channel == CHALLENGE_EVENTS:
            self._notify(self.on_challenge_event, text)
            return
        if channel == sessions.SESSION_ENDS:
            try:
                ended = UUID(text)
            except ValueError:
                return
            sessions.forget(ended)
            for clients in self._clients.values():
                for client in clients:
                    if client.user_id == text:
                        client.offer(RECHECK, "")
            return
        if channel == BOARD_EVENTS:
            org_id, _, team_id = [*text.split(" "), "-", "-"][:3]
            for callback in self.on_boards_changed:
                callback(org_id)
            if org_id in self._clients:
                self._dirty[org_id].add("users")
                if team_id != "-":
                    self._dirty[org_id].update({"teams", f"team:{team_id}"})
            return
        notice = json.loads(text)
        self._notify(self.on_notice, notice["orgId"], notice["userId"], notice["kind"])
        for client in self._clients.get(notice["orgId"], ()):
            if client.user_id == notice["userId"]:
                client.offer(notice["kind"], json.dumps(notice["data"]))

    async def _flush_boards(self) -> None:
        while True:
            await asyncio.sleep(COALESCE_SECONDS)
            dirty, self._dirty = self._dirty, defaultdict(set)
            for org_id, boards in dirty.items():
                data = json.dumps({"boards": sorted(boards)})
                for client in self._clients.get(org_id, ()):
                    client.offer("leaderboard", data)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class NoticePublisher:
    """Publishes user notices of this process to every API process."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def __call__(self, notice: events.UserNotice) -> None:
        payload = {
            "orgId": str(notice.org_id),
            "userId": str(notice.user_id),
            "kind": notice.kind,
            "data": notice.data,
        }
        await self._redis.publish(USER_EVENTS, json.dumps(payload))


_publisher: NoticePublisher | None = None


def install(redis: Redis) -> None:
    """Publish this process's user notices (see backend/subscribers.py for when)."""
    global _publisher
    _publisher = NoticePublisher(redis)
    events.on_user_notice(_publisher)


def uninstall() -> None:
    global _publisher
    if _publisher is not None:
        events.remove_notice_subscriber(_publisher)
        _publisher = None


@get("/api/v1/events", tags=["live"], sync_to_thread=False)
def live_events(request: Request[CurrentUser, Any, Any]) -> ServerSentEvent:
    """Server-sent events for the caller: `leaderboard`, `submission`, `badge`."""
    hub: LiveHub = request.app.state.live
    user = request.user
    token = request.auth
    issued_us, jti = token_issued_us(token), token_id(token)

    async def session_lives() -> bool:
        still = await sessions.user_of_token(
            user.id, user.org_id, issued_us=issued_us, token_id=jti
        )
        return still is not None

    async def stream() -> AsyncGenerator[ServerSentEventMessage, None]:
        client = hub.connect(str(user.org_id), str(user.id))
        loop = asyncio.get_running_loop()
        last_sent = next_check = loop.time()
        try:
            yield ServerSentEventMessage(event="ready", data=json.dumps({"userId": str(user.id)}))
            while True:
                next_check = min(next_check, loop.time() + SESSION_CHECK_SECONDS)
                try:
                    event, data = await asyncio.wait_for(
                        client.queue.get(), max(next_check - loop.time(), 0.0)
                    )
                except TimeoutError:
                    event, data = RECHECK, ""
                if event == RECHECK or loop.time() >= next_check:
                    # a busy stream is checked as often as an idle one
                    next_check = loop.time() + SESSION_CHECK_SECONDS
                    if not await session_lives():
                        yield ServerSentEventMessage(event="session-ended", data="{}")
                        return
                if event == RECHECK:
                    if loop.time() - last_sent >= HEARTBEAT_SECONDS:
                        last_sent = loop.time()
                        yield ServerSentEventMessage(comment="keep-alive")
                    continue
                last_sent = loop.time()
                yield ServerSentEventMessage(event=event, data=data)
        finally:
            hub.disconnect(client)

    return ServerSentEvent(
        stream(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )


__all__ = ["LiveHub", "install", "live_events", "uninstall"]
