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
