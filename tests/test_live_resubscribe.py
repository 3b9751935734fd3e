"""Board events published while a process's pub/sub listener was away are never sent again:
when the listener subscribes again, every open stream is told its boards may have changed and
the process's board caches read again (backend/live.py `LiveHub._resubscribed`)."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from backend.embedded import EmbeddedRedis, free_port
from backend.live import LiveHub
from tests.helpers import TMP_ROOT


async def _until(check, safety_net: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + safety_net
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "never happened"
        await asyncio.sleep(0.05)


async def test_a_resubscribed_listener_tells_every_open_stream_to_read_its_boards_again():
    port = free_port()
    server = EmbeddedRedis(TMP_ROOT / f"live-redis-{port}", persist=False, port=port)
    server.start()
    redis = Redis.from_url(server.url)
    admin = Redis.from_url(server.url)
    hub = LiveHub(redis)
    listening: list[int] = []
    changed: list[str] = []
    hub.on_listening.append(lambda: listening.append(1))
    hub.on_boards_changed.append(changed.append)
    hub.start()
    try:
        mine = hub.connect("org-1", "user-1")
        await _until(lambda: len(listening) == 1)
        assert changed == [] and mine.queue.empty()  # the first subscribe is not a resubscribe
        killed = await admin.client_kill_filter(_type="pubsub")
        assert killed >= 1
        await _until(lambda: len(listening) >= 2)  # subscribed again
        assert changed and set(changed) == {"org-1"}
        event, data = await asyncio.wait_for(mine.queue.get(), 10)  # the next coalesced flush
        assert event == "leaderboard" and "users" in data
    finally:
        await hub.stop()
        await redis.aclose()
        await admin.aclose()
        server.stop()
