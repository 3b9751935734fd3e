"""Push fan-out figure: pushes per second one worker job sends to a local push service,
against pywebpush encrypting the same payload in a loop with no network at all."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
import uuid
from typing import Any

SUBSCRIPTIONS = 10_000

# A push service that accepts everything at once (HTTP/1.1 keep-alive, 201), in its own
# process: the figure measures Chorus's side of the fan-out, not a fake's checks.
RECEIVER = r"""
import asyncio, sys
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    async with server:
        await server.serve_forever()
asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def fan_out() -> tuple[float, float]:
    """(pushes/s of one send job over SUBSCRIPTIONS devices, encryptions/s with no network)."""
    from pywebpush import WebPusher
    from redis.asyncio import Redis

    from backend import db
    from backend.notifications.push import close_http_client, payload, send
    from backend.notifications.tables import Notification
    from backend.settings import get_settings

    settings = get_settings()
    port = free_port()
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(port)])  # noqa: ASYNC220
    await db.open_pool()
    redis = Redis.from_url(settings.redis_url)
    try:
        await asyncio.sleep(0.5)
        org, user, note = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await Notification.raw("INSERT INTO organization (id, name) VALUES ({}, 'Push Co')", org)
        await Notification.raw(
            "INSERT INTO app_user (id, org, email, display_name, password_hash) "
            "VALUES ({}, {}, 'push@bench.example', 'Push', 'x')",
            user,
            org,
        )
        from tests.fakes import FakePushService  # a browser's keys, made as a browser does

        browser = FakePushService("unused").subscription()
        keys = browser["keys"]
        await Notification.raw(
            'INSERT INTO push_subscription (id, org, "user", endpoint, p256dh, auth) '
            "SELECT gen_random_uuid(), {}, {}, {} || g, {}, {} "
            "FROM generate_series(1, {}) AS g",
            org,
            user,
            f"http://127.0.0.1:{port}/push/",
            keys["p256dh"],
            keys["auth"],
            SUBSCRIPTIONS,
        )
        await Notification.raw(
            'INSERT INTO notification (id, org, "user", category, title, body, url, '
            "push_state) VALUES ({}, {}, {}, 'challenge', 'New challenge: Launch day', "
            "'+50 points when you share it.', '/challenges/x', 'queued')",
            note,
            org,
            user,
        )
        row: dict[str, Any] = (
            await Notification.raw("SELECT * FROM notification WHERE id = {}", note)
        )[0]
        body = payload(row).encode()
        pusher = WebPusher({"endpoint": browser["endpoint"], "keys": keys})

        def encrypt_only(loops: int = 2000) -> float:
            started = time.perf_counter()
            for _ in range(loops):
                pusher.encode(body, content_encoding="aes128gcm")
            return loops / (time.perf_counter() - started)

        # the machine is shared: the baseline is measured right before and right after the
        # fan-out, and their mean is the figure's baseline
        before = encrypt_only()
        started = time.perf_counter()
        outcome = await send(note, redis=redis, settings=settings)
        ours = outcome.sent / (time.perf_counter() - started)
        await close_http_client()
        after = encrypt_only()
    finally:
        receiver.terminate()
        await redis.aclose()
        await db.close_pool()
    return ours, (before + after) / 2
