"""Which Redis holds the boards: CHORUS_BOARDS_REDIS_URL (a Redis Cluster with
CHORUS_BOARDS_REDIS_CLUSTER=true), else the main Redis (CHORUS_REDIS_URL).

The invariant: every key the boards use carries its organization's `{org:<id>}` hash tag
(backend/leaderboards/keys.py), so every Lua call, pipeline and swap of one organization lands
on one cluster slot; nothing else of Chorus lives there. The arq queue, rate limits, sessions
and pub/sub stay on the main Redis (arq spans keys; a PUBLISH on a cluster node reaches only
that node's subscribers), so board code takes the main client and asks `client(main)` for the
boards' one at each call.

A cluster client must find its way back after a master dies and returns on the same address.
redis-py 5's async RedisCluster does not on its own: on a ConnectionError or TimeoutError it
drops the node from its startup nodes, and on any retryable error it closes every connection
of the client, so commands in flight on healthy masters fail too and drop *their* nodes; once
every node is gone before one re-read of CLUSTER SLOTS refilled the list, each later call
raises "Redis Cluster cannot be connected" forever (redis-py issues 2555, 3221, 3693).
`SeededCluster` puts the configured nodes back before every re-initialization, so the client
re-reads the slots from them and reconnects as soon as any one answers. (The same closing
races a connection being opened: redis-py then fails with an AttributeError on its writer,
which `SeededCluster` turns into the ConnectionError it is, so it is retried like one.)
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, ClusterPipeline, PipelineCommand, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

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


class SeededCluster(RedisCluster):
    """RedisCluster that never loses its configured startup nodes (see the module docstring)."""

    def __init__(self, *args: Any, seeds: list[tuple[str, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seeds = seeds

    def restore_seeds(self) -> None:
        known = self.nodes_manager.startup_nodes
        for host, port in self.seeds:
            node = ClusterNode(host, port, **self.connection_kwargs)
            if node.name not in known:
                known[node.name] = node

    async def initialize(self) -> RedisCluster:
        if self._initialize:  # about to re-read CLUSTER SLOTS from the startup nodes
            self.restore_seeds()
        return await super().initialize()

    async def _execute_command(self, target_node: ClusterNode, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super()._execute_command(target_node, *args, **kwargs)
        except AttributeError as exc:  # its connection closed under it (module docstring)
            raise RedisConnectionError(f"connection to {target_node.name} closed") from exc

    def pipeline(self, transaction: Any | None = None, shard_hint: Any | None = None) -> Any:
        if transaction or shard_hint:
            return super().pipeline(transaction, shard_hint)  # refuses, as it should
        return _SeededPipeline(self)  # type: ignore[abstract]  # as redis-py's own pipeline()


class _SeededPipeline(ClusterPipeline):
    async def _execute(
        self,
        client: RedisCluster,
        stack: list[PipelineCommand],
        raise_on_error: bool = True,
        allow_redirections: bool = True,
    ) -> list[Any]:
        try:
            return await super()._execute(client, stack, raise_on_error, allow_redirections)
        except AttributeError as exc:  # a connection closed under it (module docstring)
            raise RedisConnectionError("a pipeline's connection closed") from exc


def cluster_client(urls: str) -> RedisCluster:
    """A cluster client from one URL or several, comma-separated (`redis://a:6379,redis://b:6379`):
    every one is a startup node, kept for good, so the client finds the cluster again after any
    node, the first included, has died and come back.

    A call to a master whose process is gone fails at once (connection refused, after ten
    re-reads of the slots), one while the cluster says it is down within about three seconds
    (ten tries a quarter of a second apart), a connection to a host that does not answer after
    the 2-second connect timeout, twice per try; the callers retry on their own schedule (the
    relay's passes, a reader's 503 with Retry-After). No socket timeout on commands: redis-py
    then runs each one under `asyncio.wait_for`, about 25 µs more per call here (a third of a
    Lua read's round trip); TCP keepalive finds a peer gone quiet on an idle connection.
    """
    seeds = [url.strip() for url in urls.split(",") if url.strip()]
    nodes = []
    for url in seeds:
        parts = urlsplit(url)
        nodes.append((parts.hostname or "127.0.0.1", parts.port or 6379))
    cluster = SeededCluster.from_url(
        seeds[0],
        startup_nodes=[ClusterNode(host, port) for host, port in nodes],
        seeds=nodes,
        cluster_error_retry_attempts=10,
        socket_connect_timeout=2.0,
        socket_keepalive=True,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 1),
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
