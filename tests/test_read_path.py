"""The per-request work of an authenticated read, made cheap without weakening what it checks:
the Authorization header read straight from the ASGI scope, and a sharer's address noted in
Redis only when it is new for that person (per process, at most every REMEMBER_EVERY_SECONDS,
and again on a new UTC day, whose salt gives the address another hash)."""

from __future__ import annotations

import time
import uuid

from backend.http.auth import _first_header
from backend.sharing import sharers
from backend.sharing.redirect import VisitorSalts
from backend.sharing.sharers import SharerAddresses, addresses_key


def test_first_header_is_what_litestar_headers_get_answers():
    scope = {
        "headers": [
            (b"host", b"x"),
            (b"authorization", b"Bearer one"),
            (b"authorization", b"Bearer two"),
        ]
    }
    assert _first_header(scope, b"authorization") == "Bearer one"
    assert _first_header(scope, b"cookie") is None
    assert _first_header({"headers": [(b"authorization", b"Bearer \xe9")]}, b"authorization") == (
        "Bearer \xe9"
    )


async def test_an_address_is_written_once_then_again_when_new_or_on_a_new_day(app, monkeypatch):
    redis = app.state.redis
    org, person = uuid.uuid4(), uuid.uuid4()
    key = addresses_key(org, person)
    noted = SharerAddresses(redis, VisitorSalts(redis))
    writes = 0
    pipeline = redis.pipeline

    def counting(*args, **kwargs):
        nonlocal writes
        writes += 1
        return pipeline(*args, **kwargs)

    monkeypatch.setattr(redis, "pipeline", counting)
    await noted.remember(org, person, "203.0.113.7")
    await noted.remember(org, person, "203.0.113.7")
    await noted.remember(org, person, "203.0.113.7")
    assert writes == 1 and await redis.zcard(key) == 1
    await noted.remember(org, person, "198.51.100.9")  # another address: written at once
    assert writes == 2 and await redis.zcard(key) == 2
    await noted.remember(org, uuid.uuid4(), "203.0.113.7")  # someone else from it: theirs
    assert writes == 3
    # after REMEMBER_EVERY_SECONDS the same address is written again (its time moves on)
    now = time.time()
    monkeypatch.setattr(sharers.time, "time", lambda: now + sharers.REMEMBER_EVERY_SECONDS + 1)
    await noted.remember(org, person, "203.0.113.7")
    assert writes == 4
    # the next UTC day has a salt of its own: the same address is a new hash, noted at once
    tomorrow = (now // 86_400 + 1) * 86_400 + 5
    monkeypatch.setattr(sharers.time, "time", lambda: tomorrow)
    before = writes
    await noted.remember(org, person, "203.0.113.7")
    assert writes > before
    newest = await redis.zrevrange(key, 0, 0, withscores=True)
    assert newest[0][1] == tomorrow  # a member (the new day's hash) written just now
