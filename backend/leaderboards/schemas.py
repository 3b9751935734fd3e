"""Wire types of leaderboards."""

from __future__ import annotations

from uuid import UUID

from backend.core.wire import Wire


class UserEntry(Wire):
    rank: int
    user_id: UUID | None  # None for someone who hides from leaderboards (to others)
    display_name: str
    team_name: str | None
    points: int
    is_me: bool
    # places moved since the end of yesterday (org time) on this board: up > 0, same 0; None
    # when not on it yesterday, or when the board has no yesterday (its period began today, or
    # is closed: lastWeek, lastMonth)
    movement: int | None
    initials: str  # 1-2 letters of the name; "?" for someone hidden
    # avatar colour 0-11 from a hash of the user id (the same on every board and process); a
    # fixed 0 for someone hidden, so the colour cannot tell who they are
    colour: int


class MyRank(Wire):
    rank: int
    points: int


class UsersBoard(Wire):
    period: str
    period_id: str
    total: int
    entries: list[UserEntry]
    me: MyRank | None
    around: list[UserEntry]


class TeamEntry(Wire):
    rank: int | None  # None for teams too small to rank per capita
    team_id: UUID
    name: str
    points: float  # total points, or points per member for the perCapita metric
    members: int
    total_points: int


class TeamsBoard(Wire):
    period: str
    period_id: str
    metric: str
    entries: list[TeamEntry]
    unranked: list[TeamEntry]
    min_team_size: int
