"""WorkerSettings for `chorus worker` (arq), and the in-process worker `chorus dev` runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from typing import Any

from arq import cron, func
from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix
from arq.worker import Worker
from redis.exceptions import RedisError

from backend import db, jobs, subscribers
from backend.fetch.client import SafeFetcher
from backend.leaderboards import outbox
from backend.leaderboards import store as board_store
from backend.settings import get_settings
from backend.sharing.clicks import run_ingester
from workers import tasks

FUNCTIONS: list[Any] = [
    tasks.purge_expired_invites,
    tasks.fetch_content_preview,
    # no result kept: once decided nothing queues it again, and the sweep may re-queue a claim
    # whose job ended without deciding (a database outage longer than its retries)
    func(tasks.verify_submission, keep_result=0),
    tasks.sweep_submissions,
    tasks.reread_engagement,
    tasks.reread_official_engagement,
    tasks.sweep_engagement,
    # no result kept: a later request for the same organization must queue a new rebuild
    func(tasks.rebuild_leaderboards, keep_result=0),
    tasks.reconcile_leaderboards,
    tasks.store_yesterdays_ranks,
    tasks.warn_streaks_at_risk,
    tasks.award_period_winners,
    tasks.send_push,
    tasks.announce_challenge,
    tasks.announce_challenge_batch,
    tasks.send_digests,
    tasks.send_recaps,
    # no results kept: an invite job's arguments hold its link's token
    func(tasks.email_invite, keep_result=0),
    func(tasks.email_password_reset, keep_result=0),
    tasks.email_weekly_digests,
    tasks.email_digest,
]
CRON_JOBS: list[Any] = [
    cron(tasks.purge_expired_invites, hour={3}, minute={17}, run_at_startup=False, unique=True),
    cron(tasks.sweep_submissions, second={0, 15, 30, 45}, run_at_startup=True, unique=True),
    cron(tasks.reconcile_leaderboards, minute=set(range(2, 60, 10)), unique=True),
    # every quarter hour: local midnights fall on :00, :30 or :45 UTC
    cron(tasks.store_yesterdays_ranks, minute={0, 15, 30, 45}, second={5}, unique=True),
    cron(tasks.warn_streaks_at_risk, minute={7}, unique=True),
    cron(tasks.award_period_winners, minute={23}, unique=True),
    cron(tasks.send_digests, minute={1}, unique=True),
    cron(tasks.send_recaps, minute={3}, unique=True),
    cron(tasks.email_weekly_digests, weekday={0}, hour={8}, minute={5}, unique=True),
    cron(tasks.pay_closed_surveys, second={40}, unique=True),
    # daily; arq's cron job id (cron:<name>:<time>) keeps two workers from both running it
    cron(tasks.clear_expired_post_texts, hour={3}, minute={47}, unique=True),
    # engagement re-reads due (24 h and 7 d after a share was verified): the database is the
    # schedule, so a lost job is made up at the next sweep (backend/submissions/engagement.py)
    cron(tasks.sweep_engagement, minute=set(range(4, 60, 5)), second={20}, unique=True),
]


def make_fetcher() -> SafeFetcher:
    settings = get_settings()
    return SafeFetcher(
        allow_hosts=settings.fetch_allow_list,
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
    )


async def startup(ctx: dict[str, Any]) -> None:
    """Resources every task shares, and the click ingester and the board relay that run
    beside the jobs."""
    await db.open_pool()
    ctx["fetcher"] = make_fetcher()
    subscribers.install(ctx["redis"])
    board_store.acquire(get_settings())  # the boards' own Redis (Cluster), when one is set
    ctx["board_store"] = True
    outbox.start(ctx["redis"])  # a no-op beside an API process's relay (tests, `chorus dev`)
    ctx["relay"] = True
    if ctx.get("ingest_clicks", True):
        stop = asyncio.Event()
        consumer = f"{socket.gethostname()}-{id(ctx)}"
        ctx["ingester_stop"] = stop
        ctx["ingester"] = asyncio.create_task(run_ingester(ctx["redis"], consumer, stop))


async def shutdown(ctx: dict[str, Any]) -> None:
    if "ingester" in ctx:
        ctx["ingester_stop"].set()
        await ctx["ingester"]
    if ctx.pop("relay", False):
        await outbox.stop()
    if ctx.pop("board_store", False):
        await board_store.release()
    if "fetcher" in ctx:
        await ctx["fetcher"].aclose()
        subscribers.uninstall()
    await db.close_pool()


class WorkerSettings:
    functions = FUNCTIONS
    cron_jobs = CRON_JOBS
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = jobs.redis_settings(get_settings().redis_url or "redis://127.0.0.1:6379")
    # jobs and results as msgpack, never pickle (backend/jobs.py)
    job_serializer = jobs.serialize_job
    job_deserializer = jobs.deserialize_job
    health_check_interval = jobs.HEALTH_CHECK_SECONDS
    health_check_key = jobs.worker_health_key()
    max_tries = 10  # each task bounds its own retries; this is the backstop
    job_timeout = 120
    keep_result = 3600
    poll_delay = 0.05  # a job waits at most ~50 ms to be picked up
    max_jobs = 40  # verifications wait on I/O: many run at once


def build_worker(redis: ArqRedis, *, burst: bool = False) -> Worker:
    """A worker on a pool of its own (arq closes it on close()). In burst mode (tests) it runs
    what is queued and returns, without cron jobs or the click ingester."""
    # the pool queues cron jobs: it writes msgpack too, whoever opened it (backend/jobs.py)
    redis.job_serializer, redis.job_deserializer = jobs.serialize_job, jobs.deserialize_job
    return Worker(
        functions=FUNCTIONS,
        cron_jobs=[] if burst else CRON_JOBS,
        redis_pool=redis,
        burst=burst,
        # A job waits at most ~50 ms to be picked up; verifications wait on I/O, so many run
        # at once (they share the process's database pool).
        poll_delay=0 if burst else WorkerSettings.poll_delay,
        max_jobs=WorkerSettings.max_jobs,
        handle_signals=False,
        max_tries=WorkerSettings.max_tries,
        job_timeout=WorkerSettings.job_timeout,
        keep_result=WorkerSettings.keep_result,
        job_serializer=jobs.serialize_job,
        job_deserializer=jobs.deserialize_job,
        health_check_interval=jobs.HEALTH_CHECK_SECONDS,  # `chorus worker --check`
        health_check_key=jobs.worker_health_key(),
        on_startup=startup,
        on_shutdown=shutdown,
        ctx={"ingest_clicks": not burst},
    )


log = logging.getLogger("chorus.worker")
# Then every second for as long as Redis stays away (one connection attempt each): once it is
# back, the board relay applies what the outage held back (backend/leaderboards/outbox.py).
RECONNECT_DELAYS = (0.2, 0.5, 1.0)
ABANDON_WAIT_SECONDS = 20.0  # a verification's reads are bounded well below this


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _abandon(worker: Worker) -> list[str]:
    """Stop a worker whose Redis went away, without raising: let its jobs finish what they
    do in the database (an award they commit is then announced, and what Redis missed the
    relay applies), cancel stragglers, run our shutdown, drop its pool. Returns the jobs it held."""
    held = [job_id for job_id, task in worker.tasks.items() if not task.done()]
    ongoing = [task for task in worker.tasks.values() if not task.done()]
    if ongoing:
        await asyncio.wait(ongoing, timeout=ABANDON_WAIT_SECONDS)
    for task in worker.tasks.values():
        task.cancel()
    await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    await shutdown(worker.ctx)
    with contextlib.suppress(RedisError, OSError):
        await worker.pool.close(close_connection_pool=True)
    return held


async def run_supervised(stop: asyncio.Event) -> None:
    """`chorus worker`: the arq worker until `stop` is set, surviving Redis going away.

    arq's own loop ends with the first Redis error. Here the worker is then stopped, and started
    again once Redis answers; the jobs it held are released at once (their in-progress locks
    would otherwise keep them back for the job timeout), so they run again right away.
    """
    await db.open_pool()  # held across restarts: only Redis comes and goes here
    try:
        await _supervise(stop)
    finally:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(db.close_pool(), 10)


async def _supervise(stop: asyncio.Event) -> None:
    released: list[str] = []
    failures = 0
    while not stop.is_set():
        try:
            redis_settings = jobs.redis_settings(get_settings().redis_url)
            redis_settings.conn_retries = 0  # retried here, at our pace
            pool = await jobs.create_job_pool(redis_settings)
            if released:
                await pool.delete(*(in_progress_key_prefix + job_id for job_id in released))
                log.info("released %d jobs held when Redis went away", len(released))
                released = []
        except (RedisError, OSError) as exc:
            delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
            failures += 1
            log.warning("Redis is unreachable (%s); trying again in %.1f s", exc, delay)
            await _wait(stop, delay)
            continue
        failures = 0
        worker = build_worker(pool)
        running = asyncio.create_task(worker.async_run())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if stop.is_set():
            worker.handle_sig(signal.SIGTERM)  # as arq does on SIGTERM: ongoing jobs cancelled
            await asyncio.gather(running, return_exceptions=True)
            with contextlib.suppress(RedisError, OSError):
                await worker.close()
            return
        error = running.exception()
        if not isinstance(error, RedisError | OSError):
            await _abandon(worker)
            if error is not None:
                raise error
            return
        released = await _abandon(worker)
        log.warning(
            "lost Redis (%s: %s); the worker starts again when it answers",
            type(error).__name__,
            error,
        )
        await _wait(stop, RECONNECT_DELAYS[0])
