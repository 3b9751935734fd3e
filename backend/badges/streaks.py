"""Weekly streaks: consecutive ISO weeks, in the person's timezone, with a verified action.

Burnout-safe by design: a week, not a day, is the unit; every 4 consecutive active weeks earn a
freeze (at most 2 held), and a missed week spends one by itself. The week under way never
breaks a streak — there is still time. Computed from the ledger on read, so there is no state
to drift and a clock in tests drives it completely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from backend.core import clock
from backend.points.tables import PointsLedger

FREEZE_EVERY = 4
MAX_FREEZES = 2
# What counts as a verified action in a week.
ACTIVE_REASONS = ("share_verified",)


@dataclass(frozen=True, slots=True)
class Streak:
    weeks: int
    freezes: int
    active_this_week: bool


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def streak_from(active_weeks: set[date], current_week: date) -> Streak:
    """The streak as of `current_week`, from the Mondays of the weeks with an action."""
    if not active_weeks:
        return Streak(0, 0, False)
    weeks = freezes = run = 0
    week = min(active_weeks)
    while week <= current_week:
        if week in active_weeks:
            weeks += 1
            run += 1
            if run % FREEZE_EVERY == 0 and freezes < MAX_FREEZES:
                freezes += 1
        elif week == current_week:
            pass  # the week is not over: nothing is missed yet
        elif freezes > 0:
            freezes -= 1  # a missed week spends a freeze; the streak holds
            run = 0
        else:
            weeks = run = 0
        week += timedelta(days=7)
    return Streak(weeks, freezes, current_week in active_weeks)


async def streak_for(user_id: UUID, timezone: str, at: datetime | None = None) -> Streak:
    zone = ZoneInfo(timezone)
    now = (at or clock.now()).astimezone(zone)
    # Verified shares count in the week they were verified, unless revoked since.
    rows = await PointsLedger.raw(
        "SELECT DISTINCT date_trunc('week', l.created_at AT TIME ZONE {})::date AS monday "
        'FROM points_ledger l WHERE l."user" = {} AND l.reason = ANY({}) AND l.delta > 0 '
        "AND NOT EXISTS (SELECT 1 FROM points_ledger r "
        "WHERE r.idempotency_key = 'revoke:' || l.submission::text)",
        timezone,
        user_id,
        list(ACTIVE_REASONS),
    )
    return streak_from({row["monday"] for row in rows}, week_start(now.date()))
