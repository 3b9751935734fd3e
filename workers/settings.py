"""WorkerSettings for `chorus worker` (arq), and the in-process worker `chorus dev` runs."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from arq import cron
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Worker

from backend import db, subscribers
from backend.fetch import SafeFetcher
from backend.settings import get_settings
from backend.sharing.clicks import run_ingester
from workers import tasks

FUNCTIONS: list[Any] = [
    tasks.purge_expired_invites,
    tasks.fetch_content_preview,
    tasks.verify_submission,
    tasks.sweep_submissions,
    tasks.rebuild_leaderboards,
    tasks.reconcile_leaderboards,
    tasks.warn_streaks_at_risk,
    tasks.award_period_winners,
    tasks.send_push,
    tasks.announce_challenge,
    tasks.announce_challenge_batch,
    tasks.send_digests,
    tasks.send_recaps,
]
CRON_JOBS: list[Any] = [
    cron(tasks.purge_expired_invites, hour={3}, minute={17}, run_at_startup=False, unique=True),
    cron(tasks.sweep_submissions, minute=set(range(0, 60, 5)), run_at_startup=True, unique=True),
    cron(tasks.reconcile_leaderboards, minute=set(range(2, 60, 10)), unique=True),
    cron(tasks.warn_streaks_at_risk, minute={7}, unique=True),
    cron(tasks.award_period_winners, minute={23}, unique=True),
    cron(tasks.send_digests, minute={1}, unique=True),
    cron(tasks.send_recaps, minute={3}, unique=True),
]


def make_fetcher() -> SafeFetcher:
    settings = get_settings()
    return SafeFetcher(
        allow_hosts=settings.fetch_allow_list,
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
    )


async def startup(ctx: dict[str, Any]) -> None:
    """Resources every task shares, and the click ingester that runs beside the jobs."""
    await db.open_pool()
    ctx["fetcher"] = make_fetcher()
    subscribers.install(ctx["redis"])
    if ctx.get("ingest_clicks", True):
        stop = asyncio.Event()
        consumer = f"{socket.gethostname()}-{id(ctx)}"
        ctx["ingester_stop"] = stop
        ctx["ingester"] = asyncio.create_task(run_ingester(ctx["redis"], consumer, stop))


async def shutdown(ctx: dict[str, Any]) -> None:
    if "ingester" in ctx:
        ctx["ingester_stop"].set()
        await ctx["ingester"]
    if "fetcher" in ctx:
        await ctx["fetcher"].aclose()
        subscribers.uninstall()
    await db.close_pool()


class WorkerSettings:
    functions = FUNCTIONS
    cron_jobs = CRON_JOBS
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url or "redis://127.0.0.1:6379")
    max_tries = 10  # each task bounds its own retries; this is the backstop
    job_timeout = 120
    keep_result = 3600
    poll_delay = 0.05  # a job waits at most ~50 ms to be picked up
    max_jobs = 40  # verifications wait on I/O: many run at once


def build_worker(redis: ArqRedis, *, burst: bool = False) -> Worker:
    """A worker on a pool of its own (arq closes it on close()). In burst mode (tests) it runs
    what is queued and returns, without cron jobs or the click ingester."""
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
        on_startup=startup,
        on_shutdown=shutdown,
        ctx={"ingest_clicks": not burst},
    )
