"""backend/leaderboards/coalesce.py: concurrent calls of a Lua script share one pipeline, and
each caller still gets exactly its own answer or its own error (real Redis)."""

from __future__ import annotations

import asyncio

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from backend.leaderboards.coalesce import MAX_BATCH, ScriptBatcher

# Answers its argument doubled, or fails when asked to (to check errors stay with their caller)
SCRIPT = """
if ARGV[1] == 'fail' then return redis.error_reply('asked to fail') end
redis.call('INCR', KEYS[1])
return tonumber(ARGV[1]) * 2
"""


async def test_concurrent_calls_share_pipelines_and_keep_their_own_answers(app):
    redis = app.state.redis
    await redis.delete("batcher:calls")
    batcher = ScriptBatcher(redis, SCRIPT)
    sent: list[int] = []
    pipeline = batcher._pipeline

    async def counting(batch):  # how many pipelines, and how big
        sent.append(len(batch))
        return await pipeline(batch)

    batcher._pipeline = counting  # type: ignore[method-assign]
    # a lone call waits for nobody and goes as a plain EVALSHA (loading the script)
    assert await batcher(keys=["batcher:calls"], args=[21]) == 42
    assert sent == []
    calls = MAX_BATCH + 44
    answers = await asyncio.gather(
        *[batcher(keys=["batcher:calls"], args=[n]) for n in range(calls)]
    )
    assert answers == [2 * n for n in range(calls)]
    assert sent == [MAX_BATCH, 44]  # one turn of the loop: two pipelines, none alone
    assert int(await redis.get("batcher:calls")) == calls + 1


async def test_an_error_goes_to_its_own_caller_only(app):
    batcher = ScriptBatcher(app.state.redis, SCRIPT)
    results = await asyncio.gather(
        batcher(keys=["batcher:calls"], args=[1]),
        batcher(keys=["batcher:calls"], args=["fail"]),
        batcher(keys=["batcher:calls"], args=[3]),
        return_exceptions=True,
    )
    assert results[0] == 2 and results[2] == 6
    assert isinstance(results[1], ResponseError) and "asked to fail" in str(results[1])


async def test_scripts_lost_by_redis_are_loaded_again(app):
    redis = app.state.redis
    batcher = ScriptBatcher(redis, SCRIPT)
    assert await batcher(keys=["batcher:calls"], args=[1]) == 2
    await redis.script_flush()  # Redis restarted and lost its scripts
    answers = await asyncio.gather(*[batcher(keys=["batcher:calls"], args=[n]) for n in range(5)])
    assert answers == [0, 2, 4, 6, 8]


async def test_a_failed_transport_fails_every_caller_of_the_batch(app):
    batcher = ScriptBatcher(app.state.redis, SCRIPT)

    async def broken(batch):
        raise RedisConnectionError("Redis went away")

    batcher._pipeline = broken  # type: ignore[method-assign]
    results = await asyncio.gather(
        *[batcher(keys=["batcher:calls"], args=[n]) for n in range(3)], return_exceptions=True
    )
    assert all(isinstance(r, RedisConnectionError) for r in results)
    # and the next batch goes out again as usual
    del batcher._pipeline
    assert await asyncio.gather(
        batcher(keys=["batcher:calls"], args=[1]), batcher(keys=["batcher:calls"], args=[2])
    ) == [2, 4]


@pytest.mark.parametrize("cancelled", [0, 1])
async def test_a_caller_that_went_away_does_not_break_the_batch(app, cancelled):
    batcher = ScriptBatcher(app.state.redis, SCRIPT)
    calls = [asyncio.ensure_future(batcher(keys=["batcher:calls"], args=[n])) for n in range(3)]
    await asyncio.sleep(0)
    calls[cancelled].cancel()
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert isinstance(results[cancelled], asyncio.CancelledError)
    assert [r for i, r in enumerate(results) if i != cancelled] == [
        2 * n for n in range(3) if n != cancelled
    ]
