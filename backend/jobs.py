"""Every background job Chorus queues, by name, with the one id each kind of job runs under.

The id is what makes queueing idempotent: arq refuses a second job whose id is queued, running
or still has a kept result, so asking twice for the same work (a double tap, a sweep that
re-queues, two processes reacting to one event) runs it once. `workers/settings.py` registers a
function under each name here, and `tests/test_worker.py` checks that it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from redis.asyncio import Redis


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


# Every job the functions above make (the worker must register each of these names).
NAMES = frozenset(
    {
        "verify_submission",
        "send_push",
        "rebuild_leaderboards",
        "fetch_content_preview",
        "announce_challenge",
        "announce_challenge_batch",
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
