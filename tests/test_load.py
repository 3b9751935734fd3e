"""Load (issue #12): 500 simulated employees on 127.0.0.1 for DURATION seconds against
`chorus serve --workers 2` and one `chorus worker`, real child processes (tests/stack.py).

Each employee has a phone of its own (its own connections) that holds one SSE stream for the
whole run, as the PWA does, and, with a random think time between actions, browses challenges,
asks for share links, follows its own tracked link now and then, submits shares (each challenge
at most once; the post is published on the local fake LinkedIn first, so the worker can verify
it), reads the boards, itself and its submissions. A load balancer asks GET /ready once a
second. Then the load stops and the worker finishes deciding.

Asserted: no answer >= 500, no transport error, no status other than the endpoint's own (429
aside, counted apart), no answer saying the wrong thing; every accepted submission is in the
database once and verified, paid once; every stream stayed open and carried its owner's
decisions; the users board shows the ledger's sums by itself, and the reconcile job, once the
ledger is quiet, finds no board (users or teams, any period) to repair. Printed, and written
to test-artifacts/load.json: count, p50, p99 and max latency and the statuses of each
endpoint, and the totals.

The phones speak aiohttp (installed with pywebpush, a runtime dependency): with httpx (over
anyio), 500 streams and ~200 requests a second kept this process's one core so busy that its
event loop woke up to a second late (p99), and the client, not the server, made most of the
measured latency; with aiohttp that lag is tens of milliseconds. The checks use httpx.

The employees are inserted by SQL with one real argon2id hash of their password, and their
tokens signed as sign-in signs them (the server processes share CHORUS_SECRET_KEY): 500
sign-ups would spend most of a minute of this machine's two cores on argon2 before any load.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import random
import secrets
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import aiohttp
import httpx
import pytest

from backend.leaderboards.boards import QUIET_SECONDS
from backend.points.tables import PointsLedger
from tests.fakes import Answer, FakeNetwork, linkedin_page
from tests.helpers import (
    PASSWORD,
    TMP_ROOT,
    Account,
    bearer,
    create_challenge,
    create_team,
    signup,
)
from tests.stack import Stack, chorus_stack
from workers.tasks import reconcile_leaderboards

pytestmark = pytest.mark.slow

EMPLOYEES = 500
TEAMS = 5
CHALLENGES = 8
POINTS = 50
DURATION = 60.0  # seconds of load
THINK = (1.0, 3.0)  # seconds between one employee's actions (uniform)
REQUEST_TIMEOUT = 45.0  # a patient phone; the worst seen on a busy shared machine was ~16 s
HARD_STOP = DURATION + REQUEST_TIMEOUT + 15.0  # the load phase ends by then, whatever happens
DRAIN_SECONDS = 60.0  # how long the worker may take to decide what was submitted
LIVE_BOARD_SECONDS = 20.0  # how long the live board may take to show the last awards
PATIENCE = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
# A stream gets a keep-alive comment every 15 s at least; 60 s without a byte is a failure.
STREAM_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=REQUEST_TIMEOUT, sock_read=60.0)
# `chorus serve` closes a keep-alive connection idle for CHORUS_KEEPALIVE_SECONDS (75 s; it was
# uvicorn's own 5 s, which a loaded machine raced); a phone lets its idle ones go well before
# (its clock starts when its busy event loop gets to the answer, up to ~2 s late on a loaded
# machine), so that no request is sent on a connection the server is closing. A GET that meets
# one all the same is retried once on a new connection, by aiohttp as by browsers (RFC 9112
# 9.3.1); a POST is not.
KEEPALIVE_SECONDS = 2.0
SENTINEL = "chorus:test-load:sentinel"
ACTIVITY = 7_300_000_000_000_000_000  # LinkedIn activity ids of this test's posts
ARTIFACT = Path(__file__).resolve().parents[1] / "test-artifacts" / "load.json"

LIST = "GET /api/v1/challenges"
DETAIL = "GET /api/v1/challenges/{id}"
SHARE_LINK = "POST /api/v1/challenges/{id}/share-links"
FOLLOW = "GET /s/{code}"
SUBMIT = "POST /api/v1/challenges/{id}/submissions"
SUBMISSION = "GET /api/v1/submissions/{id}"
USERS_BOARD = "GET /api/v1/leaderboards/users"
TEAMS_BOARD = "GET /api/v1/leaderboards/teams"
ME = "GET /api/v1/me"
EVENTS = "GET /api/v1/events"  # latency: until the stream's `ready` event
READY = "GET /ready"  # asked once a second, as a load balancer's health check does
EXPECTED = {
    LIST: 200,
    DETAIL: 200,
    SHARE_LINK: 200,
    FOLLOW: 302,
    SUBMIT: 202,
    SUBMISSION: 200,
    USERS_BOARD: 200,
    TEAMS_BOARD: 200,
    ME: 200,
    EVENTS: 200,
    READY: 200,
}


@dataclass
class Employee:
    n: int
    user_id: str
    token: str
    rng: random.Random
    phone: aiohttp.ClientSession | None = None
    links: dict[str, dict[str, Any]] = field(default_factory=dict)  # challenge id -> link
    submitted: dict[str, str | None] = field(default_factory=dict)  # challenge -> submission

    @property
    def headers(self) -> dict[str, str]:
        # each phone its own user agent (what tells one visitor of a link from another)
        agent = f"Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36 Chorus-load/{self.n}"
        return {**bearer(self.token), "User-Agent": agent}


@dataclass
class Stream:
    """What one employee's event stream carried."""

    ready: asyncio.Event = field(default_factory=asyncio.Event)
    events: Counter[str] = field(default_factory=Counter)
    decisions: dict[str, str] = field(default_factory=dict)  # submission id -> status
    error: str | None = None


@dataclass
class Reply:
    status: int
    body: bytes
    location: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Record:
    """Every answer the employees (and the load balancer) got: latency and status per route."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    server_errors: list[str] = field(default_factory=list)  # status >= 500, with the body
    unready: list[str] = field(default_factory=list)  # the same, of the readiness checks
    unexpected: list[str] = field(default_factory=list)  # another status than the route's
    transport_errors: list[str] = field(default_factory=list)
    wrong_answers: list[str] = field(default_factory=list)  # a 2xx/3xx saying the wrong thing

    def answer(self, route: str, status: int, body: bytes, seconds: float) -> None:
        self.latencies[route].append(seconds)
        self.statuses[route][status] += 1
        text = body.decode(errors="replace")
        if status >= 500:
            failures = self.unready if route == READY else self.server_errors
            failures.append(f"{route} {status}: {text[:500]}")
        elif status not in (EXPECTED[route], 429):
            self.unexpected.append(f"{route} {status}: {text[:300]}")

    def failed(self, route: str, exc: BaseException) -> None:
        self.transport_errors.append(f"{route}: {exc!r}")


class Load:
    """What the employees do, and what they saw."""

    def __init__(
        self, record: Record, network: FakeNetwork, challenges: list[dict[str, Any]], end: float
    ) -> None:
        self.record = record
        self.network = network
        self.challenge_ids = [c["id"] for c in challenges]
        self.content = {c["id"]: c["contentUrl"].split("?")[0] for c in challenges}
        self.end = end
        self.accepted: dict[str, tuple[str, str]] = {}  # submission -> (user, challenge)

    async def call(
        self, route: str, method: str, url: str, e: Employee, **kwargs: Any
    ) -> Reply | None:
        """One request from e's phone; the reply when its status is the route's own."""
        assert e.phone is not None
        started = time.perf_counter()
        try:
            async with e.phone.request(
                method, url, headers=e.headers, allow_redirects=False, **kwargs
            ) as resp:
                reply = Reply(resp.status, await resp.read(), resp.headers.get("location", ""))
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.record.failed(route, exc)
            return None
        self.record.answer(route, reply.status, reply.body, time.perf_counter() - started)
        return reply if reply.status == EXPECTED[route] else None

    def wrong(self, e: Employee, what: str) -> None:
        self.record.wrong_answers.append(f"employee {e.n}: {what}")

    # -- what an employee does -------------------------------------------------------------

    async def browse(self, e: Employee) -> None:
        reply = await self.call(LIST, "GET", "/api/v1/challenges", e)
        if reply is None:
            return
        items = reply.json()["items"]
        if sorted(i["id"] for i in items) != sorted(self.challenge_ids):
            self.wrong(e, f"the challenge list shows {len(items)} of {CHALLENGES} challenges")
            return
        for item in items:
            if item["id"] not in e.submitted and item["myStatus"] != "todo":
                self.wrong(e, f"myStatus {item['myStatus']} for a challenge not submitted")
        chosen = e.rng.choice(items)["id"]
        reply = await self.call(DETAIL, "GET", f"/api/v1/challenges/{chosen}", e)
        if reply is not None and reply.json()["id"] != chosen:
            self.wrong(e, "the challenge detail is another challenge")

    async def share(self, e: Employee) -> None:
        fresh = [c for c in self.challenge_ids if c not in e.links]
        challenge = e.rng.choice(fresh or self.challenge_ids)
        url = f"/api/v1/challenges/{challenge}/share-links"
        reply = await self.call(SHARE_LINK, "POST", url, e, json={"network": "linkedin"})
        if reply is None:
            return
        link = reply.json()
        if e.links.setdefault(challenge, link)["code"] != link["code"]:
            self.wrong(e, "asking again for a share link gave another link")

    async def follow(self, e: Employee) -> None:
        if not e.links:
            await self.share(e)
            return
        challenge = e.rng.choice(list(e.links))
        code = e.links[challenge]["code"]
        reply = await self.call(FOLLOW, "GET", f"/s/{code}", e)
        if reply is not None and not (
            reply.location.startswith(self.content[challenge])
            and "utm_source=linkedin" in reply.location
        ):
            self.wrong(e, f"/s/{code} led to {reply.location!r}")

    async def submit(self, e: Employee) -> None:
        ready = [c for c in e.links if c not in e.submitted]
        if not ready:
            await self.share(e)
            return
        challenge = e.rng.choice(ready)
        c_index = self.challenge_ids.index(challenge)
        activity = ACTIVITY + e.n * 100 + c_index
        path = f"/posts/employee{e.n}_launch-activity-{activity}-Ab{e.n}x{c_index}"
        tracked = e.links[challenge]["trackedUrl"]
        # published first, as a person posts on LinkedIn and then pastes the post's link
        self.network.linkedin_post(path, linkedin_page(f"Proud of this launch {tracked} #launch"))
        e.submitted[challenge] = None  # never submitted twice, whatever the answer
        reply = await self.call(
            SUBMIT,
            "POST",
            f"/api/v1/challenges/{challenge}/submissions",
            e,
            json={"network": "linkedin", "postUrl": f"https://www.linkedin.com{path}"},
        )
        if reply is None:
            return
        body = reply.json()
        e.submitted[challenge] = body["id"]
        self.accepted[body["id"]] = (e.user_id, challenge)
        if body["status"] != "pending":
            self.wrong(e, f"a new submission is {body['status']}, not pending")

    async def boards(self, e: Employee) -> None:
        if e.rng.random() < 0.7:
            period = e.rng.choice(["week", "all"])
            url = f"/api/v1/leaderboards/users?period={period}&limit=10"
            reply = await self.call(USERS_BOARD, "GET", url, e)
            if reply is not None:
                board = reply.json()
                if len(board["entries"]) > 10 or board["period"] != period:
                    self.wrong(e, f"the users board answered {str(board)[:200]}")
        else:
            url = "/api/v1/leaderboards/teams?period=week"
            reply = await self.call(TEAMS_BOARD, "GET", url, e)
            if reply is not None and reply.json()["period"] != "week":
                self.wrong(e, "the teams board is of another period")

    async def me(self, e: Employee) -> None:
        reply = await self.call(ME, "GET", "/api/v1/me", e)
        if reply is not None and reply.json()["id"] != e.user_id:
            self.wrong(e, "/me is someone else")

    async def my_submission(self, e: Employee) -> None:
        mine = [s for s in e.submitted.values() if s]
        if not mine:
            await self.browse(e)
            return
        submission = e.rng.choice(mine)
        reply = await self.call(SUBMISSION, "GET", f"/api/v1/submissions/{submission}", e)
        if reply is not None:
            body = reply.json()
            if body["id"] != submission or body["status"] not in ("pending", "verified"):
                self.wrong(e, f"submission {submission} reads {str(body)[:200]}")

    async def day(self, e: Employee) -> None:
        """Act, think, act... until the window closes."""
        loop = asyncio.get_running_loop()
        actions: list[Callable[[Employee], Awaitable[None]]] = [
            self.browse,
            self.share,
            self.follow,
            self.submit,
            self.boards,
            self.me,
            self.my_submission,
        ]
        weights = [3, 2, 1, 1, 3, 1, 1]
        await asyncio.sleep(e.rng.uniform(0, THINK[1]))  # not everyone opens the app at once
        while loop.time() < self.end:
            await e.rng.choices(actions, weights)[0](e)
            await asyncio.sleep(min(e.rng.uniform(*THINK), max(self.end - loop.time(), 0)))


async def hold_stream(e: Employee, stream: Stream, record: Record) -> None:
    """One employee's live stream, read until cancelled; any other end is an error."""
    assert e.phone is not None
    started = time.perf_counter()
    try:
        async with e.phone.get("/api/v1/events", headers=e.headers, timeout=STREAM_TIMEOUT) as resp:
            if resp.status != EXPECTED[EVENTS]:
                record.answer(EVENTS, resp.status, await resp.read(), time.perf_counter() - started)
                stream.error = f"status {resp.status}"
                return
            event, data = b"message", b""
            async for raw in resp.content:
                line = raw.rstrip(b"\r\n")
                if line.startswith(b"event:"):
                    event = line[6:].strip()
                elif line.startswith(b"data:"):
                    data += line[5:].strip()
                elif not line and data:
                    stream.events[event.decode()] += 1
                    if event == b"ready":
                        record.answer(EVENTS, resp.status, b"", time.perf_counter() - started)
                        stream.ready.set()
                    elif event == b"submission":
                        notice = json.loads(data)
                        stream.decisions[notice["id"]] = notice["status"]
                    event, data = b"message", b""
            stream.error = "the server ended the stream"
    except (aiohttp.ClientError, TimeoutError) as exc:
        stream.error = repr(exc)
        record.failed(EVENTS, exc)


async def probe_ready(balancer: aiohttp.ClientSession, record: Record) -> None:
    """A load balancer's readiness check, once a second, until cancelled."""
    while True:
        started = time.perf_counter()
        try:
            async with balancer.get("/ready") as resp:
                body = await resp.read()
            record.answer(READY, resp.status, body, time.perf_counter() - started)
        except (aiohttp.ClientError, TimeoutError) as exc:
            record.failed(READY, exc)
        await asyncio.sleep(1.0)


async def make_employees(org_id: str, team_ids: list[str]) -> list[Employee]:
    """EMPLOYEES people spread over the teams, as accepted invites make them (one real argon2id
    hash of PASSWORD for all), with tokens signed as sign-in signs them."""
    from backend.core.passwords import hash_password
    from backend.http.auth import token_issuer
    from backend.orgs.tables import User
    from backend.settings import get_settings

    password_hash = await hash_password(PASSWORD)
    rows = await User.raw(
        "INSERT INTO app_user (id, org, email, display_name, password_hash, role, team) "
        "SELECT gen_random_uuid(), {}, 'employee' || g || '@load.example', 'Employee ' || g, "
        "{}, 'employee', ({}::uuid[])[1 + g % {}] FROM generate_series(1, {}) AS g "
        "RETURNING id",
        UUID(org_id),
        password_hash,
        [UUID(t) for t in team_ids],
        len(team_ids),
        EMPLOYEES,
    )
    issuer = token_issuer(get_settings())
    seed = random.Random(12)
    return [
        Employee(n, str(r["id"]), issuer.issue(r["id"], UUID(org_id)), random.Random(seed.random()))
        for n, r in enumerate(rows)
    ]


async def board_points(http: httpx.AsyncClient, admin: Account) -> dict[str, int]:
    """Everyone on the all-time users board, page by page, as the API shows it."""
    shown: dict[str, int] = {}
    for offset in range(0, EMPLOYEES + 100, 100):
        resp = await http.get(
            "/api/v1/leaderboards/users",
            params={"period": "all", "limit": 100, "offset": offset},
            headers=bearer(admin),
        )
        assert resp.status_code == 200, resp.text
        entries = resp.json()["entries"]
        shown.update({e["userId"]: e["points"] for e in entries})
        if len(entries) < 100:
            break
    return shown


async def ledger_points() -> dict[str, int]:
    rows = await PointsLedger.raw(
        'SELECT "user", sum(delta) AS n FROM points_ledger GROUP BY "user"'
    )
    return {str(r["user"]): int(r["n"]) for r in rows if int(r["n"])}


async def wait_decided(accepted: list[str]) -> tuple[dict[str, int], float]:
    """(submissions by status, seconds waited) once none is pending, or after DRAIN_SECONDS."""
    started = time.monotonic()
    ids = [UUID(s) for s in accepted]
    while True:
        rows = await PointsLedger.raw(
            "SELECT status, count(*) AS n FROM submission WHERE id = ANY({}::uuid[]) "
            "GROUP BY status",
            ids,
        )
        counts = {r["status"]: int(r["n"]) for r in rows}
        waited = time.monotonic() - started
        if "pending" not in counts or waited > DRAIN_SECONDS:
            return counts, waited
        await asyncio.sleep(0.5)


async def wait_live_board(http: httpx.AsyncClient, admin: Account) -> float | None:
    """Seconds until the users board shows the ledger's sums by itself (no repair), or None."""
    started = time.monotonic()
    while time.monotonic() - started < LIVE_BOARD_SECONDS:
        if await board_points(http, admin) == await ledger_points():
            return time.monotonic() - started
        await asyncio.sleep(0.5)
    return None


async def wait_ledger_quiet(org_id: str) -> bool:
    """Whether the ledger went quiet long enough for the reconcile job to compare the boards
    with it (while awards may still be on their way, it leaves them be)."""
    started = time.monotonic()
    while time.monotonic() - started < QUIET_SECONDS + 10:
        if await ledger_idle_seconds(org_id) > QUIET_SECONDS + 0.5:
            return True
        await asyncio.sleep(0.5)
    return False


async def cancel_all(tasks: list[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def ledger_idle_seconds(org_id: str) -> float:
    """Seconds since the organization's last ledger row."""
    rows = await PointsLedger.raw(
        "SELECT extract(epoch FROM clock_timestamp() - max(created_at)) AS idle "
        "FROM points_ledger WHERE org = {}",
        UUID(org_id),
    )
    idle = rows[0]["idle"] if rows else None
    return math.inf if idle is None else float(idle)


async def loop_lag(samples: list[float]) -> None:
    """How late this process's event loop wakes (the client's own share of the latencies)."""
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(0.1)
        samples.append(loop.time() - before - 0.1)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def report(record: Record, figures: dict[str, Any]) -> str:
    """The table printed at the end; the same figures go to test-artifacts/load.json."""
    rows: list[dict[str, Any]] = []
    for route in EXPECTED:
        lat = record.latencies.get(route, [])
        statuses = record.statuses.get(route, Counter())
        rows.append(
            {
                "endpoint": route,
                "count": sum(statuses.values()),
                "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
                "p99_ms": round(percentile(lat, 0.99) * 1000, 1) if lat else None,
                "max_ms": round(max(lat) * 1000, 1) if lat else None,
                "statuses": {str(s): n for s, n in sorted(statuses.items())},
            }
        )
    width = max(len(r["endpoint"]) for r in rows)
    header = f"{'count':>6}  {'p50 ms':>8}  {'p99 ms':>8}  {'max ms':>8}  statuses"
    lines = [f"{'endpoint':<{width}}  {header}"]
    for r in rows:
        shown = " ".join(f"{s}x{n}" for s, n in r["statuses"].items())
        lines.append(
            f"{r['endpoint']:<{width}}  {r['count']:>6}  {r['p50_ms'] or '-':>8}  "
            f"{r['p99_ms'] or '-':>8}  {r['max_ms'] or '-':>8}  {shown}"
        )
    lines.append("")
    lines += [f"{name}: {value}" for name, value in figures.items()]
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    data = {"endpoints": rows, "totals": figures}
    ARTIFACT.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return "\n".join(lines)


@contextlib.asynccontextmanager
async def started_stack(log_dir: Path) -> AsyncIterator[Stack]:
    """tests/stack.py's stack, started and stopped in a thread (its waits block)."""
    manager = chorus_stack(os.environ.copy(), api_processes=2, log_dir=log_dir, worker=True)
    stack = await asyncio.to_thread(manager.__enter__)
    try:
        yield stack
    finally:
        await asyncio.to_thread(manager.__exit__, None, None, None)


@contextlib.asynccontextmanager
async def phones(base_url: str, employees: list[Employee]) -> AsyncIterator[None]:
    """A phone per employee: its own few connections, idle ones let go before the server's."""
    async with contextlib.AsyncExitStack() as stack:
        for e in employees:
            connector = aiohttp.TCPConnector(limit=4, keepalive_timeout=KEEPALIVE_SECONDS)
            e.phone = await stack.enter_async_context(
                aiohttp.ClientSession(
                    base_url,
                    connector=connector,
                    timeout=PATIENCE,
                )
            )
        yield


async def test_five_hundred_employees_for_a_minute(
    app: Any, client: httpx.AsyncClient, network: FakeNetwork
) -> None:
    loop = asyncio.get_running_loop()
    redis = app.state.redis
    # Gone at the end if something else emptied this Redis db meanwhile (a FLUSHALL by a test
    # running beside this one, another session on the same db): then the run says nothing.
    await redis.set(SENTINEL, "1")
    log_dir = TMP_ROOT / f"chorus-load-{secrets.token_hex(4)}"

    async with started_stack(log_dir) as stack:
        setup_started = time.perf_counter()
        admin = await signup(client, org="Load Co")
        teams = [(await create_team(client, admin, f"Team {n}"))["id"] for n in range(TEAMS)]
        employees = await make_employees(admin.org_id, teams)
        challenges = []
        for n in range(CHALLENGES):
            page = f"/content/launch-{n}"
            html = f"<html><head><title>Launch {n}</title></head><body>Launch</body></html>"
            network.post_page(page, Answer(body=html))
            challenges.append(
                await create_challenge(
                    client,
                    admin,
                    title=f"Launch {n}",
                    contentUrl=f"{network.base}{page}?ref=home",
                    networks=["linkedin"],
                    shareText={"linkedin": f"Proud of launch {n}."},
                    points=POINTS,
                )
            )
        setup_seconds = time.perf_counter() - setup_started

        record = Record()
        streams = [Stream() for _ in employees]
        lag: list[float] = []
        running = [asyncio.create_task(loop_lag(lag))]
        async with (
            phones(stack.base_url, employees),
            aiohttp.ClientSession(stack.base_url, timeout=PATIENCE) as balancer,
            httpx.AsyncClient(base_url=stack.base_url, timeout=REQUEST_TIMEOUT) as http,
        ):
            try:
                # every employee's app is open (its stream ready) before the minute starts
                holders = []
                for e, stream in zip(employees, streams, strict=True):
                    holders.append(asyncio.create_task(hold_stream(e, stream, record)))
                    await asyncio.sleep(0.004)  # 500 phones do not connect in the same ms
                running += [*holders, asyncio.create_task(probe_ready(balancer, record))]
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in streams)), 30)
                ready = sum(s.ready.is_set() for s in streams)
                assert ready == EMPLOYEES, (
                    f"{EMPLOYEES - ready} streams never became ready: "
                    f"{[s.error for s in streams if s.error][:5]}"
                )

                load_started = loop.time()
                simulation = Load(record, network, challenges, end=load_started + DURATION)
                days = [asyncio.create_task(simulation.day(e)) for e in employees]
                running += days
                done, late = await asyncio.wait(days, timeout=HARD_STOP)
                load_seconds = loop.time() - load_started
                crashed = [repr(t.exception()) for t in done if t.exception() is not None]
                accepted = simulation.accepted

                # the worker decides what is still pending; the streams stay open to carry it
                counts, drain_seconds = await wait_decided(list(accepted))
                live_seconds = await wait_live_board(http, admin)
                # meanwhile the last decisions' events reach the streams
                quiet = await wait_ledger_quiet(admin.org_id)
            finally:
                await cancel_all(running)

            repaired = await reconcile_leaderboards({"redis": redis})
            await asyncio.sleep(1.1)  # boards are served from snapshots at most a second old
            final_shown, final_totals = await board_points(http, admin), await ledger_points()
        redis_intact = bool(await redis.exists(SENTINEL))
        processes_alive = (
            stack.api is not None
            and stack.api.poll() is None
            and stack.worker is not None
            and stack.worker.poll() is None
        )
        server_log = stack.log("api.log")[-4000:] + stack.log("worker.log")[-4000:]

    # -- what the database says ---------------------------------------------------------------
    in_db = await PointsLedger.raw(
        'SELECT id, "user", challenge, status FROM submission WHERE org = {}', UUID(admin.org_id)
    )
    db_rows = {str(r["id"]): (str(r["user"]), str(r["challenge"]), r["status"]) for r in in_db}
    paid = await PointsLedger.raw(
        "SELECT submission, count(*) AS n, sum(delta) AS points FROM points_ledger "
        "WHERE reason = 'share_verified' GROUP BY submission"
    )
    payments = {str(r["submission"]): (int(r["n"]), int(r["points"])) for r in paid}
    verified = sum(1 for _, _, status in db_rows.values() if status == "verified")
    missed_events = [
        s
        for e, stream in zip(employees, streams, strict=True)
        for s in e.submitted.values()
        if s and stream.decisions.get(s) != "verified"
    ]

    requests = sum(
        sum(c.values()) for route, c in record.statuses.items() if route not in (EVENTS, READY)
    )
    events_by_kind: Counter[str] = Counter()
    for stream in streams:
        events_by_kind.update(stream.events)
    figures = {
        "employees": EMPLOYEES,
        "challenges": CHALLENGES,
        "load seconds": round(load_seconds, 1),
        "requests (streams and probes aside)": requests,
        "requests per second": round(requests / load_seconds, 1),
        "5xx": len(record.server_errors),
        "GET /ready not ready (5xx)": len(record.unready),
        "429": sum(c[429] for c in record.statuses.values()),
        "other unexpected statuses": len(record.unexpected),
        "transport errors": len(record.transport_errors),
        "wrong answers": len(record.wrong_answers),
        "submissions accepted (202)": len(accepted),
        "submissions in the database": len(db_rows),
        "submissions verified": verified,
        "all decided within (s after the load)": round(drain_seconds, 1),
        "share payments": sum(n for n, _ in payments.values()),
        "live board equal to the ledger after (s)": (
            "never" if live_seconds is None else round(live_seconds, 1)
        ),
        "boards the reconcile job repaired": repaired or "none",
        "SSE streams held": sum(s.ready.is_set() and s.error is None for s in streams),
        "SSE events": dict(sorted(events_by_kind.items())),
        "client loop lag p99 / max (ms)": (
            f"{percentile(lag, 0.99) * 1000:.0f} / {max(lag) * 1000:.0f}" if lag else "-"
        ),
        "setup seconds": round(setup_seconds, 1),
    }
    print(f"\n{report(record, figures)}")

    assert redis_intact, (
        "something else emptied this test's Redis db during the run (queued jobs, boards and "
        "clicks with it): a FLUSHALL in a test running beside this one?"
    )
    assert processes_alive, f"a server process died under load:\n{server_log}"
    assert not crashed, crashed
    assert not late, f"{len(late)} employees were still acting {HARD_STOP:.0f} s after the start"
    assert not record.server_errors, "\n".join(record.server_errors[:20]) + f"\n{server_log}"
    assert not record.transport_errors, "\n".join(record.transport_errors[:20])
    assert not record.unexpected, "\n".join(record.unexpected[:20])
    assert not record.wrong_answers, "\n".join(record.wrong_answers[:20])
    assert accepted, "no submission was accepted: the load did not submit"
    # zero lost submissions: each accepted one is in the database once, and nothing else is
    assert set(db_rows) == set(accepted), (
        f"accepted but missing: {len(set(accepted) - set(db_rows))}, "
        f"in the database but never accepted: {len(set(db_rows) - set(accepted))}"
    )
    assert all(db_rows[s][:2] == who for s, who in accepted.items())
    pending = [s for s, (_, _, status) in db_rows.items() if status != "verified"]
    assert counts == {"verified": len(accepted)}, (
        f"after {drain_seconds:.0f} s: {counts}; not verified: {pending[:10]}\n{server_log}"
    )
    assert payments == dict.fromkeys(accepted, (1, POINTS)), "a share was not paid exactly once"
    # every stream stayed open and carried its owner's decisions
    broken = [s.error for s in streams if s.error]
    assert not broken, f"{len(broken)} streams broke: {broken[:5]}"
    assert not missed_events, f"{len(missed_events)} decisions never reached their owner's stream"
    assert all(s.events["leaderboard"] > 0 for s in streams), "a stream saw no board change"
    assert live_seconds is not None, "the live users board never caught up with the ledger"
    # every board (users and teams, each period) equal to the ledger without any repair
    assert quiet, "the ledger never went quiet: the reconcile job would compare nothing"
    assert repaired == {}, f"the reconcile job found drift: {repaired}"
    assert final_shown == final_totals
    # A load balancer takes a process that is not ready out of rotation: all of them at once,
    # here, as they share the load.
    # Readiness waits a few seconds for each server; on a machine loaded beyond this run (CI) a
    # probe may still time out now and then, so the promise is "almost always", never "always
    # not": at most one probe in ten.
    probes = sum(record.statuses[READY].values())
    assert len(record.unready) * 10 <= probes, (
        f"GET /ready said not ready {len(record.unready)} times in {probes} under load: "
        + "; ".join(sorted(set(record.unready))[:3])
    )
