"""The profile on the wire (GET /api/v1/me)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from backend.core.wire import Wire
from backend.orgs.schemas import RoleName, TeamRef


class MeRead(Wire):
    id: UUID
    email: str
    display_name: str
    role: RoleName
    org_id: UUID
    org_name: str
    team: TeamRef | None
    timezone: str
    language: str | None  # a BCP 47 tag the person chose; null: the browser's language
    hide_from_leaderboards: bool
    leads_team_ids: list[UUID]
    points: int  # earned: what boards, levels and badges count
    balance: int  # points earned minus points spent on rewards (backend/rewards)
    level: int
    next_level_points: int | None  # total points at which the next level starts
    streak_weeks: int
    streak_freezes: int  # missed weeks the streak survives, earned every 4 active weeks
    badges: list[str]


class DayPoints(Wire):
    date: date  # a day in the person's time zone
    points: int  # net points of that day (a take-back counts negative)


class MyPoints(Wire):
    """The caller's points day by day over the last `days` days (every day listed, zeros too),
    in their own time zone, from the ledger."""

    days: int
    timezone: str
    total: int  # all-time points
    in_range: int  # points within these days
    series: list[DayPoints]
