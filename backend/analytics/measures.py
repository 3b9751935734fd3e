"""What every analytics figure is measured over, and how its rates are rounded.

A range is whole days in the organization's timezone, at most `MAX_RANGE_DAYS` of them; a rate
is None, not zero, when there is nothing to divide by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from backend.core import clock
from backend.core.errors import Invalid
from backend.core.i18n import msg
from backend.leaderboards.boards import org_timezone

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class Range:
    first: date
    last: date  # inclusive
    start: datetime
    end: datetime  # exclusive
    timezone: str


async def day_range(org_id: UUID, first: date | None, last: date | None) -> Range:
    """Whole days in the organization's timezone; the last 30 days by default."""
    tz = await org_timezone(org_id)
    zone = ZoneInfo(tz)
    today = clock.now().astimezone(zone).date()
    last = last or today
    first = first or last - timedelta(days=29)
    if first > last:
        raise Invalid(msg("`from` must be on or before `to`."))
    if (last - first).days >= MAX_RANGE_DAYS:
        raise Invalid(msg("A range covers at most {n} days.", n=MAX_RANGE_DAYS))
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return Range(first, last, start, end, tz)


def ratio(part: float, whole: float, digits: int = 3) -> float | None:
    """`part / whole` rounded to `digits` places; None when `whole` is zero."""
    return round(part / whole, digits) if whole else None
