"""Thin, idempotent arq tasks that call domain services. Jobs take ids, never objects."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from arq import Retry

from backend import events, jobs
from backend.analytics import official_engagement
from backend.badges import service as badges
from backend.badges.streaks import streak_for, week_start
from backend.challenges.service import store_preview
from backend.challenges.tables import Challenge
from backend.core import clock
from backend.db import CONNECTION_LOST
from backend.fetch.client import SafeFetcher
from backend.fetch.previews import parse_preview
from backend.fetch.results import FetchError
from backend.leaderboards import boards as leaderboards
from backend.leaderboards import movement as board_movement
from backend.mail import outbox as mail_outbox
from backend.mail import templates as mail_templates
from backend.mail.smtp import MailError
from backend.notifications import push, triggers
from backend.orgs import passwords as orgs_passwords
from backend.orgs import service as orgs_service
from backend.orgs.tables import Invite, Organization, User
from backend.settings import get_settings
from backend.submissions import engagement, own_words
from backend.submissions import verification as submissions
from backend.surveys import service as surveys

log = logging.getLogger("chorus.worker")

# Unaccepted invites are kept this long after expiry so an admin can see what lapsed.
EXPIRED_INVITE_RETENTION_DAYS = 30


async def purge_expired_invites(ctx: dict[str, Any]) -> int:
    """Delete invites that expired long ago and were never used; safe to run any number of times."""
    removed = await Invite.raw(
        "DELETE FROM invite WHERE accepted_at IS NULL "
        "AND expires_at < now() - make_interval(days => {}) RETURNING id",
        EXPIRED_INVITE_RETENTION_DAYS,
    )
    if removed:
        log.info("purged expired invites", extra={"count": len(removed)})
    return len(removed)


PREVIEW_TRIES = 4


async def fetch_content_preview(ctx: dict[str, Any], challenge_id: str) -> str:
    """Fetch a challenge's content page and keep its title, description and image for cards.

    Transient failures retry with backoff; anything else marks the preview failed, and the
    challenge stays usable without it. Storing is conditional on the URL it was fetched for,
    so a late run never overwrites the preview of a newer content URL.
    """
    row = (
        await Challenge.select(Challenge.content_url)
        .where(Challenge.id == UUID(challenge_id))
        .first()
    )
    if row is None:
        return "challenge gone"
    content_url: str = row["content_url"]
    fetcher: SafeFetcher = ctx["fetcher"]
    try:
        result = await fetcher.get(content_url, headers={"Accept": "text/html,*/*;q=0.5"})
    except FetchError as exc:
        if exc.transient and ctx.get("job_try", 1) < PREVIEW_TRIES:
            raise Retry(defer=exc.retry_after or 5 * ctx.get("job_try", 1)) from exc
        await store_preview(
            UUID(challenge_id),
            content_url,
            title=None,
            description=None,
            image_url=None,
            ok=False,
        )
        log.info("content preview failed", extra={"challenge": challenge_id, "why": exc.kind})
        return f"failed: {exc.kind}"
    preview = parse_preview(result.body, result.url)
    await store_preview(
        UUID(challenge_id),
        content_url,
        title=preview.title,
        description=preview.description,
        image_url=preview.image_url,
        ok=True,
    )
    return "ok"


async def verify_submission(ctx: dict[str, Any], submission_id: str) -> str:
    """Verify one submission by its challenge's policy; idempotent, retried when transient."""
    attempt = int(ctx.get("job_try", 1))
    try:
        return await submissions.verify(
            UUID(submission_id), fetcher=ctx["fetcher"], settings=get_settings(), attempt=attempt
        )
    except submissions.RetryLater as exc:
        log.info("verification will retry", extra={"submission": submission_id, "why": str(exc)})
        raise Retry(defer=exc.defer) from exc
    except CONNECTION_LOST as exc:
        # The database went away mid-decision: nothing was committed; decide again shortly.
        log.warning("verification interrupted (%s); trying again", type(exc).__name__)
        raise Retry(defer=min(2 * attempt, 30)) from exc


CLICKS_GRACE_HOURS = 24


async def sweep_submissions(ctx: dict[str, Any]) -> str:
    """Nothing stays pending by accident: re-queue verifications whose job was lost (Redis
    restarted empty, say) and send clicks-policy claims nobody clicked to review."""
    # Re-queueing a claim whose job still exists does nothing (the job id is the claim's id).
    stale = await submissions.stale_pending(get_settings().sweep_pending_after_seconds)
    for submission_id in stale:
        await jobs.enqueue(ctx["redis"], jobs.verify_submission(submission_id))
    closed = await submissions.close_unclicked(CLICKS_GRACE_HOURS)
    return f"requeued {len(stale)}, sent {closed} to review"


async def clear_expired_post_texts(ctx: dict[str, Any]) -> int:
    """Daily: clear the texts of posts kept longer than their organization's retention."""
    return await own_words.clear_expired_post_texts()


async def reread_engagement(ctx: dict[str, Any], submission_id: str, stage: str) -> str:
    """Re-read a verified share's post for its public counts (24h, 7d); idempotent."""
    attempt = int(ctx.get("job_try", 1))
    try:
        return await engagement.reread_submission(
            UUID(submission_id),
            stage,
            fetcher=ctx["fetcher"],
            settings=get_settings(),
            attempt=attempt,
        )
    except engagement.RereadLater as exc:
        raise Retry(defer=exc.defer) from exc


async def reread_official_engagement(ctx: dict[str, Any], link_id: str, stage: str) -> str:
    """Re-read an official post for its public counts, the ratio's baseline; idempotent."""
    attempt = int(ctx.get("job_try", 1))
    try:
        return await official_engagement.reread_official(
            UUID(link_id),
            stage,
            fetcher=ctx["fetcher"],
            settings=get_settings(),
            attempt=attempt,
        )
    except engagement.RereadLater as exc:
        raise Retry(defer=exc.defer) from exc


async def sweep_engagement(ctx: dict[str, Any]) -> str:
    """Queue every engagement re-read that is due and not done (the database is the schedule,
    so a lost job is made up here); a re-read already queued is not queued twice (its id)."""
    shares = await engagement.due_submissions()
    for submission_id, stage in shares:
        await jobs.enqueue(ctx["redis"], jobs.reread_engagement(submission_id, stage))
    officials = await official_engagement.due_officials()
    for link_id, stage in officials:
        await jobs.enqueue(ctx["redis"], jobs.reread_official_engagement(link_id, stage))
    return f"queued {len(shares)} share and {len(officials)} official re-reads"


async def rebuild_leaderboards(ctx: dict[str, Any], org_id: str) -> str:
    """Rebuild one organization's boards from the ledger (asked for when Redis came back empty)."""
    await leaderboards.rebuild_locked(ctx["redis"], UUID(org_id))
    return "rebuilt"


async def reconcile_leaderboards(ctx: dict[str, Any]) -> dict[str, list[str]]:
    """Compare every organization's boards with the ledger; repair and report any drift."""
    repaired: dict[str, list[str]] = {}
    for row in await Organization.select(Organization.id):
        drift = await leaderboards.reconcile(ctx["redis"], row["id"])
        if drift:
            repaired[str(row["id"])] = drift
    return repaired


async def store_yesterdays_ranks(ctx: dict[str, Any]) -> int:
    """Just after each organization's midnight, keep its boards' ranks at the end of the day
    (movement since yesterday); a no-op where they are stored already. Returns how many."""
    stored = 0
    for row in await Organization.select(Organization.id):
        stored += await board_movement.ensure_ranks(ctx["redis"], row["id"])
    return stored


STREAK_RISK_KEY = "chorus:streak-risk:{user}:{week}"


def late_in_week(local: datetime) -> bool:
    """From Friday noon to Sunday night, in the person's own timezone."""
    return local.weekday() >= 5 or (local.weekday() == 4 and local.hour >= 12)


async def warn_streaks_at_risk(ctx: dict[str, Any]) -> int:
    """Late in someone's week, with nothing verified yet, tell them their streak is at risk
    (once a week each). Hourly: every timezone reaches Friday noon at its own hour."""
    now = clock.now()
    candidates = await User.raw(
        "SELECT DISTINCT u.id, u.org, u.timezone FROM app_user u JOIN points_ledger l "
        "ON l.\"user\" = u.id WHERE u.active AND l.reason = 'share_verified' "
        "AND l.created_at > {}::timestamptz - interval '30 days'",
        now,
    )
    warned = 0
    for person in candidates:
        local = now.astimezone(ZoneInfo(person["timezone"]))
        if not late_in_week(local):
            continue
        streak = await streak_for(person["id"], person["timezone"], now)
        if streak.weeks == 0 or streak.active_this_week:
            continue
        key = STREAK_RISK_KEY.format(user=person["id"], week=week_start(local.date()))
        if await ctx["redis"].set(key, "1", nx=True, ex=8 * 24 * 3600):
            await events.user_notice(
                events.UserNotice(
                    org_id=person["org"],
                    user_id=person["id"],
                    kind="streak_at_risk",
                    data={"weeks": streak.weeks, "freezes": streak.freezes},
                )
            )
            warned += 1
    return warned


async def award_period_winners(ctx: dict[str, Any]) -> int:
    """Period-winner badges for the last closed week and month, in every organization.
    Hourly and idempotent: a period is settled once it has closed in the org's timezone."""
    awarded = 0
    for row in await Organization.select(Organization.id):
        awarded += len(await badges.award_period_winners(row["id"], clock.now()))
    return awarded


PUSH_TRIES = 5


async def send_push(ctx: dict[str, Any], notification_id: str) -> str:
    """Deliver one notification to every device of its person; retried while the push
    service asks to wait (429 / 5xx), at most PUSH_TRIES times."""
    outcome = await push.send(UUID(notification_id), redis=ctx["redis"], settings=get_settings())
    if outcome.retry_after is not None and ctx.get("job_try", 1) < PUSH_TRIES:
        raise Retry(defer=outcome.retry_after)
    return f"sent {outcome.sent}, removed {outcome.removed}"


async def announce_challenge(ctx: dict[str, Any], challenge_id: str) -> int:
    """A challenge went live: one job per batch of its audience, so ten thousand people never
    become one giant job."""
    size = await triggers.audience_size(UUID(challenge_id))
    batches = (size + triggers.ANNOUNCE_BATCH - 1) // triggers.ANNOUNCE_BATCH
    for batch in range(batches):
        await jobs.enqueue(ctx["redis"], jobs.announce_challenge_batch(challenge_id, batch))
    return batches


async def announce_challenge_batch(ctx: dict[str, Any], challenge_id: str, batch: int) -> int:
    queued = await triggers.announce_batch(UUID(challenge_id), batch)
    for notification_id in queued:
        await push.enqueue_push(ctx["redis"], notification_id)
    return len(queued)


async def send_digests(ctx: dict[str, Any]) -> int:
    """Hourly: the evening digest for people whose local time it is."""
    queued = await triggers.send_digests()
    for notification_id in queued:
        await push.enqueue_push(ctx["redis"], notification_id)
    return len(queued)


async def send_recaps(ctx: dict[str, Any]) -> int:
    """Hourly: the Monday-morning recap for people whose local time it is."""
    queued = await triggers.send_recaps()
    for notification_id in queued:
        await push.enqueue_push(ctx["redis"], notification_id)
    return len(queued)


async def pay_closed_surveys(ctx: dict[str, Any]) -> int:
    """Every minute: pay the answering points of surveys whose end passed, in one batch each.
    Idempotent, and safe in two workers at once (each survey is claimed once)."""
    return await surveys.pay_closed_surveys()


# -- email ---------------------------------------------------------------------------------

MAIL_TRIES = 5
MAIL_RETRY_SECONDS = 20


async def _deliver(ctx: dict[str, Any], letter: mail_templates.Letter, to: str) -> bool:
    """Send one letter; a transient refusal retries with backoff, a lasting one is logged."""
    try:
        await mail_outbox.deliver(letter, to=to)
    except MailError as exc:
        tries = ctx.get("job_try", 1)
        if exc.transient and tries < MAIL_TRIES:
            raise Retry(defer=MAIL_RETRY_SECONDS * tries) from exc
        log.warning("email not sent", extra={"why": str(exc), "tries": tries})
        return False
    return True


async def email_invite(ctx: dict[str, Any], invite_id: str, token: str) -> str:
    """Email an invite's link, while that link still opens the invite."""
    facts = await orgs_service.invite_letter_facts(UUID(invite_id), token)
    if facts is None:
        return "invite gone"
    settings = get_settings()
    letter = mail_templates.invite_letter(
        organization=facts.organization,
        inviter=facts.inviter or None,
        url=f"{settings.base_url}/accept-invite#token={token}",
        expires=facts.expires_at,
        language=facts.language,
    )
    if not await _deliver(ctx, letter, facts.email):
        return "not sent"
    await orgs_service.mark_invite_emailed(UUID(invite_id))
    return "sent"


async def email_password_reset(ctx: dict[str, Any], reset_id: str) -> str:
    """Email a reset link; its token is made here, so it exists only in the email."""
    if not mail_outbox.configured():
        log.warning("password reset not emailed: email not configured")
        return "email not configured"
    letter_facts = await orgs_passwords.issue_reset_token(UUID(reset_id))
    if letter_facts is None:
        return "reset gone"
    letter = mail_templates.reset_letter(
        name=letter_facts.display_name,
        organization=letter_facts.organization,
        url=f"{get_settings().base_url}/reset#token={letter_facts.token}",
        language=letter_facts.language,
    )
    return "sent" if await _deliver(ctx, letter, letter_facts.email) else "not sent"


async def email_weekly_digests(ctx: dict[str, Any]) -> int:
    """Monday mornings: the weekly email to everyone who turned it on (their past 7 days)."""
    if not mail_outbox.configured():
        return 0
    rows = await Organization.raw(
        """
        SELECT u.id, u.email, u.display_name, o.name AS organization,
               coalesce((SELECT sum(l.delta) FROM points_ledger l WHERE l."user" = u.id
                         AND l.created_at > now() - interval '7 days'), 0) AS points,
               (SELECT count(*) FROM submission s WHERE s."user" = u.id
                  AND s.status = 'verified' AND s.decided_at > now() - interval '7 days')
                 AS shares,
               (SELECT count(*) FROM challenge c WHERE c.org = u.org AND c.state = 'published'
                  AND c.starts_at <= now() AND c.ends_at > now()) AS open_challenges
        FROM app_user u JOIN organization o ON o.id = u.org
        WHERE u.active AND u.email_digest
        """
    )
    week = clock.now().strftime("%G-W%V")
    for row in rows:
        await jobs.enqueue(ctx["redis"], jobs.email_digest(row["id"], week))
    return len(rows)


async def email_digest(ctx: dict[str, Any], user_id: str, week: str) -> str:
    """One person's weekly email (queued once per person and week by email_weekly_digests)."""
    rows = await Organization.raw(
        """
        SELECT u.email, u.display_name, o.name AS organization,
               coalesce(u.language, o.default_language) AS language,
               coalesce((SELECT sum(l.delta) FROM points_ledger l WHERE l."user" = u.id
                         AND l.created_at > now() - interval '7 days'), 0) AS points,
               (SELECT count(*) FROM submission s WHERE s."user" = u.id
                  AND s.status = 'verified' AND s.decided_at > now() - interval '7 days')
                 AS shares,
               (SELECT count(*) FROM challenge c WHERE c.org = u.org AND c.state = 'published'
                  AND c.starts_at <= now() AND c.ends_at > now()) AS open_challenges
        FROM app_user u JOIN organization o ON o.id = u.org
        WHERE u.id = {} AND u.active AND u.email_digest
        """,
        UUID(user_id),
    )
    if not rows:
        return "turned off"
    row = rows[0]
    letter = mail_templates.digest_letter(
        name=row["display_name"],
        organization=row["organization"],
        points=int(row["points"]),
        shares=int(row["shares"]),
        open_challenges=int(row["open_challenges"]),
        url=get_settings().base_url + "/",
        language=row["language"],
    )
    return "sent" if await _deliver(ctx, letter, row["email"]) else "not sent"
