"""Team goals: a challenge's collective target ("our team: 20 verified shares").

Progress is counted from the ledger (verified shares, not revoked, by the team the sharer was in
when verified). When a team reaches the target, every member who contributed gets the bonus,
once: each bonus is a ledger row keyed `teamgoal:<challenge>:<team>:<user>`, so concurrent
verifications crossing the line together pay each person once — and whoever contributes later
is paid when their share is verified.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from backend import events
from backend.challenges.service import visible_challenge
from backend.core.identity import CurrentUser
from backend.core.wire import Wire
from backend.db import DB
from backend.points.service import LedgerEntry, append
from backend.points.tables import PointsLedger

log = logging.getLogger("chorus.team_goals")

_COUNTED = (
    "FROM points_ledger l WHERE l.challenge = {} AND l.reason = 'share_verified' "
    "AND l.team IS NOT NULL AND NOT EXISTS (SELECT 1 FROM points_ledger r "
    "WHERE r.idempotency_key = 'revoke:' || l.submission::text)"
)


class TeamProgress(Wire):
    team_id: UUID
    name: str
    verified_shares: int
    reached: bool


class TeamGoalRead(Wire):
    target: int
    bonus: int
    teams: list[TeamProgress]


async def progress(user: CurrentUser, challenge_id: UUID) -> TeamGoalRead | None:
    """Every team's progress toward the challenge's goal (None: the challenge has no goal)."""
    challenge = await visible_challenge(user, challenge_id)
    target = challenge["team_goal_shares"]
    if not target:
        return None
    rows = await PointsLedger.raw(  # the f-string adds a constant; values are parameters
        "SELECT t.id, t.name, coalesce(c.n, 0) AS n FROM team t LEFT JOIN "  # noqa: S608
        f"(SELECT l.team, count(DISTINCT l.submission) AS n {_COUNTED} GROUP BY l.team) c "
        "ON c.team = t.id WHERE t.org = {} ORDER BY coalesce(c.n, 0) DESC, t.name",
        challenge_id,
        user.org_id,
    )
    return TeamGoalRead(
        target=target,
        bonus=challenge["team_goal_bonus"],
        teams=[
            TeamProgress(
                team_id=r["id"],
                name=r["name"],
                verified_shares=int(r["n"]),
                reached=int(r["n"]) >= target,
            )
            for r in rows
        ],
    )


async def on_share_verified(event: events.PointsAwarded) -> None:
    """A verified share may complete its team's goal: pay the contributors not yet paid."""
    if event.reason != "share_verified" or not event.challenge_id or not event.team_id:
        return
    goal: list[dict[str, Any]] = await PointsLedger.raw(
        "SELECT team_goal_shares, team_goal_bonus FROM challenge WHERE id = {}",
        event.challenge_id,
    )
    if not goal or not goal[0]["team_goal_shares"] or goal[0]["team_goal_bonus"] <= 0:
        return
    contributors = await PointsLedger.raw(
        f'SELECT DISTINCT l."user" {_COUNTED} AND l.team = {{}}',
        event.challenge_id,
        event.team_id,
    )
    if len(contributors) < goal[0]["team_goal_shares"]:
        return
    async with DB.transaction():
        awarded = await append(
            [
                LedgerEntry(
                    org_id=event.org_id,
                    user_id=row["user"],
                    team_id=event.team_id,
                    delta=goal[0]["team_goal_bonus"],
                    reason="team_goal",
                    idempotency_key=f"teamgoal:{event.challenge_id}:{event.team_id}:{row['user']}",
                    challenge_id=event.challenge_id,
                )
                for row in contributors
            ]
        )
    await events.points_awarded(awarded)
    for award in awarded:
        await events.user_notice(
            events.UserNotice(
                org_id=award.org_id,
                user_id=award.user_id,
                kind="team_goal",
                data={"challengeId": str(event.challenge_id), "bonus": award.delta},
            )
        )
    if awarded:
        log.info("team goal reached", extra={"team": str(event.team_id), "paid": len(awarded)})
