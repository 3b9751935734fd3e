"""A submission's decision: its new status and its points, written together and at most once.

Points for a share are written only here (and taken back only by `review.revoke`), only as
ledger rows with idempotency keys, in the same transaction as the submission's new status; and
the status changes only from the state the decision was made in (`WHERE status = 'pending'`):
a job run twice, or two workers racing, award once. Events are published after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec

from backend import events
from backend.core import clock
from backend.db import DB
from backend.points.service import LedgerEntry, append
from backend.sharing.tables import Click
from backend.submissions.tables import Submission

log = logging.getLogger("chorus.submissions")


@dataclass(frozen=True, slots=True)
class Claim:
    """A submission with what deciding it takes: its challenge's policy and points, the team."""

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


async def find_claim(submission_id: UUID, *, lock: bool = False) -> Claim | None:
    """The submission's claim, None if it is gone; `lock` holds its row for the transaction."""
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
    return Claim(
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


def evidence_of(source: str, found: bool, detail: str) -> dict[str, Any]:
    """One entry of a submission's evidence log: its source, whether it found the share, why."""
    return {"source": source, "found": found, "detail": detail, "at": clock.now().isoformat()}


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
        found = await find_claim(submission_id, lock=True)
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
            awarded += await pay_click_points(claim)
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


async def pay_click_points(claim: Claim) -> list[events.PointsAwarded]:
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
