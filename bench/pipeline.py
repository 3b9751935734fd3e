"""Share pipeline figures, on a real `chorus worker` (one process) reading posts from a local
fake of LinkedIn:

- latency: people submit shares through the API at RATE a second; each is timed from its
  POST to the `submission` event (status verified) on that person's own SSE stream, which the
  worker sends only after the award is on every board (the board write is the first
  points_awarded subscriber, the notice comes after them), and to the moment
  GET /api/v1/leaderboards/users shows the points;
- throughput: BURST verification jobs enqueued at once, until the last result is stored;
- the latency again with two worker processes and twice the pace (RATE_2 a second,
  SUBMISSIONS_2 people).

The baselines are the same measurements with a no-op job on a bare arq worker with the same arq
settings (bench/workers.py): the no-op's round trip at the same pace, and no-op jobs per
second in the same burst (and, for the two workers, two no-op workers at their pace).
"""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
CHORUS = str(Path(sys.executable).parent / "chorus")

RATE = 50  # submissions a second
SUBMISSIONS = 500  # distinct people, one share each
BURST = 300  # verification jobs enqueued at once
VERDICT_TIMEOUT_SECONDS = 300  # from a share's POST to its verdict on the stream, at most
RATE_2 = 100  # submissions a second with two workers
SUBMISSIONS_2 = 1000  # people of that run (new ones), one share each
ACTIVITY = 7_200_000_000_000_000_000  # LinkedIn activity ids of this group's posts
CHORUS_QUEUE = "arq:queue"  # arq's default queue, which `chorus worker` reads

# The tests' fake of the social networks (tests/fakes.py) in a process of its own: every
# LinkedIn post /posts/bench_<code>-activity-<id>-… is a public page carrying the tracked link
# of that code; any other path outside /linkedin/ is a content page with Open Graph tags (for
# the previews of the bench's challenges).
FAKE_NETWORK = r"""
import re, sys, time
from tests.fakes import Answer, FakeNetwork, linkedin_page

public = sys.argv[1]
post = re.compile(r"^/linkedin/posts/bench_([A-Za-z0-9]+)-activity-")
content = (
    '<!doctype html><html><head><title>Launch</title>'
    '<meta property="og:title" content="We launched">'
    '<meta property="og:description" content="What we shipped this week."></head>'
    '<body><p>We launched.</p></body></html>'
)

class Pages(dict):
    def get(self, key, default=None):
        match = post.match(key)
        if match:
            text = f"Proud of this launch! {public}/s/{match[1]} #launch"
            return Answer(body=linkedin_page(text))
        if key.startswith("/linkedin/"):
            return default
        return Answer(body=content)

network = FakeNetwork()
network.answers = Pages()
print(network.port, flush=True)
while True:
    time.sleep(3600)
"""


@dataclass
class Person:
    user_id: str
    token: str
    code: str = ""

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class PipelineFigures:
    verified: list[float]  # seconds from POST to the `submission` event, each share
    shown: list[float]  # seconds from POST to the points in GET /leaderboards/users
    noop: list[float]  # seconds from enqueue to the stored result of a no-op job, each
    verifications_per_s: float
    noops_per_s: float
    # two workers at RATE_2 a second (empty when not measured)
    verified_2: list[float] = field(default_factory=list)
    noop_2: list[float] = field(default_factory=list)


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


def post_url(code: str, n: int) -> str:
    return f"https://www.linkedin.com/posts/bench_{code}-activity-{ACTIVITY + n}-AbCd"


def start_fake_network(public_url: str) -> tuple[subprocess.Popen[str], str]:
    """The fake network's process and its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-c", FAKE_NETWORK, public_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.isdigit():
        proc.kill()
        raise RuntimeError("the fake network did not start")
    return proc, f"http://127.0.0.1:{line}"


def start_worker(args: list[str], env: dict[str, str], queue: str) -> subprocess.Popen[bytes]:
    """A worker process, once it polls its queue (its first health check is written then)."""
    from redis import Redis

    redis = Redis.from_url(env["CHORUS_REDIS_URL"])
    # `chorus worker` writes one heartbeat per host (backend/jobs.py), the no-op worker arq's
    health = [f"{queue}:health-check", f"{queue}:health-check:{socket.gethostname()}"]
    try:
        redis.delete(*health)
        proc = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(600):
            if redis.exists(*health):
                return proc
            if proc.poll() is not None:
                raise RuntimeError(f"{' '.join(args)} exited with {proc.returncode}")
            time.sleep(0.05)
        proc.kill()
        raise RuntimeError(f"{' '.join(args)} did not start polling its queue")
    finally:
        redis.close()


def stop(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_idle(redis_url: str, queue: str, timeout: float = 300) -> None:
    """Until no job of the queue is due or running: previews, announcements, pushes. (arq keeps
    a finished cron job's in-progress key for a minute; those are not running.)"""
    from redis import Redis

    redis = Redis.from_url(redis_url)
    quiet = 0
    deadline = time.monotonic() + timeout
    try:
        while quiet < 3:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{queue} did not drain in {timeout:.0f} s")
            due = redis.zcount(queue, "-inf", time.time() * 1000)
            running = [
                key
                for key in redis.scan_iter(match="arq:in-progress:*", count=1000)
                if not key.startswith(b"arq:in-progress:cron:")
            ]
            quiet = quiet + 1 if due == 0 and not running else 0
            time.sleep(0.1)
    finally:
        redis.close()


async def make_people(org_id: str, count: int, batch: str = "") -> list[Person]:
    """`count` employees of the organization, spread over its teams, each with a token signed
    as sign-in signs them. They are inserted by SQL: as many argon2id sign-ups would take
    minutes of this machine's two cores before anything is measured."""
    from backend import db
    from backend.http.auth import token_issuer
    from backend.orgs.tables import User
    from backend.settings import get_settings

    org = uuid.UUID(org_id)
    await db.open_pool()
    try:
        rows = await User.raw(
            "INSERT INTO app_user (id, org, email, display_name, password_hash, team) "
            "SELECT gen_random_uuid(), {}, 'sharer' || {}::text || g || '@pipeline.example', "
            "'Sharer ' || g, 'x', "
            "(SELECT id FROM team WHERE org = {} ORDER BY name OFFSET (g % 12) LIMIT 1) "
            "FROM generate_series(1, {}) AS g RETURNING id",
            org,
            batch,
            org,
            count,
        )
    finally:
        await db.close_pool()
    issuer = token_issuer(get_settings())
    return [Person(str(row["id"]), issuer.issue(row["id"], org)) for row in rows]


async def share_codes(base: str, challenge_id: str, people: list[Person]) -> list[str]:
    """Each person's tracked link for the challenge, asked for through the API."""
    lanes = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:

        async def one(person: Person) -> str:
            async with lanes:
                resp = await http.post(
                    f"/api/v1/challenges/{challenge_id}/share-links",
                    json={"network": "linkedin"},
                    headers=person.auth,
                )
                resp.raise_for_status()
                code: str = resp.json()["code"]
                return code

        return await asyncio.gather(*[one(person) for person in people])


async def next_event(lines: AsyncIterator[str]) -> tuple[str, str]:
    """The next server-sent event (name, data) of a stream; comments are skipped."""
    event, data = "message", ""
    async for line in lines:
        if not line:
            if data:
                return event, data
            event = "message"
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()
    raise RuntimeError("the event stream ended")


async def paced(count: int, rate: float, flow: Callable[[int, float], Awaitable[Any]]) -> list[Any]:
    """Run flow(i, at) for i < count, each told its start time: `rate` starts a second."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 1.0
    return await asyncio.gather(*[flow(i, start + i / rate) for i in range(count)])


async def submit_and_watch(
    base: str,
    challenge_id: str,
    people: list[Person],
    rate: float = RATE,
    first_post: int = 0,
    poll_board: bool = True,
) -> tuple[list[float], list[float]]:
    """(POST → `submission` verified event, POST → points shown by the board API), each share;
    without `poll_board` the second list is empty (nobody polls the board)."""
    loop = asyncio.get_running_loop()
    limits = httpx.Limits(max_connections=2 * len(people), max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:

        async def flow(i: int, at: float) -> tuple[float, float]:
            person = people[i]
            await asyncio.sleep(max(0.0, at - 0.5 - loop.time()))
            async with http.stream("GET", "/api/v1/events", headers=person.auth) as events:
                lines = events.aiter_lines()
                if (await next_event(lines))[0] != "ready":
                    raise RuntimeError("the event stream did not start with `ready`")
                await asyncio.sleep(max(0.0, at - loop.time()))
                sent = loop.time()
                resp = await http.post(
                    f"/api/v1/challenges/{challenge_id}/submissions",
                    json={
                        "network": "linkedin",
                        "postUrl": post_url(person.code, first_post + i),
                    },
                    headers=person.auth,
                )
                if resp.status_code != 202:
                    raise RuntimeError(f"submission answered {resp.status_code}: {resp.text}")
                submission = resp.json()["id"]
                # a share never decided (a worker failing every job) fails the run, not hangs it
                async with asyncio.timeout(VERDICT_TIMEOUT_SECONDS):
                    while True:
                        event, data = await next_event(lines)
                        notice = json.loads(data)
                        if event == "submission" and notice["id"] == submission:
                            break
                verified = loop.time()
            if notice["status"] != "verified":
                raise RuntimeError(f"a share was {notice['status']}, not verified: {notice}")
            while poll_board:
                board = await http.get(
                    "/api/v1/leaderboards/users",
                    params={"period": "week", "limit": 1},
                    headers=person.auth,
                )
                me = board.json()["me"]
                if me and me["points"] >= notice["pointsAwarded"]:
                    break
                await asyncio.sleep(0.02)
            return verified - sent, loop.time() - sent

        results = await paced(len(people), rate, flow)
    return [r[0] for r in results], [r[1] for r in results] if poll_board else []


async def wait_results(redis: Any, job_ids: list[str]) -> None:
    """Until every job has finished: arq deletes a job's key when it finishes (whether or not
    it keeps a result: verifications keep none). Checked every 5 ms with one EXISTS."""
    keys = [f"arq:job:{job_id}" for job_id in job_ids]
    deadline = time.monotonic() + 300
    while await redis.exists(*keys) > 0:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(keys)} jobs did not finish in 300 s")
        await asyncio.sleep(0.005)


async def enqueue_all(
    redis: Any, function: str, jobs: Mapping[str, tuple[str, ...]], queue: str
) -> None:
    """Jobs (job id → arguments) of one function, enqueued at once over 16 connections."""
    lanes = asyncio.Semaphore(16)

    async def one(job_id: str, args: tuple[str, ...]) -> None:
        async with lanes:
            await redis.enqueue_job(function, *args, _job_id=job_id, _queue_name=queue)

    await asyncio.gather(*[one(job_id, args) for job_id, args in jobs.items()])


async def burst_verifications(
    org_id: str, challenge_id: str, people: list[Person], first_post: int
) -> float:
    """Verifications a second: pending claims written as POST …/submissions writes them,
    then all their verification jobs enqueued at once, until the last result is stored."""
    from backend import db
    from backend.jobs import create_job_pool
    from backend.settings import get_settings
    from backend.submissions.posts import post_key
    from backend.submissions.tables import Submission

    ids = [uuid.uuid4() for _ in people]
    urls = [post_url(p.code, first_post + i) for i, p in enumerate(people)]
    await db.open_pool()
    try:
        await Submission.raw(
            'INSERT INTO submission (id, org, challenge, "user", network, post_url, post_key) '
            "SELECT id, {}, {}, u, 'linkedin', url, key "
            "FROM unnest({}::uuid[], {}::uuid[], {}::text[], {}::text[]) AS t(id, u, url, key)",
            uuid.UUID(org_id),
            uuid.UUID(challenge_id),
            ids,
            [uuid.UUID(p.user_id) for p in people],
            urls,
            [post_key("linkedin", url) for url in urls],
        )
        redis = await create_job_pool(get_settings().redis_url)
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            jobs = {str(i): (str(i),) for i in ids}
            await enqueue_all(redis, "verify_submission", jobs, CHORUS_QUEUE)
            await wait_results(redis, [str(i) for i in ids])
            rate = len(ids) / (loop.time() - started)
        finally:
            await redis.aclose()
        rows = await Submission.raw(
            "SELECT count(*) AS n FROM submission WHERE id = ANY({}::uuid[]) "
            "AND status = 'verified'",
            ids,
        )
        if rows[0]["n"] != len(ids):
            raise RuntimeError(f"{len(ids) - rows[0]['n']} of the burst were not verified")
    finally:
        await db.close_pool()
    return rate


async def noop_figures(
    redis_url: str, count: int = SUBMISSIONS, rate: float = RATE, burst: int = BURST
) -> tuple[list[float], float]:
    """(round trips of `count` no-op jobs at `rate` a second, no-op jobs a second in a burst
    of `burst`; 0 when `burst` is 0)."""
    from backend.jobs import create_job_pool
    from bench.workers import QUEUE

    redis = await create_job_pool(redis_url)  # msgpack jobs, as Chorus queues them
    loop = asyncio.get_running_loop()
    done: dict[str, asyncio.Future[float]] = {}

    async def watch() -> None:
        """One MGET of the results still awaited every 2 ms: when each appeared."""
        while True:
            waiting = [job_id for job_id, fut in done.items() if not fut.done()]
            if waiting:
                found = await redis.mget([f"arq:result:{job_id}" for job_id in waiting])
                now = loop.time()
                for job_id, result in zip(waiting, found, strict=True):
                    if result is not None:
                        done[job_id].set_result(now)
            await asyncio.sleep(0.002)

    async def round_trip(_: int, at: float) -> float:
        await asyncio.sleep(max(0.0, at - loop.time()))
        job_id = uuid.uuid4().hex
        done[job_id] = loop.create_future()
        sent = loop.time()
        await redis.enqueue_job("noop", _job_id=job_id, _queue_name=QUEUE)
        return await asyncio.wait_for(done[job_id], 120) - sent

    watcher = asyncio.create_task(watch())
    try:
        trips = await paced(count, rate, round_trip)
    finally:
        watcher.cancel()
    if not burst:
        await redis.aclose()
        return trips, 0.0
    try:
        job_ids = [uuid.uuid4().hex for _ in range(burst)]
        started = loop.time()
        await enqueue_all(redis, "noop", {job_id: () for job_id in job_ids}, QUEUE)
        await wait_results(redis, job_ids)
        rate = len(job_ids) / (loop.time() - started)
    finally:
        await redis.aclose()
    return trips, rate


def note(text: str) -> None:
    print(f"bench: pipeline: {text}", file=sys.stderr, flush=True)


def run(base: str, env: dict[str, str], content_url: str, tuning: list[str]) -> PipelineFigures:
    """The figures on `chorus worker`, or with `tuning` (arq settings, `name=value`) on the
    same worker code with those settings changed; the no-op baseline gets the same."""
    from bench import leaderboards as lb
    from bench.challenges import bearer, create_challenge
    from bench.workers import QUEUE

    python = [sys.executable, "-m", "bench.workers"]
    worker = start_worker(
        [*python, "chorus", *tuning] if tuning else [CHORUS, "worker"], env, CHORUS_QUEUE
    )
    try:
        # Set up with the worker running, so that announcing the new challenges to nobody yet
        # and fetching their previews are over before anything is measured.
        started = time.monotonic()
        org = lb.signup(base, "Pipeline Co")
        with httpx.Client(base_url=base, timeout=60) as http:
            admin = bearer(org["accessToken"])
            made = [
                create_challenge(
                    http,
                    admin,
                    title=title,
                    contentUrl=content_url,
                    networks=["linkedin"],
                    shareText={"linkedin": "Proud of what we shipped today."},
                )
                for title in ("Share our launch post", "Share our launch post again")
            ]
        live, burst = made[0]["id"], made[1]["id"]
        people = lb.run_async(make_people(org["orgId"], SUBMISSIONS))
        codes = lb.run_async(share_codes(base, live, people))
        for person, code in zip(people, codes, strict=True):
            person.code = code
        burst_people = [Person(p.user_id, p.token) for p in people[:BURST]]
        codes = lb.run_async(share_codes(base, burst, burst_people))
        for person, code in zip(burst_people, codes, strict=True):
            person.code = code
        wait_idle(env["CHORUS_REDIS_URL"], CHORUS_QUEUE)
        note(f"{SUBMISSIONS} people and their links ready in {time.monotonic() - started:.0f} s")

        started = time.monotonic()
        verified, shown = lb.run_async(submit_and_watch(base, live, people))
        note(f"{SUBMISSIONS} shares at {RATE}/s done in {time.monotonic() - started:.0f} s")
        started = time.monotonic()
        wait_idle(env["CHORUS_REDIS_URL"], CHORUS_QUEUE)
        note(f"the pushes those shares queued done in {time.monotonic() - started:.0f} s")
        started = time.monotonic()
        per_s = lb.run_async(burst_verifications(org["orgId"], burst, burst_people, SUBMISSIONS))
        note(f"{BURST} verifications at once done in {time.monotonic() - started:.0f} s")
    finally:
        stop(worker)

    noop_worker = start_worker([*python, "noop", *tuning], env, QUEUE)
    try:
        trips, noops_per_s = lb.run_async(noop_figures(env["CHORUS_REDIS_URL"]))
    finally:
        stop(noop_worker)
    got = PipelineFigures(verified, shown, trips, per_s, noops_per_s)
    two_workers(base, env, content_url, tuning, org, got)
    return got


def two_workers(
    base: str,
    env: dict[str, str],
    content_url: str,
    tuning: list[str],
    org: dict[str, Any],
    got: PipelineFigures,
) -> None:
    """The latency figure again on two worker processes at RATE_2 a second (SUBMISSIONS_2
    new people of the same organization, on a challenge of its own), and its no-op baseline
    on two no-op workers at the same pace."""
    from bench import leaderboards as lb
    from bench.challenges import bearer, create_challenge
    from bench.workers import QUEUE

    python = [sys.executable, "-m", "bench.workers"]
    args = [*python, "chorus", *tuning] if tuning else [CHORUS, "worker"]
    workers = [start_worker(args, env, CHORUS_QUEUE) for _ in range(2)]
    try:
        started = time.monotonic()
        with httpx.Client(base_url=base, timeout=60) as http:
            made = create_challenge(
                http,
                bearer(org["accessToken"]),
                title="Share our launch post with two workers",
                contentUrl=content_url,
                networks=["linkedin"],
                shareText={"linkedin": "Proud of what we shipped today."},
            )
        # new people: the board poll waits for their points to appear, not for a total that
        # the first run's shares already reached
        everyone = lb.run_async(make_people(org["orgId"], SUBMISSIONS_2, "b"))
        codes = lb.run_async(share_codes(base, made["id"], everyone))
        for person, code in zip(everyone, codes, strict=True):
            person.code = code
        wait_idle(env["CHORUS_REDIS_URL"], CHORUS_QUEUE)
        note(f"{SUBMISSIONS_2} people for two workers ready in {time.monotonic() - started:.0f} s")
        started = time.monotonic()
        # Nobody polls the board here: 1,000 people each asking every 20 ms until their points
        # show would load the one API process more than the shares themselves.
        got.verified_2, _ = lb.run_async(
            submit_and_watch(
                base, made["id"], everyone, RATE_2, first_post=2 * SUBMISSIONS, poll_board=False
            )
        )
        note(
            f"{SUBMISSIONS_2} shares at {RATE_2}/s on two workers done in "
            f"{time.monotonic() - started:.0f} s"
        )
        wait_idle(env["CHORUS_REDIS_URL"], CHORUS_QUEUE)
    finally:
        for worker in workers:
            stop(worker)
    noop_workers = [start_worker([*python, "noop", *tuning], env, QUEUE) for _ in range(2)]
    try:
        got.noop_2, _ = lb.run_async(
            noop_figures(env["CHORUS_REDIS_URL"], SUBMISSIONS_2, RATE_2, burst=0)
        )
    finally:
        for worker in noop_workers:
            stop(worker)
