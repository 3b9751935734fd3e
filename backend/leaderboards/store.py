"""Which Redis holds the boards: CHORUS_BOARDS_REDIS_URL (a Redis Cluster with
CHORUS_BOARDS_REDIS_CLUSTER=true), else the main Redis (CHORUS_REDIS_URL).

The invariant: every key the boards use carries its organization's `{org:<id>}` hash tag
(backend/leaderboards/keys.py), so every Lua call, pipeline and swap of one organization lands
on one cluster slot; nothing else of Chorus lives there. The arq queue, rate limits, sessions
and pub/sub stay on the main Redis (arq spans keys; a PUBLISH on a cluster node reaches only
that node's subscribers), so board code takes the main client and asks `client(main)` for the
boards' one at each call.
"""

from __future__ import annotations

from typing import cast
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from backend.settings import Settings, get_settings

_client: Redis | None = None
_users = 0


def open_client(settings: Settings) -> Redis | None:
    """A client of the boards' own Redis, or None when they share the main one."""
    if not settings.boards_redis_url:
        return None
    if settings.boards_redis_cluster:
        # RedisCluster speaks the same commands, scripts and (non-transactional) pipelines the
        # boards use; typed as Redis so board code has one client type.
        return cast(Redis, cluster_client(settings.boards_redis_url))
    boards: Redis = Redis.from_url(settings.boards_redis_url)
    return boards


def cluster_client(urls: str) -> RedisCluster:
    """A cluster client from one URL or several, comma-separated (`redis://a:6379,redis://b:6379`):
    every one is a startup node, so the client finds the cluster again after any one node,
    the first included, has died and come back."""
    seeds = [url.strip() for url in urls.split(",") if url.strip()]
    nodes = []
    for url in seeds:
        parts = urlsplit(url)
        nodes.append(ClusterNode(parts.hostname or "127.0.0.1", parts.port or 6379))
    cluster: RedisCluster = RedisCluster.from_url(
        seeds[0],
        startup_nodes=nodes,
        cluster_error_retry_attempts=10,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), 8),
    )
    return cluster


def is_cluster(redis: Redis) -> bool:
    """A cluster has no MULTI across the slot's node here (redis-py's async cluster pipeline
    has no transactions): what must be atomic runs as one Lua call instead."""
    return isinstance(redis, RedisCluster)


def client(main: Redis) -> Redis:
    """The boards' Redis of this process: the one opened from the settings, else `main`."""
    global _client
    if _client is None:
        _client = open_client(get_settings())  # a command (`chorus rebuild-boards`) opens late
    return _client if _client is not None else main


def acquire(settings: Settings) -> None:
    """The API lifespan and every worker: the first opens the boards' client."""
    global _client, _users
    _users += 1
    if _client is None:
        _client = open_client(settings)


async def release() -> None:
    """The last user closes the boards' client."""
    global _client, _users
    _users = max(_users - 1, 0)
    if _users == 0 and _client is not None:
        opened, _client = _client, None
        await opened.aclose()


def use(redis: Redis | None) -> Redis | None:
    """Put the boards on `redis` (None: back to the settings'); returns what was in use.
    For tests and the bench, which run the same process against two backends."""
    global _client
    previous, _client = _client, redis
    return previous
