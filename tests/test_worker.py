"""The real arq worker, in burst mode, against real Redis and PostgreSQL."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from backend.orgs.tables import Invite
from tests.helpers import bearer, invite, run_worker_burst, signup, unique_email
from workers.tasks import EXPIRED_INVITE_RETENTION_DAYS


async def test_purge_removes_only_long_expired_unused_invites_and_is_idempotent(app, client):
    admin = await signup(client)
    old = await invite(client, admin, unique_email("old"))
    recent = await invite(client, admin, unique_email("recent"))
    fresh = await invite(client, admin, unique_email("fresh"))
    long_ago = datetime.now(UTC) - timedelta(days=EXPIRED_INVITE_RETENTION_DAYS + 1)
    await Invite.update({Invite.expires_at: long_ago}).where(Invite.id == old["inviteId"])
    await Invite.update({Invite.expires_at: datetime.now(UTC) - timedelta(days=1)}).where(
        Invite.id == recent["inviteId"]
    )
    job = await app.state.redis.enqueue_job("purge_expired_invites", _job_id="purge-test")
    assert job is not None
    await run_worker_burst()
    assert await job.result(timeout=5) == 1
    remaining = {row["id"] for row in await Invite.select(Invite.id)}
    assert remaining == {
        UUID(recent["inviteId"]),
        UUID(fresh["inviteId"]),
    }
    # the same job again (a retry, a second worker) changes nothing
    again = await app.state.redis.enqueue_job("purge_expired_invites")
    await run_worker_burst()
    assert await again.result(timeout=5) == 0
    assert await Invite.count() == 2
    assert (await client.get("/api/v1/me", headers=bearer(admin))).status_code == 200


def test_every_job_chorus_queues_has_a_worker_function():
    """backend/jobs.py names the jobs; a name the worker does not register would sit queued."""
    from backend import jobs
    from workers.settings import FUNCTIONS

    registered = {getattr(f, "name", None) or f.__name__ for f in FUNCTIONS}  # type: ignore[union-attr]
    assert registered >= jobs.NAMES, jobs.NAMES - registered
    made = [
        jobs.verify_submission(UUID(int=1)),
        jobs.send_push(UUID(int=2)),
        jobs.rebuild_leaderboards(UUID(int=3)),
        jobs.fetch_content_preview(UUID(int=4), "abc"),
        jobs.announce_challenge(UUID(int=5)),
        jobs.announce_challenge_batch(UUID(int=5), 2),
        jobs.email_invite(UUID(int=6), "t" * 43),
        jobs.email_password_reset(UUID(int=7)),
        jobs.email_digest(UUID(int=8), "2026-W49"),
        jobs.reread_engagement(UUID(int=9), "24h"),
        jobs.reread_official_engagement(UUID(int=10), "24h"),
    ]
    assert {job.function for job in made} == jobs.NAMES
    assert len({job.job_id for job in made}) == len(made)  # no two kinds share an id
