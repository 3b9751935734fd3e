"""Engagement analytics: the public reactions and comments of verified shares per challenge,
pillar and team, and the employee-vs-official engagement ratio.

The counts are what the latest re-read of each post stored (backend/submissions/engagement.py;
official posts: official_engagement.py). A share counts in the range its claim was made in, as
in impact analytics; a share whose network shows no counts (X) counts as verified but not as
read, so it never drags an average down with a zero it did not have. The ratio is the average
engagement per employee post read over the average per official post read (official posts
registered before the range's end), None when either side has nothing read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from backend.analytics.measures import day_range, ratio
from backend.analytics.schemas import (
    ChallengeEngagement,
    EngagementComparison,
    EngagementMetrics,
    EngagementRead,
    PillarEngagement,
    TeamEngagement,
)
from backend.db import fetch


@dataclass
class _Tally:
    verified: int = 0
    read: int = 0
    reactions: int = 0
    comments: int = 0

    def metrics(self) -> dict[str, Any]:
        engagement = self.reactions + self.comments
        return {
            "shares_verified": self.verified,
            "shares_read": self.read,
            "reactions": self.reactions,
            "comments": self.comments,
            "engagement": engagement,
            "engagement_per_share": ratio(engagement, self.read, 2),
        }


_SHARES = """
SELECT s.challenge, c.title, c.pillar, p.title AS pillar_title, u.team, t.name AS team_name,
  count(*) AS verified,
  count(*) FILTER (WHERE s.reactions IS NOT NULL OR s.comments IS NOT NULL) AS read,
  coalesce(sum(s.reactions), 0) AS reactions, coalesce(sum(s.comments), 0) AS comments
FROM submission s JOIN challenge c ON c.id = s.challenge JOIN app_user u ON u.id = s."user"
LEFT JOIN pillar p ON p.id = c.pillar LEFT JOIN team t ON t.id = u.team
WHERE s.org = $1 AND s.status = 'verified' AND s.created_at >= $2 AND s.created_at < $3
GROUP BY s.challenge, c.title, c.pillar, p.title, u.team, t.name
"""

_OFFICIAL = """
SELECT count(*) AS read,
  coalesce(sum(coalesce(reactions, 0) + coalesce(comments, 0)), 0) AS engagement
FROM official_link
WHERE org = $1 AND created_at < $2 AND (reactions IS NOT NULL OR comments IS NOT NULL)
"""


async def engagement(org_id: UUID, first: date | None, last: date | None) -> EngagementRead:
    """Reactions and comments of verified shares per challenge, pillar and team, and the ratio."""
    span = await day_range(org_id, first, last)
    rows = await fetch(_SHARES, org_id, span.start, span.end)
    total = _Tally()
    by_challenge: dict[UUID, _Tally] = defaultdict(_Tally)
    by_pillar: dict[UUID | None, _Tally] = defaultdict(_Tally)
    by_team: dict[UUID | None, _Tally] = defaultdict(_Tally)
    titles: dict[UUID, str] = {}
    pillars: dict[UUID | None, str] = {None: "No pillar"}
    teams: dict[UUID | None, str] = {None: "No team"}
    for r in rows:
        titles[r["challenge"]] = r["title"]
        if r["pillar"] is not None:
            pillars[r["pillar"]] = r["pillar_title"]
        if r["team"] is not None:
            teams[r["team"]] = r["team_name"]
        for tally in (
            total,
            by_challenge[r["challenge"]],
            by_pillar[r["pillar"]],
            by_team[r["team"]],
        ):
            tally.verified += int(r["verified"])
            tally.read += int(r["read"])
            tally.reactions += int(r["reactions"])
            tally.comments += int(r["comments"])
    official = (await fetch(_OFFICIAL, org_id, span.end))[0]
    per_employee = ratio(total.reactions + total.comments, total.read, 2)
    per_official = ratio(int(official["engagement"]), int(official["read"]), 2)

    def order(m: EngagementMetrics) -> tuple[int, int]:
        return (-m.engagement, -m.shares_verified)

    return EngagementRead(
        from_date=span.first,
        to_date=span.last,
        timezone=span.timezone,
        totals=EngagementMetrics(**total.metrics()),
        by_challenge=sorted(
            (
                ChallengeEngagement(challenge_id=cid, title=titles[cid], **t.metrics())
                for cid, t in by_challenge.items()
            ),
            key=lambda m: (*order(m), m.title),
        ),
        by_pillar=sorted(
            (
                PillarEngagement(pillar_id=pid, title=pillars[pid], **t.metrics())
                for pid, t in by_pillar.items()
            ),
            key=lambda m: (*order(m), m.title),
        ),
        by_team=sorted(
            (
                TeamEngagement(team_id=tid, name=teams[tid], **t.metrics())
                for tid, t in by_team.items()
            ),
            key=lambda m: (*order(m), m.name),
        ),
        comparison=EngagementComparison(
            employee_posts_read=total.read,
            engagement_per_employee_post=per_employee,
            official_posts_read=int(official["read"]),
            engagement_per_official_post=per_official,
            ratio=(
                round(per_employee / per_official, 2)
                if per_employee is not None and per_official
                else None
            ),
        ),
    )
