"""Every background job Chorus queues, by name, with the one id each kind of job runs under.

The id is what makes queueing idempotent: arq refuses a second job whose id is queued, running
or still has a kept result, so asking twice for the same work (a double tap, a sweep that
re-queues, two processes reacting to one event) runs it once. `workers/settings.py` registers a
function under each name here, and `tests/test_worker.py` checks that it does.

Jobs and their results are stored in Redis as msgpack, never as pickle (arq's default): whoever
can write to Redis must not be able to run code in a worker by unpickling what it wrote.
Every arq pool and worker of Chorus takes `serialize_job` / `deserialize_job` from here
(`create_job_pool`, `workers/settings.py`); `tests/test_job_serialization.py` scans Redis for
a pickle after every kind of job has been queued, run and failed.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote
from uuid import UUID

import msgspec
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import default_queue_name, health_check_key_suffix
from redis.asyncio import Redis

from backend.core.tokens import token_digest


@dataclass(frozen=True, slots=True)
class Job:
    """One job to queue: the worker function's name, its arguments and its deterministic id."""

    function: str
    args: tuple[str | int, ...]
    job_id: str


def verify_submission(submission_id: UUID) -> Job:
    """Decide a claimed share; its id is the claim's, so a claim is verified by one job."""
    return Job("verify_submission", (str(submission_id),), str(submission_id))


def send_push(notification_id: UUID) -> Job:
    return Job("send_push", (str(notification_id),), f"push:{notification_id}")


def rebuild_leaderboards(org_id: UUID) -> Job:
    """One rebuild per organization at a time."""
    return Job("rebuild_leaderboards", (str(org_id),), f"lb-rebuild:{org_id}")


def fetch_content_preview(challenge_id: UUID, content_digest: str) -> Job:
    """One preview fetch per challenge and content URL (the digest names the URL)."""
    return Job(
        "fetch_content_preview", (str(challenge_id),), f"preview:{challenge_id}:{content_digest}"
    )


def announce_challenge(challenge_id: UUID) -> Job:
    """A challenge is announced once, however often it is published."""
    return Job("announce_challenge", (str(challenge_id),), f"announce:{challenge_id}")


def announce_challenge_batch(challenge_id: UUID | str, batch: int) -> Job:
    return Job(
        "announce_challenge_batch", (str(challenge_id), batch), f"announce:{challenge_id}:{batch}"
    )


def email_invite(invite_id: UUID, token: str) -> Job:
    """Email an invite's link; one job per link (a resend makes a new link, so a new job). The
    token is an argument because only its digest is stored; the job keeps no result."""
    digest = token_digest(token)[:16]  # never the token itself in a key name
    return Job("email_invite", (str(invite_id), token), f"mail:invite:{invite_id}:{digest}")


def email_password_reset(reset_id: UUID) -> Job:
    """Email a reset link (the worker makes its token); once per reset."""
    return Job("email_password_reset", (str(reset_id),), f"mail:reset:{reset_id}")


def email_digest(user_id: UUID, week: str) -> Job:
    """One person's weekly email, once per ISO week (`2026-W49`)."""
    return Job("email_digest", (str(user_id), week), f"mail:digest:{user_id}:{week}")


def reread_engagement(submission_id: UUID, stage: str) -> Job:
    """Re-read a verified share's post for its counts, once per share and stage (24h, 7d)."""
    return Job(
        "reread_engagement", (str(submission_id), stage), f"engagement:{submission_id}:{stage}"
    )


def reread_official_engagement(link_id: UUID, stage: str) -> Job:
    """The same for an official post, once per post and stage."""
    return Job(
        "reread_official_engagement",
        (str(link_id), stage),
        f"engagement:official:{link_id}:{stage}",
    )


# Every job the functions above make (the worker must register each of these names).
NAMES = frozenset(
    {
        "verify_submission",
        "send_push",
        "rebuild_leaderboards",
        "fetch_content_preview",
        "announce_challenge",
        "announce_challenge_batch",
        "email_invite",
        "email_password_reset",
        "email_digest",
        "reread_engagement",
        "reread_official_engagement",
    }
)


async def enqueue(redis: Redis, job: Job, *, defer_until: datetime | None = None) -> bool:
    """Queue `job` on an arq pool; False when it is already queued (or `redis` is a plain
    client without a queue, as in a process that only reads boards)."""
    enqueue_job = getattr(redis, "enqueue_job", None)
    if enqueue_job is None:
        return False
    queued = await enqueue_job(
        job.function, *job.args, _job_id=job.job_id, _defer_until=defer_until
    )
    return queued is not None


# -- how jobs are stored ---------------------------------------------------------------------


class JobFailed(Exception):
    """A failed job's exception as read back from Redis: its type's name and message as text,
    never the object itself (`Job.result()` raises this for a job that raised)."""


def _describe(value: object) -> str:
    """A result msgpack has no type for, as text: a failed job's exception (which arq stores as
    the job's result) or an unusual return value."""
    if isinstance(value, BaseException):
        return f"{type(value).__qualname__}: {value}"
    return repr(value)


_strict = msgspec.msgpack.Encoder()
_lenient = msgspec.msgpack.Encoder(enc_hook=_describe)
_decoder = msgspec.msgpack.Decoder()


def serialize_job(data: dict[str, Any]) -> bytes:
    """arq's job and result dicts as msgpack. A job's arguments must be msgpack types (ids as
    str, ints, datetimes): anything else is refused when it is queued, not stringified. A result
    (a dict with `s`, success) may hold anything: what msgpack cannot hold is kept as text."""
    try:
        return _strict.encode(data)
    except TypeError:
        if "s" not in data:
            raise
        return _lenient.encode(data)


def deserialize_job(raw: bytes) -> dict[str, Any]:
    """The inverse of `serialize_job`: arguments come back as a tuple, and a failed job's
    result as a `JobFailed` that `Job.result()` raises."""
    data: dict[str, Any] = _decoder.decode(raw)
    if isinstance(data.get("a"), list):
        data["a"] = tuple(data["a"])
    if data.get("s") is False and isinstance(data.get("r"), str):
        data["r"] = JobFailed(data["r"])
    return data


def redis_settings(url: str) -> RedisSettings:
    """arq's connection settings from a Redis URL, its user name and password included
    (`redis://chorus:secret@host:6379/0`), percent-decoded as redis-py's `from_url` does."""
    settings = RedisSettings.from_dsn(url)
    if settings.username:
        settings.username = unquote(settings.username)
    if settings.password:
        settings.password = unquote(settings.password)
    return settings


async def create_job_pool(settings: RedisSettings | str) -> ArqRedis:
    """An arq pool that queues and reads jobs as msgpack: the only way Chorus opens one."""
    if isinstance(settings, str):
        settings = redis_settings(settings)
    return await create_pool(
        settings, job_serializer=serialize_job, job_deserializer=deserialize_job
    )


# -- worker health ---------------------------------------------------------------------------

# A running worker rewrites its health key this often; the key lives one second longer, so it
# exists only while a worker on this host is alive and looping (`chorus worker --check`).
HEALTH_CHECK_SECONDS = 10


def worker_health_key(host: str | None = None) -> str:
    """One key per host (a container is a host), so one worker's heartbeat never vouches for
    another's: `arq:queue:health-check:<host>`."""
    return f"{default_queue_name}{health_check_key_suffix}:{host or socket.gethostname()}"


async def worker_is_healthy(url: str, host: str | None = None) -> bool:
    """Whether a worker on this host recorded its health within the last
    HEALTH_CHECK_SECONDS + 1 seconds."""
    settings = redis_settings(url)
    settings.conn_retries = 0  # a health check answers now; the orchestrator retries
    pool = await create_job_pool(settings)
    try:
        return bool(await pool.exists(worker_health_key(host)))
    finally:
        await pool.aclose()
