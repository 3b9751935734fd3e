"""Wire types of badges."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.core.wire import Wire

RuleType = Literal[
    "first_share",
    "shares_count",
    "unique_clicks",
    "points",
    "networks_used",
    "challenge_completed",
    "pillar_champion",
    "streak_weeks",
    "period_winner",
    "story_teller",  # reserved: awarded once story challenges exist
    "learner",  # lessons passed (threshold: how many)
]
Icon = Literal[
    "spark",
    "megaphone",
    "amplifier",
    "ripple",
    "crowd",
    "star",
    "crown",
    "globe",
    "flag",
    "pillar",
    "flame",
]


class BadgeRule(Wire):
    type: RuleType
    threshold: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 1
    challenge_id: UUID | None = None
    pillar_id: UUID | None = None
    period: Literal["week", "month"] | None = None  # period_winner: top `threshold` of which


class BadgeCreate(Wire):
    code: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    icon: Icon
    rule: BadgeRule
    description: Annotated[str, msgspec.Meta(max_length=300)] = ""
    points: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0


class BadgeUpdate(Wire):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=60)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    description: Annotated[str, msgspec.Meta(max_length=300)] | msgspec.UnsetType = msgspec.UNSET
    icon: Icon | msgspec.UnsetType = msgspec.UNSET
    points: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | msgspec.UnsetType = msgspec.UNSET


class Progress(Wire):
    current: int
    target: int


class BadgeRead(Wire):
    id: UUID
    code: str
    name: str
    description: str
    icon: str
    icon_url: str
    rule: BadgeRule
    points: int
    earned_at: datetime | None
    retired: bool
    progress: Progress | None
