"""The admins' review queue: approving, rejecting and revoking share submissions.

Approving and rejecting go through `decisions.decide`, so each applies once. Revoking takes back
what the ledger paid for the share with one compensating row (`revoke:<submission>`), under the
submission's lock: nothing is deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from backend import events
from backend.core.errors import Conflict, NotFound
from backend.core.i18n import Message, msg, render
from backend.core.identity import CurrentUser
from backend.core.wire import Page, created_at_cursor, decode_cursor
from backend.db import DB
from backend.points.service import LedgerEntry, append
from backend.submissions.claiming import get_submission
from backend.submissions.decisions import Claim, decide, evidence_of, find_claim
from backend.submissions.schemas import BulkReviewResult, ReviewItem, SubmissionRead
from backend.submissions.tables import Submission


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


# Why a decision cannot be made, by the submission's status (whole sentences)
_CANNOT_APPROVE: dict[str, Message] = {
    "pending": msg("This submission is pending; it cannot be approved."),
    "needs_review": msg("This submission is needs_review; it cannot be approved."),
    "rejected": msg("This submission is rejected; it cannot be approved."),
    "revoked": msg("This submission is revoked; it cannot be approved."),
}
_CANNOT_REJECT: dict[str, Message] = {
    "pending": msg("This submission is pending; it cannot be rejected."),
    "needs_review": msg("This submission is needs_review; it cannot be rejected."),
    "verified": msg("This submission is verified; revoke it instead."),
    "revoked": msg("This submission is revoked; it cannot be rejected."),
}
_ALREADY: dict[str, Message] = {
    "approved": msg("It was already approved."),
    "rejected": msg("It was already rejected."),
}


async def _in_org(actor: CurrentUser, submission_id: UUID) -> Claim:
    claim = await find_claim(submission_id)
    if claim is None or claim.org_id != actor.org_id:
        raise NotFound(msg("No such submission in your organization."))
    return claim


async def approve(actor: CurrentUser, submission_id: UUID, note: str | None) -> SubmissionRead:
    claim = await _in_org(actor, submission_id)
    newer = await Submission.raw(
        'SELECT 1 FROM submission s JOIN submission mine ON mine.id = {} WHERE s."user" = '
        'mine."user" AND s.challenge = mine.challenge AND s.attempt > mine.attempt LIMIT 1',
        claim.id,
    )
    if newer:
        raise Conflict(msg("This share was sent again since; decide the newest try instead."))
    result = await decide(
        claim.id,
        "verified",
        claim.points,
        [evidence_of("admin", True, f"Approved by {actor.display_name}.")],
        from_statuses=("pending", "needs_review", "rejected"),
        reviewer=actor.id,
        note=note,
    )
    if result.startswith("already") and claim.status != "verified":
        raise Conflict(_CANNOT_APPROVE[claim.status])
    return await get_submission(actor, submission_id)


async def reject(actor: CurrentUser, submission_id: UUID, note: str | None) -> SubmissionRead:
    claim = await _in_org(actor, submission_id)
    result = await decide(
        claim.id,
        "rejected",
        0,
        [evidence_of("admin", False, f"Rejected by {actor.display_name}.")],
        note or str(msg("Rejected by an admin.")),  # stored in English, read translated
        from_statuses=("pending", "needs_review"),
        reviewer=actor.id,
        note=note,
    )
    if result.startswith("already") and claim.status != "rejected":
        raise Conflict(_CANNOT_REJECT[claim.status])
    return await get_submission(actor, submission_id)


async def decide_many(
    actor: CurrentUser,
    ids: list[UUID],
    action: Literal["approve", "reject"],
    note: str | None,
    language: str | None = None,
) -> list[BulkReviewResult]:
    """Each id decided by `approve` or `reject`, in order, as if one by one (so points, boards
    and badges follow the same path); one that is already decided that way is "skipped", its
    `detail` said in `language` (the request's)."""
    done: Literal["approved", "rejected"] = "approved" if action == "approve" else "rejected"
    target = "verified" if action == "approve" else "rejected"
    results: list[BulkReviewResult] = []
    for submission_id in dict.fromkeys(ids):
        claim = await find_claim(submission_id)
        if claim is None or claim.org_id != actor.org_id:
            results.append(BulkReviewResult(id=submission_id, status="not_found"))
            continue
        if claim.status == target:
            results.append(
                BulkReviewResult(
                    id=submission_id, status="skipped", detail=render(_ALREADY[done], language)
                )
            )
            continue
        try:
            if action == "approve":
                await approve(actor, submission_id, note)
            else:
                await reject(actor, submission_id, note)
        except NotFound:
            results.append(BulkReviewResult(id=submission_id, status="not_found"))
        except Conflict as exc:
            results.append(
                BulkReviewResult(
                    id=submission_id, status="skipped", detail=str(render(exc.message, language))
                )
            )
        else:
            results.append(BulkReviewResult(id=submission_id, status=done))
    return results


async def revoke(actor: CurrentUser, submission_id: UUID, note: str | None) -> SubmissionRead:
    """Take back a verified share's points with compensating rows; nothing is deleted."""
    claim = await _in_org(actor, submission_id)
    async with DB.transaction():
        locked = await find_claim(submission_id, lock=True)
        if locked is None or locked.status not in ("verified", "revoked"):
            raise Conflict(msg("Only a verified submission can be revoked."))
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
                    [evidence_of("admin", False, f"Revoked by {actor.display_name}.")]
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
