"""Domain events, published in-process after the transaction that caused them commits.

`points_awarded` is the one place awards announce themselves: leaderboards, badges and push
notifications subscribe here instead of being called from every place that awards points.
A subscriber's failure is logged and never undoes the award: the ledger is the truth, and what
subscribers derive from it can be rebuilt.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

log = logging.getLogger("chorus.events")


@dataclass(frozen=True, slots=True)
class PointsAwarded:
    """One ledger row was written (delta may be negative: a revocation)."""

    org_id: UUID
    user_id: UUID
    team_id: UUID | None
    delta: int
    reason: str
    challenge_id: UUID | None
    submission_id: UUID | None
    ledger_id: int
    at: datetime


Subscriber = Callable[[PointsAwarded], Awaitable[None]]
_subscribers: list[Subscriber] = []


def on_points_awarded(subscriber: Subscriber) -> Subscriber:
    """Register a subscriber (usable as a decorator); registering twice has no effect."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def remove_subscriber(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


async def points_awarded(events: list[PointsAwarded]) -> None:
    for event in events:
        for subscriber in list(_subscribers):
            try:
                await subscriber(event)
            except Exception:
                log.exception("points_awarded subscriber %r failed", subscriber)


@dataclass(frozen=True, slots=True)
class UserNotice:
    """Something one person should see live: their submission decided, a badge earned."""

    org_id: UUID
    user_id: UUID
    kind: str  # "submission" | "badge"
    data: dict[str, object]


NoticeSubscriber = Callable[[UserNotice], Awaitable[None]]
_notice_subscribers: list[NoticeSubscriber] = []


def on_user_notice(subscriber: NoticeSubscriber) -> NoticeSubscriber:
    if subscriber not in _notice_subscribers:
        _notice_subscribers.append(subscriber)
    return subscriber


def remove_notice_subscriber(subscriber: NoticeSubscriber) -> None:
    if subscriber in _notice_subscribers:
        _notice_subscribers.remove(subscriber)


async def user_notice(notice: UserNotice) -> None:
    for subscriber in list(_notice_subscribers):
        try:
            await subscriber(notice)
        except Exception:
            log.exception("user notice subscriber %r failed", subscriber)
