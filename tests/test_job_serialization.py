"""No pickle in Redis: every job Chorus queues, every result a worker keeps (a failure's
included) is msgpack, read back by the real worker, against real Redis and PostgreSQL.

arq pickles jobs and results unless told otherwise; whoever could write a pickle into Redis
would then run code in the worker that loads it. backend/jobs.py gives every pool and worker
msgpack instead, and these tests look at every value Redis holds to prove none is a pickle.
"""

from __future__ import annotations

import ast
import asyncio
import os
import pickle
import pickletools
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from arq import create_pool
from arq.jobs import Job, JobStatus

from backend import jobs
from backend.settings import get_settings
from tests.fakes import linkedin_page
from tests.helpers import add_member, bearer, create_challenge, run_worker_burst, signup
from workers.settings import build_worker

ROOT = Path(__file__).resolve().parents[1]
CHORUS = str(Path(sys.executable).parent / "chorus")
POST_PATH = "/posts/priya-natarajan_launch-day-activity-7200000000000000042-AbCd"
JOB_FIELDS = {"t", "f", "a", "k", "et"}
RESULT_FIELDS = JOB_FIELDS | {"s", "r", "st", "ft", "q", "id"}


def is_pickle(value: bytes) -> bool:
    """Whether `value` is a whole pickle of any protocol, read opcode by opcode (nothing is
    loaded). Protocol 2 and later start with b"\\x80" and the protocol number."""
    if len(value) >= 2 and value[0] == 0x80 and 2 <= value[1] <= 5:
        return True
    try:
        ops = list(pickletools.genops(value))
    except Exception:
        return False
    return bool(ops) and ops[-1][0].name == "STOP" and ops[-1][2] == len(value) - 1


async def every_value(redis: Any) -> dict[str, list[bytes]]:
    """Every value of the db, by key: strings, list items, set and sorted-set members, hash
    fields and values, stream entries' fields and values."""
    found: dict[str, list[bytes]] = {}
    async for raw_key in redis.scan_iter(count=1000):
        key = raw_key.decode()
        kind = (await redis.type(raw_key)).decode()
        if kind == "string":
            values = [await redis.get(raw_key)]
        elif kind == "list":
            values = await redis.lrange(raw_key, 0, -1)
        elif kind == "set":
            values = list(await redis.smembers(raw_key))
        elif kind == "zset":
            values = await redis.zrange(raw_key, 0, -1)
        elif kind == "hash":
            values = [part for pair in (await redis.hgetall(raw_key)).items() for part in pair]
        elif kind == "stream":
            entries = await redis.xrange(raw_key)
            values = [part for _, fields in entries for pair in fields.items() for part in pair]
        else:
            raise AssertionError(f"{key}: a {kind} this test does not read yet")
        found[key] = [v for v in values if v is not None]
    return found


async def assert_no_pickle_and_jobs_are_msgpack(redis: Any) -> dict[str, list[bytes]]:
    values = await every_value(redis)
    pickled = [key for key, vs in values.items() if any(is_pickle(v) for v in vs)]
    assert pickled == [], f"pickles in Redis under {pickled}"
    for key, stored in values.items():
        if key.startswith("arq:job:"):
            assert set(msgspec.msgpack.decode(stored[0])) == JOB_FIELDS, key
        elif key.startswith("arq:result:"):
            assert set(msgspec.msgpack.decode(stored[0])) == RESULT_FIELDS, key
    return values


def test_the_pickle_detector_sees_what_arq_would_have_stored():
    """The scan below can fail: arq's default serializer is caught, msgpack is not."""
    job = {"t": 1, "f": "verify_submission", "a": ("x",), "k": {}, "et": 1}
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert is_pickle(pickle.dumps(job, protocol=protocol))
    assert not is_pickle(jobs.serialize_job(job))
    assert not is_pickle(jobs.serialize_job({**job, "s": False, "r": ValueError("x")}))
    assert not is_pickle(b"1") and not is_pickle(b"")


def test_jobs_round_trip_and_results_keep_what_msgpack_cannot_hold():
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    job = {"t": 2, "f": "announce_challenge_batch", "a": ("abc", 3, at), "k": {}, "et": 5}
    assert jobs.deserialize_job(jobs.serialize_job(job)) == job  # the tuple comes back a tuple
    with pytest.raises(TypeError):  # a job takes ids, never objects: refused when queued
        jobs.serialize_job({**job, "a": (object(),)})
    failed = jobs.deserialize_job(
        jobs.serialize_job({**job, "s": False, "r": KeyError("gone"), "st": 1, "ft": 2})
    )
    assert isinstance(failed["r"], jobs.JobFailed)
    assert str(failed["r"]) == "KeyError: 'gone'"
    odd = jobs.deserialize_job(jobs.serialize_job({**job, "s": True, "r": 1 + 2j}))
    assert odd["r"] == "(1+2j)"


async def test_every_kind_of_job_runs_with_nothing_pickled_in_redis(app, client, network):
    pool = app.state.redis
    assert pool.job_serializer is jobs.serialize_job
    admin = await signup(client)
    employee = await add_member(client, admin, name="Priya")
    # through the app: publishing queues the preview and the announcement
    challenge = await create_challenge(client, admin)
    link = (
        await client.post(
            f"/api/v1/challenges/{challenge['id']}/share-links",
            json={"network": "linkedin"},
            headers=bearer(employee),
        )
    ).json()
    network.linkedin_post(POST_PATH, linkedin_page(f"We launched! {link['trackedUrl']}"))
    claim = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": f"https://www.linkedin.com{POST_PATH}"},
        headers=bearer(employee),
    )
    assert claim.status_code == 202, claim.text
    # the rest as the app queues them, and two that fail
    assert await jobs.enqueue(pool, jobs.rebuild_leaderboards(UUID(admin.org_id)))
    assert await jobs.enqueue(pool, jobs.send_push(uuid4()))
    reconcile = await pool.enqueue_job("reconcile_leaderboards", _job_id="reconcile-now")
    broken = await pool.enqueue_job("announce_challenge_batch", "not-an-id", 0, _job_id="broken")
    unknown = await pool.enqueue_job("no_such_job", _job_id="unknown")
    queued = await pool.queued_jobs()
    assert {j.function for j in queued} >= {
        "fetch_content_preview",
        "announce_challenge",
        "verify_submission",
        "rebuild_leaderboards",
        "send_push",
    }
    assert all(isinstance(j.args, tuple) for j in queued)
    await assert_no_pickle_and_jobs_are_msgpack(pool)

    await run_worker_burst()

    status = await client.get(f"/api/v1/submissions/{claim.json()['id']}", headers=bearer(employee))
    assert status.json()["status"] == "verified"
    assert isinstance(await reconcile.result(timeout=5), dict)
    with pytest.raises(jobs.JobFailed, match="ValueError"):
        await broken.result(timeout=5)
    with pytest.raises(jobs.JobFailed, match="no_such_job"):
        await unknown.result(timeout=5)
    results = {r.job_id: r for r in await pool.all_job_results()}
    assert results["broken"].success is False and results["reconcile-now"].success is True
    # a job queued for later waits as msgpack too, its time in the queue's score
    later = datetime.now(UTC) + timedelta(hours=1)
    assert await jobs.enqueue(pool, jobs.announce_challenge(uuid4()), defer_until=later)
    values = await assert_no_pickle_and_jobs_are_msgpack(pool)
    assert any(key.startswith("arq:result:") for key in values)
    assert any(key.startswith("arq:job:announce:") for key in values)


async def test_a_running_worker_queues_cron_jobs_as_msgpack_and_answers_its_health_check(app):
    url = get_settings().redis_url

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CHORUS, "worker", "--check"],
            capture_output=True,
            text=True,
            timeout=60,
            env=dict(os.environ),
        )

    assert not await jobs.worker_is_healthy(url)
    # a worker that ran earlier in this process (an e2e module's) may have run the start-up
    # sweep of this minute already: arq would skip it as done
    stale = await app.state.redis.keys("arq:*cron:*")
    if stale:
        await app.state.redis.delete(*stale)
    worker = build_worker(await jobs.create_job_pool(url))
    running = asyncio.create_task(worker.main())
    try:
        for _ in range(1200):  # a safety net: the sweep runs as the worker starts
            swept = await app.state.redis.keys("arq:in-progress:cron:sweep_submissions:*")
            if worker.jobs_complete and swept and await jobs.worker_is_healthy(url):
                break
            await asyncio.sleep(0.05)
        healthy = await asyncio.to_thread(check)
        assert healthy.returncode == 0, healthy.stderr
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await worker.close()
    # the sweep runs at start-up, queued by the worker's own pool (cron jobs keep no result):
    # read back by the msgpack reader, so it was written as msgpack
    assert worker.jobs_complete >= 1
    assert worker.jobs_failed == 0
    assert await app.state.redis.keys("arq:in-progress:cron:sweep_submissions:*")
    await assert_no_pickle_and_jobs_are_msgpack(app.state.redis)
    # a stopped worker is unhealthy: arq deletes the key as it closes
    stopped = await asyncio.to_thread(check)
    assert stopped.returncode == 1
    assert "unhealthy" in stopped.stderr


async def test_a_pool_opened_without_our_serializer_is_fixed_by_the_worker(app):
    """build_worker makes the pool it is given write msgpack, whoever opened it."""
    plain = await create_pool(jobs.redis_settings(get_settings().redis_url))
    assert plain.job_serializer is None  # arq's default: pickle, which the scan would catch
    await plain.enqueue_job("reconcile_leaderboards", _job_id="pickled")
    assert is_pickle(await app.state.redis.get("arq:job:pickled"))
    await app.state.redis.delete("arq:job:pickled")
    await app.state.redis.zrem("arq:queue", "pickled")
    worker = build_worker(plain, burst=True)
    try:
        assert plain.job_serializer is jobs.serialize_job
        job = await plain.enqueue_job("reconcile_leaderboards", _job_id="via-plain")
        assert job is not None
        assert not is_pickle(await app.state.redis.get("arq:job:via-plain"))
        await worker.main()
        assert await Job("via-plain", app.state.redis).status() == JobStatus.complete
    finally:
        await worker.close()


def _opens_an_arq_pool(node: ast.AST) -> bool:
    """`from arq(.connections) import create_pool`, or `arq.create_pool` spelled out."""
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").startswith("arq") and any(
            alias.name == "create_pool" for alias in node.names
        )
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "create_pool"
        and isinstance(node.value, ast.Name)
        and node.value.id in ("arq", "connections")
    )


def test_no_code_opens_an_arq_pool_but_through_backend_jobs():
    """arq's create_pool defaults to pickle: only backend/jobs.py (create_job_pool) calls it,
    and the test above, on purpose."""
    allowed = {ROOT / "backend/jobs.py", Path(__file__).resolve()}
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("backend", "workers", "tests", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in allowed
        and any(_opens_an_arq_pool(node) for node in ast.walk(ast.parse(path.read_text())))
    ]
    assert offenders == [], f"arq pools opened outside backend/jobs.py: {offenders}"
