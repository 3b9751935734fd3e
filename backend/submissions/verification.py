"""Verifying a claimed share by its challenge's policy (trust, review, clicks or auto), and the
sweeps that keep no claim pending for ever.

Every outcome goes through `decisions.decide`, so verifying is safe to run any number of times:
the worker's job, a click arriving and the sweeps may race over the same claim.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from backend import events
from backend.badges import service as badges_service
from backend.db import DB
from backend.fetch.client import SafeFetcher
from backend.settings import Settings
from backend.sharing.bots import bot_network
from backend.sharing.tables import Click, ShareLink
from backend.submissions.checks import check_post
from backend.submissions.decisions import (
    Claim,
    decide,
    evidence_of,
    find_claim,
    pay_click_points,
)
from backend.submissions.tables import Submission


class RetryLater(Exception):
    """A transient failure: the job should run again after `defer` seconds."""

    def __init__(self, defer: float, why: str) -> None:
        super().__init__(why)
        self.defer = defer


async def _link_evidence(claim: Claim) -> tuple[str | None, list[dict[str, Any]], bool]:
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
        found.append(evidence_of("link", False, "No tracked link was made for this network."))
        return None, found, False
    bot = link["first_bot_name"]
    if link["first_bot_at"] and bot_network(bot) == claim.network:
        positive = True
        found.append(evidence_of("preview_bot", True, f"{bot} fetched the tracked link."))
    else:
        found.append(evidence_of("preview_bot", False, "No preview bot of this network came by."))
    if await _has_unique_click(claim):
        positive = True
        found.append(evidence_of("clicks", True, "Someone else clicked the tracked link."))
    else:
        found.append(evidence_of("clicks", False, "No unique click on the tracked link yet."))
    return link["code"], found, positive


async def _has_unique_click(claim: Claim) -> bool:
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
    claim = await find_claim(submission_id)
    if claim is None:
        return "gone"
    if claim.status != "pending":
        return f"already {claim.status}"
    if claim.policy == "trust":
        points = claim.points * settings.trust_points_percent // 100
        detail = f"Trusted at {settings.trust_points_percent}% of the points."
        return await decide(claim.id, "verified", points, [evidence_of("trust", True, detail)])
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
            evidence.append(evidence_of("post", False, post_detail))
        else:
            evidence.append(evidence_of("post", post.outcome == "link_found", post.detail))
    outcome = post.outcome if post else None
    # Only the tracked link in the post itself pays: a hashtag, a click or a preview bot's
    # visit is a hint an admin weighs in the review queue, never a payment on its own.
    if outcome == "link_found":
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
        claim = await find_claim(row["id"])
        if claim is not None and claim.policy == "clicks":
            _, evidence, _ = await _link_evidence(claim)
            await decide(claim.id, "verified", claim.points, evidence)
        return
    if row["status"] == "verified":
        async with DB.transaction():
            claim = await find_claim(row["id"], lock=True)
            awarded = await pay_click_points(claim) if claim and claim.status == "verified" else []
        await events.points_awarded(awarded)


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
            [evidence_of("clicks", False, "No one clicked the link before the challenge ended.")],
            "No click arrived before the challenge ended; an admin will look at it.",
        )
    return len(rows)
