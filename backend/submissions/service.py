"""Share submissions: claiming a share, verifying it by the challenge's policy, awarding points.

Points are written only here and only as ledger rows with idempotency keys, in the same
transaction as the submission's new status, and the status changes only from the state the
decision was made in (`WHERE status = 'pending'`): a job run twice, or two workers racing,
award once. Events are published after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from backend import clock, events
from backend.badges import service as badges_service
from backend.challenges.service import effective_status, visible_challenge
from backend.community.stories import published_story
from backend.db import DB
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.fetch import SafeFetcher
from backend.points.service import LedgerEntry, append
from backend.security import CurrentUser
from backend.settings import Settings
from backend.sharing.tables import Click, ShareLink
from backend.submissions.checks import check_post
from backend.submissions.posts import NETWORKS_WITH_POSTS, NotAPost, post_key
from backend.submissions.schemas import ReviewItem, SubmissionRead
from backend.submissions.tables import Submission
from backend.wire import Page, created_at_cursor, decode_cursor

log = logging.getLogger("chorus.submissions")

# A preview bot's fetch of the link names the network it speaks for.
BOT_NETWORK = {
    "LinkedInBot": "linkedin",
    "Twitterbot": "x",
    "facebookexternalhit": "facebook",
    "Facebot": "facebook",
    "meta-externalagent": "facebook",
    "WhatsApp": "whatsapp",
}


class RetryLater(Exception):
    """A transient failure: the job should run again after `defer` seconds."""

    def __init__(self, defer: float, why: str) -> None:
        super().__init__(why)
        self.defer = defer


def _read(row: dict[str, Any]) -> SubmissionRead:
    return SubmissionRead(
        id=row["id"],
        challenge_id=row["challenge"],
        network=row["network"],
        post_url=row["post_url"],
        status=row["status"],
        points_awarded=row["points_awarded"],
        reason=row["reason"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
    )


# -- claiming --------------------------------------------------------------------------


async def create_submission(
    user: CurrentUser, challenge_id: UUID, network: str, post_url: str | None
) -> SubmissionRead:
    """A pending claim; the caller enqueues its verification with the submission id as job id."""
    challenge = await visible_challenge(user, challenge_id)
    status = effective_status(
        challenge["state"], challenge["starts_at"], challenge["ends_at"], clock.now()
    )
    if status != "active":
        raise Forbidden(f"This challenge is {status}: it does not take submissions now.")
    if network not in challenge["networks"]:
        raise Invalid(
            f"This challenge is not shared on {network}; "
            f"choose one of {', '.join(challenge['networks'])}."
        )
    if challenge["kind"] == "story" and not await published_story(user.id, challenge_id):
        raise Conflict("Publish your story first: sharing it links to its public page.")
    key: str | None = None
    if network in NETWORKS_WITH_POSTS:
        if not post_url:
            raise Invalid(f"postUrl is needed: paste the public link to your {network} post.")
        try:
            key = post_key(network, post_url)
        except NotAPost as exc:
            raise Invalid(f"postUrl: {exc}") from exc
    submission_id = uuid4()
    inserted = await Submission.raw(
        'INSERT INTO submission (id, org, challenge, "user", network, post_url, post_key) '
        "VALUES ({}, {}, {}, {}, {}, {}, {}) ON CONFLICT DO NOTHING RETURNING *",
        submission_id,
        user.org_id,
        challenge_id,
        user.id,
        network,
        post_url.strip() if post_url else None,
        key,
    )
    if not inserted:
        mine = await Submission.exists().where(
            (Submission.user == user.id) & (Submission.challenge == challenge_id)
        )
        if mine:
            raise Conflict("You have already submitted a share for this challenge.")
        raise Conflict("This post has already been claimed.")
    # answered from the committed row itself: no further query that could fail after the
    # claim is stored (a client told to try again would then find it already there)
    return _read(inserted[0])


async def get_submission(user: CurrentUser, submission_id: UUID) -> SubmissionRead:
    """The owner and the organization's admins see a submission; anyone else gets 404."""
    row = (
        await Submission.select()
        .where((Submission.id == submission_id) & (Submission.org == user.org_id))
        .first()
    )
    if row is None or (row["user"] != user.id and user.role != "admin"):
        raise NotFound("No such submission.")
    return _read(row)


# -- verifying -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Claim:
    id: UUID
    org_id: UUID
    user_id: UUID
    challenge_id: UUID
    network: str
    post_url: str | None
    status: str
    policy: str
    points: int
    click_points: int
    click_points_cap: int
    hashtags: list[str]
    team_id: UUID | None


async def _claim(submission_id: UUID, *, lock: bool = False) -> _Claim | None:
    rows = await Submission.raw(
        'SELECT s.id, s.org, s."user", s.challenge, s.network, s.post_url, s.status, '
        # a story challenge's policy is about publishing the story; its shares are checked
        "CASE WHEN c.kind = 'story' THEN 'auto' ELSE c.verification END AS verification, "
        "c.points, c.click_points, c.click_points_cap, c.hashtags, u.team "
        "FROM submission s JOIN challenge c ON c.id = s.challenge "
        'JOIN app_user u ON u.id = s."user" '
        "WHERE s.id = {}" + (" FOR UPDATE OF s" if lock else ""),
        submission_id,
    )
    if not rows:
        return None
    r = rows[0]
    return _Claim(
        id=r["id"],
        org_id=r["org"],
        user_id=r["user"],
        challenge_id=r["challenge"],
        network=r["network"],
        post_url=r["post_url"],
        status=r["status"],
        policy=r["verification"],
        points=r["points"],
        click_points=r["click_points"],
        click_points_cap=r["click_points_cap"],
        hashtags=list(r["hashtags"]),
        team_id=r["team"],
    )


def _evidence(source: str, found: bool, detail: str) -> dict[str, Any]:
    return {"source": source, "found": found, "detail": detail, "at": clock.now().isoformat()}


async def _link_evidence(claim: _Claim) -> tuple[str | None, list[dict[str, Any]], bool]:
    """(the caller's code for this network, evidence from bots and clicks, any of it positive)."""
    link = (
        await ShareLink.select(ShareLink.code, ShareLink.first_bot_at, ShareLink.first_bot_name)
        .where(
            (ShareLink.user == claim.user_id)
            & (ShareLink.challenge == claim.challenge_id)
            & (ShareLink.network == claim.network)
        )
        .first()
    )
    found: list[dict[str, Any]] = []
    positive = False
    if link is None:
        found.append(_evidence("link", False, "No tracked link was made for this network."))
        return None, found, False
    bot = link["first_bot_name"]
    if link["first_bot_at"] and BOT_NETWORK.get(bot or "") == claim.network:
        positive = True
        found.append(_evidence("preview_bot", True, f"{bot} fetched the tracked link."))
    else:
        found.append(_evidence("preview_bot", False, "No preview bot of this network came by."))
    if await _has_unique_click(claim):
        positive = True
        found.append(_evidence("clicks", True, "Someone else clicked the tracked link."))
    else:
        found.append(_evidence("clicks", False, "No unique click on the tracked link yet."))
    return link["code"], found, positive


async def _has_unique_click(claim: _Claim) -> bool:
    return bool(
        await Click.exists().where(
            (Click.sharer == claim.user_id)
            & (Click.challenge == claim.challenge_id)
            & (Click.kind == "unique")
        )
    )


async def verify(
    submission_id: UUID, *, fetcher: SafeFetcher, settings: Settings, attempt: int
) -> str:
    """Decide a pending submission by its challenge's policy. Safe to run any number of times."""
    claim = await _claim(submission_id)
    if claim is None:
        return "gone"
    if claim.status != "pending":
        return f"already {claim.status}"
    if claim.policy == "trust":
        points = claim.points * settings.trust_points_percent // 100
        detail = f"Trusted at {settings.trust_points_percent}% of the points."
        return await decide(claim.id, "verified", points, [_evidence("trust", True, detail)])
    code, evidence, positive = await _link_evidence(claim)
    if claim.policy == "review":
        return await decide(claim.id, "needs_review", 0, evidence, "Waiting for an admin's review.")
    if claim.policy == "clicks":
        if await _has_unique_click(claim):
            return await decide(claim.id, "verified", claim.points, evidence)
        return "waiting for a click"
    # auto: read the post itself, then weigh everything collected
    post = None
    if claim.post_url and code:
        post = await check_post(
            fetcher,
            settings,
            network=claim.network,
            post_url=claim.post_url,
            code=code,
            hashtags=claim.hashtags,
        )
        if post.outcome == "transient":
            if attempt < settings.verify_max_tries:
                backoff = settings.verify_retry_seconds * 2 ** (attempt - 1)
                raise RetryLater(max(post.retry_after or 0, backoff), post.detail)
            post_detail = f"{post.detail}; gave up after {attempt} tries."
            evidence.append(_evidence("post", False, post_detail))
        else:
            evidence.append(_evidence("post", post.outcome == "link_found", post.detail))
    outcome = post.outcome if post else None
    if outcome == "link_found" or (outcome in ("hashtag_found", "no_link") and positive):
        return await decide(claim.id, "verified", claim.points, evidence)
    if outcome == "not_found" and not positive:
        return await decide(
            claim.id,
            "rejected",
            0,
            evidence,
            "The post could not be found at that address: is it public?",
        )
    return await decide(
        claim.id,
        "needs_review",
        0,
        evidence,
        "Chorus could not confirm this share by itself; an admin will look at it.",
    )


async def decide(
    submission_id: UUID,
    status: str,
    points: int,
    evidence: list[dict[str, Any]],
    reason: str | None = None,
    *,
    from_statuses: tuple[str, ...] = ("pending",),
    reviewer: UUID | None = None,
    note: str | None = None,
) -> str:
    """Move a submission to `status` and write its points, atomically and at most once."""
    async with DB.transaction():
        found = await _claim(submission_id, lock=True)
        if found is None:
            return "gone"
        if found.status not in from_statuses:
            return f"already {found.status}"
        claim = found
        await Submission.raw(
            "UPDATE submission SET status = {}, points_awarded = {}, reason = {}, "
            "evidence = evidence || {}::jsonb, checks = checks + 1, updated_at = now(), "
            "decided_at = now(), reviewed_by = coalesce({}, reviewed_by), "
            "review_note = coalesce({}, review_note) WHERE id = {}",
            status,
            points if status == "verified" else 0,
            reason,
            msgspec.json.encode(evidence).decode(),
            reviewer,
            note,
            submission_id,
        )
        awarded: list[events.PointsAwarded] = []
        if status == "verified":
            awarded += await append(
                [
                    LedgerEntry(
                        org_id=claim.org_id,
                        user_id=claim.user_id,
                        team_id=claim.team_id,
                        delta=points,
                        reason="share_verified",
                        idempotency_key=f"share:{claim.id}",
                        challenge_id=claim.challenge_id,
                        submission_id=claim.id,
                    )
                ]
            )
            awarded += await _click_points(claim)
    await events.points_awarded(awarded)
    await events.user_notice(
        events.UserNotice(
            org_id=claim.org_id,
            user_id=claim.user_id,
            kind="submission",
            data={
                "id": str(claim.id),
                "challengeId": str(claim.challenge_id),
                "status": status,
                "pointsAwarded": points if status == "verified" else 0,
                "reason": reason,
            },
        )
    )
    log.info("submission decided", extra={"submission": str(submission_id), "status": status})
    return status


async def _click_points(claim: _Claim) -> list[events.PointsAwarded]:
    """Award unique clicks not yet paid, up to the cap (caller holds the submission's lock)."""
    if claim.click_points <= 0:
        return []
    paid = await Submission.raw(
        "SELECT coalesce(sum(delta), 0) AS paid FROM points_ledger "
        "WHERE submission = {} AND reason = 'click'",
        claim.id,
    )
    room = (claim.click_points_cap - int(paid[0]["paid"])) // claim.click_points
    if room <= 0:
        return []
    clicks = await Click.raw(
        "SELECT c.id FROM click c WHERE c.challenge = {} AND c.sharer = {} AND c.kind = 'unique' "
        "AND NOT EXISTS (SELECT 1 FROM points_ledger p WHERE p.idempotency_key = "
        "'click:' || c.id::text) ORDER BY c.at, c.id LIMIT {}",
        claim.challenge_id,
        claim.user_id,
        room,
    )
    return await append(
        [
            LedgerEntry(
                org_id=claim.org_id,
                user_id=claim.user_id,
                team_id=claim.team_id,
                delta=claim.click_points,
                reason="click",
                idempotency_key=f"click:{c['id']}",
                challenge_id=claim.challenge_id,
                submission_id=claim.id,
                click_id=c["id"],
            )
            for c in clicks
        ]
    )


async def on_unique_clicks(sharer_id: UUID, challenge_id: UUID) -> None:
    """New unique clicks on someone's link: verify a clicks-policy claim, pay click points,
    and see whether the audience they reached earned them a badge."""
    try:
        await _on_unique_clicks(sharer_id, challenge_id)
    finally:
        await badges_service.evaluate(sharer_id)


async def _on_unique_clicks(sharer_id: UUID, challenge_id: UUID) -> None:
    row = (
        await Submission.select(Submission.id, Submission.status)
        .where((Submission.user == sharer_id) & (Submission.challenge == challenge_id))
        .first()
    )
    if row is None:
        return
    if row["status"] == "pending":
        claim = await _claim(row["id"])
        if claim is not None and claim.policy == "clicks":
            _, evidence, _ = await _link_evidence(claim)
            await decide(claim.id, "verified", claim.points, evidence)
        return
    if row["status"] == "verified":
        async with DB.transaction():
            claim = await _claim(row["id"], lock=True)
            awarded = await _click_points(claim) if claim and claim.status == "verified" else []
        await events.points_awarded(awarded)


# -- reviewing -------------------------------------------------------------------------


async def review_queue(
    org_id: UUID, status: str, *, limit: int = 50, cursor: str | None = None
) -> Page[ReviewItem]:
    after_created, after_id = (
        decode_cursor(cursor, tuple[datetime, UUID]) if cursor else (None, None)
    )
    rows = await Submission.raw(
        "SELECT s.*, c.title AS challenge_title, u.display_name FROM submission s "
        'JOIN challenge c ON c.id = s.challenge JOIN app_user u ON u.id = s."user" '
        "WHERE s.org = {} AND s.status = {} "
        "AND ({}::timestamptz IS NULL OR (s.created_at, s.id) > ({}::timestamptz, {}::uuid)) "
        "ORDER BY s.created_at, s.id LIMIT {}",
        org_id,
        status,
        after_created,
        after_created,
        after_id,
        limit + 1,
    )
    items = [
        ReviewItem(
            id=r["id"],
            challenge_id=r["challenge"],
            challenge_title=r["challenge_title"],
            user_id=r["user"],
            display_name=r["display_name"],
            network=r["network"],
            post_url=r["post_url"],
            status=r["status"],
            points_awarded=r["points_awarded"],
            reason=r["reason"],
            evidence=msgspec.json.decode(r["evidence"])
            if isinstance(r["evidence"], str)
            else r["evidence"],
            created_at=r["created_at"],
            decided_at=r["decided_at"],
            review_note=r["review_note"],
        )
        for r in rows[:limit]
    ]
    next_cursor = created_at_cursor(rows, limit)
    return Page[ReviewItem](items=items, next_cursor=next_cursor)


async def _in_org(actor: CurrentUser, submission_id: UUID) -> _Claim:
    claim = await _claim(submission_id)
    if claim is None or claim.org_id != actor.org_id:
        raise NotFound("No such submission in your organization.")
    return claim


async def approve(actor: CurrentUser, submission_id: UUID, note: str | None) -> SubmissionRead:
    claim = await _in_org(actor, submission_id)
    result = await decide(
        claim.id,
        "verified",
        claim.points,
        [_evidence("admin", True, f"Approved by {actor.display_name}.")],
        from_statuses=("pending", "needs_review", "rejected"),
        reviewer=actor.id,
        note=note,
    )
    if result.startswith("already") and claim.status != "verified":
        raise Conflict(f"This submission is {claim.status}; it cannot be approved.")
    return await get_submission(actor, submission_id)


async def reject(actor: CurrentUser, submission_id: UUID, note: str | None) -> SubmissionRead:
    claim = await _in_org(actor, submission_id)
    result = await decide(
        claim.id,
        "rejected",
        0,
        [_evidence("admin", False, f"Rejected by {actor.display_name}.")],
        note or "Rejected by an admin.",
        from_statuses=("pending", "needs_review"),
        reviewer=actor.id,
        note=note,
    )
    if result.startswith("already") and claim.status != "rejected":
        raise Conflict(
            f"This submission is {claim.status}; "
            + ("revoke it instead." if claim.status == "verified" else "it cannot be rejected.")
        )
    return await get_submission(actor, submission_id)


async def revoke(actor: CurrentUser, submission_id: UUID, note: str | None) -> SubmissionRead:
    """Take back a verified share's points with compensating rows; nothing is deleted."""
    claim = await _in_org(actor, submission_id)
    async with DB.transaction():
        locked = await _claim(submission_id, lock=True)
        if locked is None or locked.status not in ("verified", "revoked"):
            raise Conflict("Only a verified submission can be revoked.")
        if locked.status == "revoked":
            awarded: list[events.PointsAwarded] = []
        else:
            paid = await Submission.raw(
                "SELECT coalesce(sum(delta), 0) AS paid FROM points_ledger WHERE submission = {}",
                claim.id,
            )
            await Submission.raw(
                "UPDATE submission SET status = 'revoked', points_awarded = 0, reason = {}, "
                "review_note = {}, reviewed_by = {}, updated_at = now(), "
                "evidence = evidence || {}::jsonb WHERE id = {}",
                note or "Revoked by an admin.",
                note,
                actor.id,
                msgspec.json.encode(
                    [_evidence("admin", False, f"Revoked by {actor.display_name}.")]
                ).decode(),
                claim.id,
            )
            awarded = await append(
                [
                    LedgerEntry(
                        org_id=claim.org_id,
                        user_id=claim.user_id,
                        team_id=claim.team_id,
                        delta=-int(paid[0]["paid"]),
                        reason="revoked",
                        idempotency_key=f"revoke:{claim.id}",
                        challenge_id=claim.challenge_id,
                        submission_id=claim.id,
                    )
                ]
            )
    await events.points_awarded(awarded)
    return await get_submission(actor, submission_id)


# -- keeping nothing stuck -------------------------------------------------------------


async def stale_pending(older_than_seconds: int) -> list[UUID]:
    """Pending submissions whose verification should have run by now (a lost job, say)."""
    rows = await Submission.raw(
        "SELECT s.id FROM submission s JOIN challenge c ON c.id = s.challenge "
        "WHERE s.status = 'pending' AND c.verification <> 'clicks' "
        "AND s.updated_at < now() - make_interval(secs => {}) ORDER BY s.created_at LIMIT 1000",
        older_than_seconds,
    )
    return [row["id"] for row in rows]


async def close_unclicked(grace_hours: int) -> int:
    """Clicks-policy claims still waiting a while after their challenge ended go to review."""
    rows = await Submission.raw(
        "SELECT s.id FROM submission s JOIN challenge c ON c.id = s.challenge "
        "WHERE s.status = 'pending' AND c.verification = 'clicks' "
        "AND c.ends_at < now() - make_interval(hours => {}) LIMIT 1000",
        grace_hours,
    )
    for row in rows:
        await decide(
            row["id"],
            "needs_review",
            0,
            [_evidence("clicks", False, "No one clicked the link before the challenge ended.")],
            "No click arrived before the challenge ended; an admin will look at it.",
        )
    return len(rows)
