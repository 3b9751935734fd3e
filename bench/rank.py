"""Why boards live in Redis: "my rank" and the top 10 over 1,000,000 people, asked of PostgreSQL
with RANK() OVER (ORDER BY points DESC) and of a Redis sorted set with ZREVRANK / ZREVRANGE.

The same 1,000,000 (user id, points) pairs go into a scratch table (COPY, then an index on
points and on the user id, then ANALYZE) and into a scratch sorted set; both are dropped after.
Every time is one query from this process, its round trip included.
"""

from __future__ import annotations

import random
import secrets
import statistics
import time
import uuid
from dataclasses import dataclass

MEMBERS = 1_000_000


@dataclass
class RankFigures:
    pg_my_rank: float  # seconds, median of one query each
    pg_top10: float
    redis_my_rank: float
    redis_top10: float


async def compare() -> RankFigures:
    import asyncpg
    from redis.asyncio import Redis

    from backend.settings import get_settings

    settings = get_settings()
    rng = random.Random(11)
    ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(MEMBERS)]
    points = [rng.randint(0, 5000) for _ in range(MEMBERS)]
    table = f"bench_rank_{secrets.token_hex(4)}"
    key = f"bench:rank:{table}"
    conn = await asyncpg.connect(settings.database_url)
    redis = Redis.from_url(settings.redis_url)
    try:
        await conn.execute(f"CREATE UNLOGGED TABLE {table} (user_id uuid NOT NULL, points int)")
        await conn.copy_records_to_table(table, records=zip(ids, points, strict=True))
        await conn.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (user_id)")
        await conn.execute(f"CREATE INDEX ON {table} (points DESC)")
        await conn.execute(f"ANALYZE {table}")
        my_rank_sql = (
            f"SELECT r FROM (SELECT user_id, RANK() OVER (ORDER BY points DESC) AS r "
            f"FROM {table}) ranked WHERE user_id = $1"
        )
        top_sql = (
            f"SELECT user_id, points, RANK() OVER (ORDER BY points DESC) AS r "
            f"FROM {table} ORDER BY points DESC LIMIT 10"
        )
        probes = [ids[rng.randrange(MEMBERS)] for _ in range(8)]

        async def pg_my_rank(member: uuid.UUID) -> float:
            started = time.perf_counter()
            await conn.fetchval(my_rank_sql, member)
            return time.perf_counter() - started

        async def pg_top() -> float:
            started = time.perf_counter()
            await conn.fetch(top_sql)
            return time.perf_counter() - started

        await pg_my_rank(probes[0])  # warm-up: the table in shared buffers
        pg_rank = statistics.median([await pg_my_rank(m) for m in probes[1:]])
        await pg_top()
        pg_top10 = statistics.median([await pg_top() for _ in range(200)])

        for start in range(0, MEMBERS, 20_000):
            await redis.zadd(
                key,
                {str(ids[i]): points[i] for i in range(start, min(start + 20_000, MEMBERS))},
            )

        async def redis_my_rank(member: uuid.UUID) -> float:
            started = time.perf_counter()
            await redis.zrevrank(key, str(member))
            return time.perf_counter() - started

        async def redis_top() -> float:
            started = time.perf_counter()
            await redis.zrevrange(key, 0, 9, withscores=True)
            return time.perf_counter() - started

        sample = [ids[rng.randrange(MEMBERS)] for _ in range(2000)]
        await redis_my_rank(sample[0])
        redis_rank = statistics.median([await redis_my_rank(m) for m in sample])
        await redis_top()
        redis_top10 = statistics.median([await redis_top() for _ in range(2000)])
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {table}")
        await conn.close()
        await redis.delete(key)
        await redis.aclose()
    return RankFigures(pg_rank, pg_top10, redis_rank, redis_top10)
