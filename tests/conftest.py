"""Test set-up: real PostgreSQL and Redis, chosen before anything reads the settings.

CHORUS_TEST_DATABASE_URL / CHORUS_TEST_REDIS_URL name servers to use (CI: this machine's
127.0.0.1:5432 and :6379); without them each test process starts embedded ones. Each xdist
worker gets its own database (created here, migrated once, dropped at exit) and its own Redis
database number; every test starts from empty tables and an empty Redis db.

The app, its pools and every test share one event loop (pytest-asyncio's session loop), and
requests go through httpx's ASGI transport in that loop: no pool is ever used from another loop.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import io
import os
import secrets
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from backend.embedded import EmbeddedPostgres, EmbeddedRedis
from backend.notifications.vapid import generate as generate_vapid
from tests.fakes import FakeNetwork, FakePushService

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
WORKER_INDEX = int(WORKER.removeprefix("gw") or 0)
TMP = Path(tempfile.mkdtemp(prefix=f"chorus-test-{WORKER}-"))


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _start_servers() -> tuple[str, str]:
    admin_pg = os.environ.get("CHORUS_TEST_DATABASE_URL")
    redis_url = os.environ.get("CHORUS_TEST_REDIS_URL")
    if not admin_pg:
        postgres = EmbeddedPostgres(TMP / "pg")
        admin_pg = postgres.start()
        atexit.register(postgres.stop)
    if not redis_url:
        redis = EmbeddedRedis(TMP / "redis", persist=False)
        redis_url = redis.start()
        atexit.register(redis.stop)
    return admin_pg, redis_url


ADMIN_PG_URL, BASE_REDIS_URL = _start_servers()
NETWORK = FakeNetwork()
VAPID_PRIVATE, VAPID_PUBLIC = generate_vapid()
PUSH = FakePushService(VAPID_PUBLIC)
TEST_DB = f"chorus_test_{WORKER}_{secrets.token_hex(4)}"


def _release_redis_db(server: object, key: str, token: str) -> None:
    if server.get(key) == token.encode():  # type: ignore[attr-defined]
        server.delete(key)  # type: ignore[attr-defined]


def _claim_redis_db(url: str) -> int:
    """A Redis db number no other test process on this server is using (db 0 stays free for
    whatever else uses it and holds the claims): several runs may share one server."""
    import redis as redis_sync

    server = redis_sync.Redis.from_url(url)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    for number in range(1 + WORKER_INDEX % 15, 1 + WORKER_INDEX % 15 + 15):
        db = 1 + (number - 1) % 15
        key = f"chorus-test:redis-db:{db}"
        if server.set(key, token, nx=True, ex=2 * 3600):
            atexit.register(_release_redis_db, server, key, token)
            return db
    raise RuntimeError("all 15 Redis test databases are taken by other test runs")


REDIS_DB = _claim_redis_db(BASE_REDIS_URL)


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_PG_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


asyncio.run(_admin(f'CREATE DATABASE "{TEST_DB}"'))
# A test database need not survive a crash of its server: commits stop waiting for the WAL flush.
# (The fault tests that crash PostgreSQL run their own server with the default, durable setting.)
asyncio.run(_admin(f'ALTER DATABASE "{TEST_DB}" SET synchronous_commit = off'))
atexit.register(lambda: asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)')))

os.environ.update(
    {
        "CHORUS_ENV": "test",
        "CHORUS_DOTENV": str(TMP / "no.env"),
        "CHORUS_DATABASE_URL": _with_database(ADMIN_PG_URL, TEST_DB),
        "CHORUS_REDIS_URL": urlunsplit(urlsplit(BASE_REDIS_URL)._replace(path=f"/{REDIS_DB}")),
        "CHORUS_SECRET_KEY": secrets.token_urlsafe(48),
        "CHORUS_LOG_LEVEL": "WARNING",
        "CHORUS_DATA_DIR": str(TMP / "data"),
        "CHORUS_PUBLIC_URL": "http://testserver",
        # the local fakes of content sites and social networks listen on 127.0.0.1
        "CHORUS_FETCH_ALLOW_HOSTS": "127.0.0.1",
        # the local fakes' preview bots fetch from loopback; tests of the real ranges set others
        "CHORUS_LINKEDIN_BOT_RANGES": "127.0.0.0/8",
        "CHORUS_X_BOT_RANGES": "127.0.0.0/8",
        "CHORUS_FACEBOOK_BOT_RANGES": "127.0.0.0/8",
        "CHORUS_FETCH_TIMEOUT_SECONDS": "1",
        # tests sign many organizations up from 127.0.0.1; tests/test_auth.py sets the limit
        "CHORUS_SIGNUP_MAX_PER_IP": "100000",
        "CHORUS_LINKEDIN_BASE_URL": f"{NETWORK.base}/linkedin",
        "CHORUS_FACEBOOK_BASE_URL": f"{NETWORK.base}/facebook",
        "CHORUS_X_OEMBED_URL": f"{NETWORK.base}/x/oembed",
        "CHORUS_VERIFY_RETRY_SECONDS": "0.2",
        "CHORUS_VERIFY_MAX_TRIES": "3",
        "CHORUS_VAPID_PRIVATE_KEY": VAPID_PRIVATE,
        "CHORUS_VAPID_SUBJECT": "mailto:tests@chorus.invalid",
        "CHORUS_PUSH_RETRY_SECONDS": "0.3",
    }
)

# Only now may the app's modules be imported: they read the settings above, once.
from backend import db  # noqa: E402
from backend.app import create_app  # noqa: E402
from backend.cli import run_migrations  # noqa: E402
from backend.settings import get_settings  # noqa: E402
from tests.helpers import running  # noqa: E402

with contextlib.redirect_stderr(io.StringIO()):  # Piccolo narrates each migration
    asyncio.run(run_migrations())

TABLES = ["organization"]  # everything else hangs off an organization (ON DELETE CASCADE)


@pytest.fixture(scope="session")
async def app() -> AsyncIterator[object]:
    async with running(create_app()) as application:
        yield application


@pytest.fixture(autouse=True)
async def clean_state(app: object) -> None:
    # DELETE, not TRUNCATE: a test leaves a few rows, and deleting them through the cascades
    # takes a millisecond where truncating thirty tables takes half a second
    for table in TABLES:
        await db.DB.run_ddl(f"DELETE FROM {table}")
    await app.state.redis.flushdb()  # type: ignore[attr-defined]


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def network() -> FakeNetwork:
    """The local fake of LinkedIn, Facebook and X, emptied for each test."""
    NETWORK.reset()
    return NETWORK


@pytest.fixture
def push_service() -> FakePushService:
    """The local push service, emptied for each test."""
    PUSH.reset()
    return PUSH


@pytest.fixture
def settings():  # type: ignore[no-untyped-def]
    return get_settings()


@pytest.fixture(scope="session")
def redis_cluster() -> object:
    """Three Valkey masters in one Redis Cluster (tests/cluster.py), started for the first test
    that asks and stopped at exit."""
    from tests.cluster import LocalCluster

    cluster = LocalCluster(TMP / "cluster")
    cluster.start()
    atexit.register(cluster.stop)
    return cluster


@pytest.fixture
async def cluster_boards(app: object, redis_cluster: object) -> AsyncIterator[object]:
    """This test's boards on the Redis Cluster (backend/leaderboards/store.py), emptied; the
    queue, pub/sub and everything else stay on the main Redis."""
    from redis.asyncio.cluster import RedisCluster

    from backend.leaderboards import store
    from backend.leaderboards.service import Boards

    client = store.cluster_client(redis_cluster.url)  # type: ignore[attr-defined]
    await client.flushdb(target_nodes=RedisCluster.PRIMARIES)
    previous = store.use(client)  # type: ignore[arg-type]
    state = app.state  # type: ignore[attr-defined]
    held = state.boards
    state.boards = mine = Boards(state.redis)
    state.live.on_boards_changed.append(mine.mark_dirty)
    try:
        yield client
    finally:
        state.live.on_boards_changed.remove(mine.mark_dirty)
        state.boards = held
        store.use(previous)
        await client.aclose()
