"""WorkerSettings for `chorus worker` (arq), and the in-process worker `chorus dev` runs."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Worker

from backend import db
from backend.settings import get_settings
from workers import tasks

FUNCTIONS: list[Any] = [tasks.purge_expired_invites]
CRON_JOBS: list[Any] = [
    cron(tasks.purge_expired_invites, hour={3}, minute={17}, run_at_startup=False, unique=True),
]


async def startup(ctx: dict[str, Any]) -> None:
    await db.open_pool()


async def shutdown(ctx: dict[str, Any]) -> None:
    await db.close_pool()


class WorkerSettings:
    functions = FUNCTIONS
    cron_jobs = CRON_JOBS
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url or "redis://127.0.0.1:6379")
    max_tries = 5
    job_timeout = 120
    keep_result = 3600


def build_worker(redis: ArqRedis, *, burst: bool = False) -> Worker:
    """A worker on an existing pool (the API's, in dev; a test's). The DB pool is the caller's."""
    return Worker(
        functions=FUNCTIONS,
        cron_jobs=[] if burst else CRON_JOBS,
        redis_pool=redis,
        burst=burst,
        poll_delay=0 if burst else 0.5,
        handle_signals=False,
        max_tries=WorkerSettings.max_tries,
        job_timeout=WorkerSettings.job_timeout,
        keep_result=WorkerSettings.keep_result,
    )
