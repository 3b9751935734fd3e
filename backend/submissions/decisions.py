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
from backend.badges import service as badges
from backend.core import clock
from backend.db import DB, fetch
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


def claim_of(r: dict[str, Any]) -> Claim:
    """A claim from a row of the submission joined with its challenge and person."""
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
    return claim_of(rows[0])


def evidence_of(source: str, found: bool, detail: str) -> dict[str, Any]:
    """One entry of a submission's evidence log: its source, whether it found the share, why."""
    return {"source": source, "found": found, "detail": detail, "at": clock.now().isoformat()}


# The decision itself: the status changes only from a state the decision was made in (a
# concurrent decision is waited for, then the condition is checked again on its outcome), and
# the person's lock (`notify`'s) and, for a share on a team goal, the team's are taken for what
# the decision derives (backend/badges/service.py `derive`).
_DECIDE = """
UPDATE submission s SET status = $1, reason = $3,
  points_awarded = $2 + CASE WHEN $1 = 'verified' AND coalesce($10::boolean, s.own_words)
    THEN c.own_words_points ELSE 0 END,
  evidence = s.evidence || $4::jsonb, checks = s.checks + 1, updated_at = now(),
  decided_at = now(), reviewed_by = coalesce($5, s.reviewed_by),
  review_note = coalesce($6, s.review_note), post_text = coalesce($9, s.post_text),
  post_text_at = CASE WHEN $9::text IS NULL THEN s.post_text_at ELSE now() END,
  own_words = coalesce($10::boolean, s.own_words)
FROM challenge c, app_user u
WHERE s.id = $7 AND s.status = ANY($8::text[]) AND c.id = s.challenge AND u.id = s."user"
RETURNING s.org, s."user", s.challenge, c.click_points, c.click_points_cap, u.team, u.timezone,
  CASE WHEN s.own_words THEN c.own_words_points ELSE 0 END AS own_words_points,
  (SELECT 1 FROM pg_advisory_xact_lock(hashtext(s."user"::text))) AS person_locked,
  CASE WHEN $1 = 'verified' AND u.team IS NOT NULL AND c.team_goal_shares > 0 THEN
    (SELECT 1 FROM pg_advisory_xact_lock(
      hashtext('team_goal'), hashtext(c.id::text || u.team::text)))
  END AS team_locked
"""

# The share's row, its own-words row (`own_words.py`) and its unpaid unique clicks up to the
# cap, in one statement (the ledger's shared lock as `points.service.append` takes it; a key
# already written is skipped).
_PAY = """
WITH ledger_lock AS (
  SELECT pg_advisory_xact_lock_shared(hashtext('points_ledger'), hashtext($1::uuid::text))
), paid AS (
  SELECT coalesce(sum(delta), 0) AS paid FROM points_ledger
  WHERE submission = $5 AND reason = 'click'
), unpaid AS (
  SELECT k.id, row_number() OVER (ORDER BY k.at, k.id) AS n FROM click k
  WHERE $7::integer > 0 AND k.challenge = $4 AND k.sharer = $2 AND k.kind = 'unique'
  AND NOT EXISTS (SELECT 1 FROM points_ledger p WHERE p.idempotency_key = 'click:' || k.id::text)
), due AS (
  SELECT $6::integer AS delta, 'share_verified' AS reason, NULL::uuid AS click,
    'share:' || $5::uuid::text AS key, 0::bigint AS n
  UNION ALL
  SELECT $9::integer, 'own_words', NULL::uuid, 'own_words:' || $5::uuid::text, 0::bigint
  UNION ALL
  SELECT $7::integer, 'click', u.id, 'click:' || u.id::text, u.n FROM unpaid u, paid
  WHERE u.n <= ($8::integer - paid.paid) / nullif($7::integer, 0)
)
INSERT INTO points_ledger (
  org, "user", team, delta, reason, challenge, submission, click, idempotency_key
)
SELECT $1::uuid, $2::uuid, $3::uuid, d.delta, d.reason, $4::uuid, $5::uuid, d.click, d.key
FROM due d, ledger_lock
WHERE d.delta <> 0 ORDER BY d.n
ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, created_at, delta, reason
"""


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
    post_text: str | None = None,
    own_words: bool | None = None,
) -> str:
    """Move a submission to `status` and write its points, atomically and at most once; what
    it earns (badges, team goal, level) and the person's notices are written in the same
    transaction, and announced after the commit. `post_text` and `own_words` keep what
    reading the post showed (None keeps what is stored); a verified share judged in its
    author's own words also earns its challenge's own-words points."""
    points = points if status == "verified" else 0
    async with DB.transaction():
        rows = await fetch(
            _DECIDE,
            status,
            points,
            reason,
            msgspec.json.encode(evidence).decode(),
            reviewer,
            note,
            submission_id,
            list(from_statuses),
            post_text,
            own_words,
        )
        if not rows:
            now = await fetch("SELECT status FROM submission WHERE id = $1", submission_id)
            return f"already {now[0]['status']}" if now else "gone"
        r = rows[0]
        awarded: list[events.PointsAwarded] = []
        if status == "verified":
            paid = await fetch(
                _PAY,
                r["org"],
                r["user"],
                r["team"],
                r["challenge"],
                submission_id,
                points,
                r["click_points"],
                r["click_points_cap"],
                r["own_words_points"],
            )
            awarded = [
                events.PointsAwarded(
                    org_id=r["org"],
                    user_id=r["user"],
                    team_id=r["team"],
                    delta=int(p["delta"]),
                    reason=p["reason"],
                    challenge_id=r["challenge"],
                    submission_id=submission_id,
                    ledger_id=int(p["id"]),
                    at=p["created_at"],
                )
                for p in sorted(paid, key=lambda p: (p["reason"] != "share_verified", p["id"]))
            ]
        verdict = events.UserNotice(
            org_id=r["org"],
            user_id=r["user"],
            kind="submission",
            data={
                "id": str(submission_id),
                "challengeId": str(r["challenge"]),
                "status": status,
                "pointsAwarded": points + (r["own_words_points"] if status == "verified" else 0),
                "reason": reason,
            },
        )
        person = badges.Person(r["user"], r["org"], r["team"], r["timezone"])
        derived = await badges.derive(person, awarded, [verdict])
    await derived.publish(awarded)
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
