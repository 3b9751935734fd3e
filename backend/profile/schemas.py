"""The profile on the wire (GET /api/v1/me)."""

from __future__ import annotations

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
    hide_from_leaderboards: bool
    leads_team_ids: list[UUID]
    points: int
    level: int
    next_level_points: int | None  # total points at which the next level starts
    streak_weeks: int
    streak_freezes: int  # missed weeks the streak survives, earned every 4 active weeks
    badges: list[str]
