"""Redis and PostgreSQL restarted under a running Chorus (`chorus serve` with 2 processes and a
`chorus worker`, each a real process), while employees keep sharing and reading boards.

The servers here are this module's own (an embedded PostgreSQL and an embedded Valkey on a fixed
port) so they can be restarted. Each test asserts, at the end:
- no answer was a 5xx other than 503 (a clean "try again"), and nothing hung;
- every claim is in the database exactly once and decided; every share is paid exactly once;
- every board equals the ledger, without running the reconcile job (nor the worker's cron
  repairing anything);
and, while it ran, that no board was ever wrong: never above the ledger, and never missing what
the ledger held BOARD_SECONDS before (the outbox's promise: whatever fails after a commit, the
award is on every board within 2 s), nor what it held a second more before that in what an API
process serves (it may serve a snapshot up to a second old).
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import shutil
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from backend.leaderboards import keys
from backend.leaderboards.service import MAX_STALE_SECONDS
from tests.fakes import FakeNetwork, linkedin_page
from tests.helpers import TMP_ROOT, add_member, bearer, create_challenge, create_team, signup
from tests.stack import CHORUS, Stack, chorus_stack

pytestmark = pytest.mark.slow

PEOPLE, CHALLENGES = 12, 8
BOARD_SECONDS = 2.0  # a committed award is on every board (in Redis) within this
LAG_SECONDS = BOARD_SECONDS + MAX_STALE_SECONDS  # what an API process serves: 1 s snapshots
HEAL_SECONDS = BOARD_SECONDS  # after Redis returns: what its outage held back is on the boards
THINK = (0.1, 0.7)  # seconds between one employee's reads: claims spread over ~20 s
DECIDE_SECONDS = 60.0  # the sweep runs every 15 s and re-queues claims pending for 5 s


# what the watcher's own connection raises while PostgreSQL restarts
DATABASE_GONE = (
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
)


@dataclass
class Servers:
    postgres: EmbeddedPostgres
    redis: EmbeddedRedis
    database_url: str
    stack: Stack


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    root = TMP_ROOT / f"chorus-restarts-{uuid.uuid4().hex[:8]}"
    postgres = EmbeddedPostgres(root / "pg")
    admin_url = postgres.start()
    redis = EmbeddedRedis(root / "redis", persist=True, port=free_port())
    redis.start()
    try:
        database_url = postgres.url("chorus")
        asyncio.run(_create_database(admin_url))
        env = os.environ.copy()
        env.update(
            {
                "CHORUS_DATABASE_URL": database_url,
                "CHORUS_REDIS_URL": redis.url,
                "CHORUS_SWEEP_PENDING_AFTER_SECONDS": "5",
                "CHORUS_LOG_LEVEL": "WARNING",
            }
        )
        subprocess.run([CHORUS, "migrate"], env=env, check=True, capture_output=True)
        logs = TMP_ROOT / f"{root.name}-logs"  # kept: what the processes said, for a failure
        with chorus_stack(env, api_processes=2, log_dir=logs) as stack:
            yield Servers(postgres, redis, database_url, stack)
    finally:
        redis.stop()
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


async def _create_database(admin_url: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute('CREATE DATABASE "chorus"')
    finally:
        await conn.close()


@dataclass
class Run:
    """What the employees and the board watcher saw."""

    tag: int = field(default_factory=lambda: random.randrange(1_000_000))
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    claims: dict[tuple[str, str], str] = field(default_factory=dict)  # (person, challenge) → how
    boards_checked: int = 0
    wrong_boards: list[str] = field(default_factory=list)
    # Until then a board may still lack awards committed while Redis was unreachable (their
    # update failed): only "never above the ledger" is checked. Set by the Redis-down fault.
    healing_until: float = 0.0
    ledger_history: list[tuple[float, dict[str, int]]] = field(default_factory=list)

    def saw(self, what: str, resp: httpx.Response) -> None:
        self.statuses[f"{what} {resp.status_code}"] += 1
        if resp.status_code >= 500 and resp.status_code != 503:
            self.failures.append(f"{what}: {resp.status_code} {resp.text[:300]}")
        if resp.status_code == 503:
            assert resp.headers["content-type"].startswith("application/problem+json")
            assert resp.headers.get("retry-after"), what


async def _ledger(conn: asyncpg.Connection, org_id: str) -> dict[str, int]:
    rows = await conn.fetch(
        'SELECT "user"::text AS u, sum(delta)::int AS n FROM points_ledger WHERE org = $1 '
        "GROUP BY 1",
        uuid.UUID(org_id),
    )
    return {r["u"]: r["n"] for r in rows}


async def _request(
    run: Run, http: httpx.AsyncClient, what: str, method: str, url: str, **kwargs: Any
) -> httpx.Response | None:
    try:
        resp = await http.request(method, url, **kwargs)
    except httpx.TransportError as exc:
        run.failures.append(f"{what}: {type(exc).__name__} {exc}")
        return None
    run.saw(what, resp)
    return resp


async def _until_answered(
    run: Run, http: httpx.AsyncClient, what: str, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    """What a client does with a 503: wait as told, try again (bounded)."""
    for _ in range(120):
        resp = await _request(run, http, what, method, url, **kwargs)
        if resp is not None and resp.status_code != 503:
            return resp
        await asyncio.sleep(0.5)
    raise AssertionError(f"{what} never answered anything but 503")


async def _employee(
    run: Run,
    http: httpx.AsyncClient,
    network: FakeNetwork,
    person: Any,
    challenges: list[dict[str, Any]],
    rng: random.Random,
    index: int,
    until: asyncio.Event,
) -> None:
    """Claims spread over the run (one per challenge), reads in between, reads until told."""
    order = list(enumerate(challenges))
    rng.shuffle(order)
    auth = bearer(person)
    for c_index, challenge in order:
        await _browse(run, http, auth, rng)
        link = await _until_answered(
            run,
            http,
            "share-link",
            "POST",
            f"/api/v1/challenges/{challenge['id']}/share-links",
            json={"network": "linkedin"},
            headers=auth,
        )
        assert link.status_code in (200, 201), link.text
        activity = f"7{run.tag:06d}{c_index:02d}{index:03d}0000000"  # a post of this run alone
        path = f"/posts/r{index}_c{c_index}-activity-{activity}-R{c_index}{index}"
        network.linkedin_post(path, linkedin_page(f"Proud {link.json()['trackedUrl']}"))
        claim = await _until_answered(
            run,
            http,
            "submit",
            "POST",
            f"/api/v1/challenges/{challenge['id']}/submissions",
            json={"network": "linkedin", "postUrl": f"https://www.linkedin.com{path}"},
            headers=auth,
        )
        assert claim.status_code in (202, 409), claim.text
        run.claims[(person.user_id, challenge["id"])] = str(claim.status_code)
    while not until.is_set():
        await _browse(run, http, auth, rng)


async def _browse(
    run: Run, http: httpx.AsyncClient, auth: dict[str, str], rng: random.Random
) -> None:
    for what, url in (
        ("list", "/api/v1/challenges"),
        ("board", "/api/v1/leaderboards/users?period=all"),
        ("me", "/api/v1/me"),
    ):
        await asyncio.sleep(rng.uniform(*THINK))
        await _request(run, http, what, "GET", url, headers=auth)


async def _watch_boards(
    run: Run,
    http: httpx.AsyncClient,
    admin: Any,
    servers: Servers,
    stop: asyncio.Event,
) -> None:
    """Read the all-time board over and over, each read between two ledger reads: as an API
    process serves it, and straight from Redis (where the outbox's 2 s promise is kept)."""
    conn: asyncpg.Connection | None = None
    redis = Redis.from_url(servers.redis.url, socket_timeout=2)
    while not stop.is_set():
        await asyncio.sleep(0.25)
        try:
            if conn is None or conn.is_closed():
                conn = await asyncpg.connect(servers.database_url)
            before = await _ledger(conn, admin.org_id)
        except DATABASE_GONE:
            if conn is not None:
                conn.terminate()
            conn = None  # PostgreSQL is restarting: no ledger to compare with
            continue
        started = time.monotonic()
        run.ledger_history.append((started, before))
        in_redis = await _redis_board(redis, admin.org_id)
        resp = await _request(
            run,
            http,
            "watch",
            "GET",
            "/api/v1/leaderboards/users?period=all&limit=100",
            headers=bearer(admin),
        )
        try:
            after = await _ledger(conn, admin.org_id)
        except DATABASE_GONE:
            conn.terminate()
            conn = None
            continue
        if in_redis is not None:
            _check(run, "redis", in_redis, after, started, BOARD_SECONDS, run.healing_until)
        if resp is None or resp.status_code != 200:
            continue
        shown = {e["userId"]: e["points"] for e in resp.json()["entries"]}
        healed = run.healing_until + MAX_STALE_SECONDS
        _check(run, "served", shown, after, started, LAG_SECONDS, healed)
    if conn is not None:
        await conn.close()
    await redis.aclose()


async def _redis_board(redis: Redis, org_id: str) -> dict[str, int] | None:
    """The all-time users board as Redis holds it; None while unbuilt (never served) or away."""
    try:
        if not await redis.exists(keys.mark_key(org_id)):
            return None
        board = await redis.zrange(keys.users_key(org_id, "all"), 0, -1, withscores=True)
    except (RedisError, OSError):
        return None
    return {member.decode(): keys.points_of(score) for member, score in board}


def _check(
    run: Run,
    what: str,
    shown: dict[str, int],
    after: dict[str, int],
    started: float,
    lag: float,
    healing_until: float,
) -> None:
    """Never above the ledger; never short of what the ledger held `lag` seconds before."""
    floor = next(
        (seen for at, seen in reversed(run.ledger_history) if at <= started - lag),
        {},
    )
    run.boards_checked += 1
    for user in set(shown) | set(floor):
        short = started >= healing_until and shown.get(user, 0) < floor.get(user, 0)
        if shown.get(user, 0) > after.get(user, 0) or short:
            run.wrong_boards.append(
                f"{what} {user}: shown {shown.get(user, 0)}, ledger {floor.get(user, 0)} "
                f"{lag:.0f} s before and {after.get(user, 0)} after"
            )


@dataclass
class Org:
    admin: Any
    people: list[Any]
    challenges: list[dict[str, Any]]


async def _org(http: httpx.AsyncClient) -> Org:
    admin = await signup(http)
    teams = [await create_team(http, admin, name) for name in ("North", "South", "East")]
    people = [
        await add_member(http, admin, name=f"Person {n}", team_id=teams[n % 3]["id"])
        for n in range(PEOPLE)
    ]
    challenges = [
        await create_challenge(http, admin, title=f"Restart launch {n}") for n in range(CHALLENGES)
    ]
    return Org(admin, people, challenges)


@pytest.fixture
async def stack_client(servers: Servers) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=servers.stack.base_url, timeout=30) as http:
        yield http


async def _run_with_fault(
    servers: Servers,
    http: httpx.AsyncClient,
    network: FakeNetwork,
    fault: Any,
) -> tuple[Run, Org]:
    org = await _org(http)
    run = Run()
    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch_boards(run, http, org.admin, servers, stop))
    rng = random.Random(7)
    until = asyncio.Event()
    employees = asyncio.gather(
        *(
            _employee(
                run, http, network, person, org.challenges, random.Random(rng.random()), i, until
            )
            for i, person in enumerate(org.people)
        )
    )
    try:
        await asyncio.wait_for(fault(run), timeout=120)
        await asyncio.sleep(3)  # traffic goes on after the last fault
        until.set()
        await asyncio.wait_for(employees, timeout=240)
        await _all_decided(servers, org)
        await asyncio.sleep(LAG_SECONDS / 2)  # the watcher sees the settled boards too
    finally:
        stop.set()
        await watcher
    await _assert_consistent(servers, http, org, run)
    return run, org


async def _all_decided(servers: Servers, org: Org) -> None:
    """Wait for the worker (its retries, the 15-second sweep) to decide every claim."""
    conn = await asyncpg.connect(servers.database_url)
    try:
        deadline = time.monotonic() + DECIDE_SECONDS
        while time.monotonic() < deadline:
            pending = await conn.fetchval(
                "SELECT count(*) FROM submission WHERE org = $1 AND status = 'pending'",
                uuid.UUID(org.admin.org_id),
            )
            if pending == 0:
                return
            await asyncio.sleep(0.5)
        raise AssertionError(
            f"{pending} claims still pending after {DECIDE_SECONDS} s; the worker said:\n"
            + servers.stack.log("worker.log")[-4000:]
        )
    finally:
        await conn.close()


async def _assert_consistent(servers: Servers, http: httpx.AsyncClient, org: Org, run: Run) -> None:
    assert run.failures == [], run.failures[:20]
    assert run.wrong_boards == [], run.wrong_boards[:20]
    assert run.boards_checked > 10  # the watcher really watched
    assert len(run.claims) == PEOPLE * CHALLENGES
    conn = await asyncpg.connect(servers.database_url)
    try:
        org_id = uuid.UUID(org.admin.org_id)
        rows = await conn.fetch(
            'SELECT s."user"::text AS u, s.challenge::text AS c, s.status, count(l.id) AS paid '
            "FROM submission s "
            "LEFT JOIN points_ledger l ON l.submission = s.id AND l.reason = 'share_verified' "
            "WHERE s.org = $1 GROUP BY s.id",
            org_id,
        )
        # every claim exactly once (no duplicate, no claim the client was never told about)
        assert Counter((r["u"], r["c"]) for r in rows) == Counter(run.claims.keys())
        assert {r["status"] for r in rows} == {"verified"}
        assert {r["paid"] for r in rows} == {1}  # every share paid exactly once
        totals = {
            r["u"]: r["n"]
            for r in await conn.fetch(
                'SELECT "user"::text AS u, sum(delta)::int AS n FROM points_ledger '
                "WHERE org = $1 GROUP BY 1",
                org_id,
            )
        }
    finally:
        await conn.close()
    await asyncio.sleep(1.1)  # what a process serves from memory is at most a second old
    board = await _until_answered(
        run,
        http,
        "final board",
        "GET",
        "/api/v1/leaderboards/users?period=all&limit=100",
        headers=bearer(org.admin),
    )
    shown = {e["userId"]: e["points"] for e in board.json()["entries"]}
    assert shown == {user: points for user, points in totals.items() if points}
    redis = Redis.from_url(servers.redis.url)
    try:
        in_redis = await _redis_board(redis, org.admin.org_id)
    finally:
        await redis.aclose()
    assert in_redis == {user: points for user, points in totals.items() if points}
    # the worker's cron may run the reconcile job: it must have had nothing to repair
    assert "drift repaired" not in servers.stack.log("worker.log")
    assert "drift repaired" not in servers.stack.log("api.log")


def _report(name: str, run: Run, restarts: int) -> None:
    print(
        f"\n{name}: restarts {restarts}, requests {sum(run.statuses.values())} "
        f"({dict(sorted(run.statuses.items()))}), boards checked {run.boards_checked}, "
        f"wrong boards {len(run.wrong_boards)}, claims {len(run.claims)}"
    )


async def test_redis_restarted_empty_twice_mid_run(servers, stack_client, network):
    async def fault(run: Run) -> None:
        for _ in range(2):
            await asyncio.sleep(4)
            servers.redis.kill()  # a crash: nothing saved
            shutil.rmtree(servers.redis.data_dir)
            servers.redis.start()

    run, _ = await _run_with_fault(servers, stack_client, network, fault)
    _report("Redis restarted empty", run, 2)


async def test_redis_down_ten_seconds_mid_run(servers, stack_client, network):
    seen_down: dict[str, int] = {}

    async def fault(run: Run) -> None:
        await asyncio.sleep(3)
        run.healing_until = math.inf
        servers.redis.stop()  # its data is kept (append-only file): down, not emptied
        await asyncio.sleep(1)
        async with httpx.AsyncClient(base_url=servers.stack.base_url, timeout=10) as probe:
            seen_down["ready"] = (await probe.get("/ready")).status_code
            seen_down["health"] = (await probe.get("/health")).status_code
        await asyncio.sleep(9)
        servers.redis.start()
        # the worker reconnects within a second and marks boards it could not update unbuilt;
        # processes serve what they hold for at most a second; then the rebuild
        run.healing_until = time.monotonic() + HEAL_SECONDS

    run, _ = await _run_with_fault(servers, stack_client, network, fault)
    _report("Redis down 10 s", run, 1)
    assert seen_down == {"ready": 503, "health": 200}  # not ready, yet alive
    # the outage was seen, and answered cleanly
    assert sum(n for what, n in run.statuses.items() if what.endswith(" 503")) > 0
    assert servers.stack.worker is not None and servers.stack.worker.poll() is None


async def test_postgres_restarted_three_times_mid_run(servers, stack_client, network):
    async def fault(run: Run) -> None:
        for mode in ("fast", "immediate", "fast"):
            await asyncio.sleep(3)
            await asyncio.to_thread(servers.postgres.restart, mode, 2.0)

    run, _ = await _run_with_fault(servers, stack_client, network, fault)
    _report("PostgreSQL restarted", run, 3)
    assert servers.stack.worker is not None and servers.stack.worker.poll() is None
    assert servers.stack.api is not None and servers.stack.api.poll() is None
