"""Wire types of office walls: the admin's (create, list) and the wall's own public answer.

The public answer names people only as the organization's boards already show them to
colleagues, and never anyone who hides from boards; it carries no user id, no email: each row
has an opaque `key` (a keyed hash, stable for one wall) so the page can follow rows that move.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.core.wire import Wire

WallPeriod = Literal["week", "month", "all"]


class WallCreate(Wire):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    team_id: UUID | None = None
    period: WallPeriod = "week"


class WallIssued(Wire):
    id: UUID
    name: str
    url: str  # shown once: only a keyed hash of its secret is stored
    team_id: UUID | None
    period: WallPeriod
    created_at: datetime


class WallRead(Wire):
    id: UUID
    name: str
    team_id: UUID | None
    team_name: str | None
    period: WallPeriod
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None


class WallPerson(Wire):
    key: str
    rank: int  # competition rank among the people the wall shows
    display_name: str
    initials: str
    colour: int
    team_name: str | None
    points: int


class WallTeam(Wire):
    key: str
    rank: int
    name: str
    points: int
    members: int


class WallStory(Wire):
    title: str
    excerpt: str
    author_first_name: str
    photo_url: str | None


class WallShare(Wire):
    key: str
    display_name: str
    team_name: str | None
    network: str
    challenge_title: str
    verified_at: datetime


class WallData(Wire):
    org_name: str
    wall_name: str
    team_name: str | None  # the team whose board this wall shows; None: the whole organization
    period: WallPeriod
    period_id: str
    board: list[WallPerson]
    teams: list[WallTeam]
    story: WallStory | None
    shares: list[WallShare]
    generated_at: datetime
