"""Wire types of push subscriptions, preferences and the inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from backend.core.wire import Wire

CATEGORIES = (
    "challenge",  # a new challenge for me
    "verification",  # my share was verified or rejected
    "badge",
    "level",
    "team",  # my team reached its goal
    "streak",  # my weekly streak is at risk
    "leaderboard",  # someone passed me on this week's board
    "recap",  # the weekly recap
    "digest",  # what the budget held back today
    "nudge",  # a friendly reminder from my team lead
    "community",  # my story approved or featured, kudos for me
    "reward",  # my reward redemption fulfilled or refused
)
Hour = Annotated[int, msgspec.Meta(ge=0, le=23)]


class SubscriptionKeys(Wire):
    p256dh: Annotated[str, msgspec.Meta(min_length=20, max_length=200)]
    auth: Annotated[str, msgspec.Meta(min_length=8, max_length=100)]


class SubscriptionCreate(msgspec.Struct, kw_only=True):
    """A browser's PushSubscription.toJSON(), as it comes (plain keys, extra fields ignored)."""

    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=2048)]
    keys: SubscriptionKeys
    expirationTime: int | float | None = None  # noqa: N815 - the browser's own name


class PublicKeyRead(Wire):
    public_key: str


class PreferencesBody(Wire):
    categories: dict[str, bool]
    quiet_start: Hour | None = None  # local hour quiet hours begin (e.g. 22)
    quiet_end: Hour | None = None  # local hour they end (e.g. 7)
    daily_cap: Annotated[int, msgspec.Meta(ge=0, le=50)] = 3


class NotificationRead(Wire):
    id: UUID
    category: str
    title: str
    body: str
    url: str
    pushed: bool
    held_reason: str | None
    created_at: datetime
    read_at: datetime | None
