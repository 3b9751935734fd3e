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
from backend.core.i18n import msg
from backend.db import DB, fetch
from backend.fetch.client import SafeFetcher
from backend.settings import Settings
from backend.sharing.bots import bot_network
from backend.sharing.tables import Click, ShareLink
from backend.submissions.checks import check_post
from backend.submissions.decisions import (
    Claim,
    claim_of,
    decide,
    evidence_of,
    find_claim,
    pay_click_points,
)
from backend.submissions.own_words import CLAIM_COLUMNS, decide_found_post
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
    if link is None:
        return _evidence(claim, None, False)
    return _evidence(claim, link, await _has_unique_click(claim))


# The claim, the caller's tracked link for its network and whether anyone else clicked it, in
# one read (the worker's first, before it reads the post itself), with what judging the post's
# words takes (own_words.CLAIM_COLUMNS).
_CLAIM_WITH_LINK = f"""
SELECT s.id, s.org, s."user", s.challenge, s.network, s.post_url, s.status, {CLAIM_COLUMNS},
  CASE WHEN c.kind = 'story' THEN 'auto' ELSE c.verification END AS verification,
  c.points, c.click_points, c.click_points_cap, c.hashtags, u.team,
  l.code, l.first_bot_at, l.first_bot_name,
  EXISTS (SELECT 1 FROM click k WHERE k.sharer = s."user" AND k.challenge = s.challenge
    AND k.kind = 'unique') AS clicked
FROM submission s JOIN challenge c ON c.id = s.challenge JOIN app_user u ON u.id = s."user"
LEFT JOIN share_link l ON l."user" = s."user" AND l.challenge = s.challenge
  AND l.network = s.network
WHERE s.id = $1
"""  # noqa: S608 (constants)


def _evidence(
    claim: Claim, link: Any, clicked: bool
) -> tuple[str | None, list[dict[str, Any]], bool]:
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
    if clicked:
        positive = True
        found.append(evidence_of("clicks", True, "Someone else clicked the tracked link."))
    else:
        found.append(evidence_of("clicks", False, "No unique click on the tracked link yet."))
    return link["code"], found, positive


async def _claim_with_link(submission_id: UUID) -> tuple[Claim, Any, bool] | None:
    rows = await fetch(_CLAIM_WITH_LINK, submission_id)
    if not rows:
        return None
    r = rows[0]
    claim = claim_of(r)
    return claim, (r if r["code"] is not None else None), bool(r["clicked"])


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
    found = await _claim_with_link(submission_id)
    if found is None:
        return "gone"
    claim, link, clicked = found
    if claim.status != "pending":
        return f"already {claim.status}"
    if claim.policy == "trust":
        points = claim.points * settings.trust_points_percent // 100
        detail = f"Trusted at {settings.trust_points_percent}% of the points."
        return await decide(claim.id, "verified", points, [evidence_of("trust", True, detail)])
    code, evidence, positive = _evidence(claim, link, clicked)
    if claim.policy == "review":
        return await decide(
            claim.id, "needs_review", 0, evidence, str(msg("Waiting for an admin's review."))
        )
    if claim.policy == "clicks":
        if clicked:
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
    if outcome == "link_found" and post is not None:
        return await decide_found_post(
            claim, link, post.text, evidence, settings, tracked_url=f"/s/{code}"
        )
    if outcome == "not_found" and not positive:
        return await decide(
            claim.id,
            "rejected",
            0,
            evidence,
            # stored in English, read in each reader's language (backend/core/i18n.py Known)
            str(msg("The post could not be found at that address: is it public?")),
        )
    return await decide(
        claim.id,
        "needs_review",
        0,
        evidence,
        str(msg("Chorus could not confirm this share by itself; an admin will look at it.")),
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
