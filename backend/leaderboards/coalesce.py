"""Calls of one Lua script made during the same turn of the event loop, sent as one pipeline.

The invariant: each caller gets exactly what its own `EVALSHA` would have answered (its result,
or its error, in its own future); only the transport is shared. Under load many readers of big
boards are waiting at once, and one write and one read for all of them costs Redis and this
process far less than a pooled round trip each (redis-py's pool, command packing and socket
calls per command). A lone call waits for nothing: the batch is sent on the next turn of the
loop, not after a timer. On a Redis Cluster each call goes alone (its own slot's node).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from backend.leaderboards import store

MAX_BATCH = 256  # calls per pipeline at most; more wait for the next turn of the loop


class ScriptBatcher:
    """`await batcher(keys, args)` = `await script(keys=keys, args=args)`, batched."""

    def __init__(self, redis: Redis, script: str) -> None:
        self._redis = redis
        self._script = redis.register_script(script)
        self._alone = store.is_cluster(redis)
        self._pending: list[tuple[Sequence[Any], Sequence[Any], asyncio.Future[Any]]] = []
        self._scheduled = False
        self._sending: set[asyncio.Task[None]] = set()

    async def __call__(self, keys: Sequence[Any], args: Sequence[Any]) -> Any:
        if self._alone:
            return await self._script(keys=keys, args=args)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((keys, args, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        self._scheduled = False
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            task = asyncio.get_running_loop().create_task(self._send(batch))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(
        self, batch: list[tuple[Sequence[Any], Sequence[Any], asyncio.Future[Any]]]
    ) -> None:
        try:
            results = await self._run(batch)
        except BaseException as exc:  # the transport failed: every caller gets the error
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, _, future), result in zip(batch, results, strict=True):
            if future.done():  # its caller went away (a cancelled request)
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def _run(
        self, batch: list[tuple[Sequence[Any], Sequence[Any], asyncio.Future[Any]]]
    ) -> list[Any]:
        if len(batch) == 1:
            keys, args, _ = batch[0]
            try:
                return [await self._script(keys=keys, args=args)]
            except Exception as exc:  # handed to its caller as is
                return [exc]
        results = await self._pipeline(batch)
        if any(isinstance(result, NoScriptError) for result in results):
            # Redis lost its scripts (a restart): load it once, then send the batch again
            self._script.sha = await self._redis.script_load(self._script.script)
            results = await self._pipeline(batch)
        return results

    async def _pipeline(
        self, batch: list[tuple[Sequence[Any], Sequence[Any], asyncio.Future[Any]]]
    ) -> list[Any]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for keys, args, _ in batch:
                pipe.execute_command("EVALSHA", self._script.sha, len(keys), *keys, *args)
            results: list[Any] = await pipe.execute(raise_on_error=False)
        return results
