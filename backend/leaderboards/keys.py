"""Leaderboard keys, periods and scores.

Keys are hash-tagged by organization (`chorus:{org:<id>}:lb:...`), so all of one
organization's boards live in one Redis Cluster slot and one Lua call may touch them all.

A member's score packs two things into one double: its points, and when it reached them, so
that equal points list whoever got there first on top:

    score = points * SCALE + (SCALE - 1 - seconds since EPOCH of the last change)

`floor(score / SCALE)` gives the points back (negative ones too); the remainder shrinks as
time passes, so an earlier arrival sorts higher. Exact up to 9 million points (2^53 / SCALE).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

SCALE = 1_000_000_000
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
WEEK_RETENTION = timedelta(weeks=8)
MONTH_RETENTION = timedelta(days=93)

Period = Literal["week", "month", "all", "lastWeek", "lastMonth"]


def prefix(org_id: UUID | str) -> str:
    return f"chorus:{{org:{org_id}}}:lb"


def mark_key(org_id: UUID | str) -> str:
    """The ledger id the boards include everything up to; missing = boards not built."""
    return f"{prefix(org_id)}:mark"


def missed_key(org_id: UUID | str) -> str:
    """Set when an award skipped the boards because they were not built (a rebuild under way):
    the rebuild then reads the ledger again."""
    return f"{prefix(org_id)}:missed"


def applied_key(org_id: UUID | str) -> str:
    """The ledger ids the relay put on the boards lately (a sorted set, scored by when): a
    replayed award is then a no-op (backend/leaderboards/outbox.py)."""
    return f"{prefix(org_id)}:applied"


def lock_key(org_id: UUID | str) -> str:
    return f"{prefix(org_id)}:rebuilding"


def users_key(org_id: UUID | str, period_id: str) -> str:
    return f"{prefix(org_id)}:users:{period_id}"


def team_members_key(org_id: UUID | str, team_id: UUID | str, period_id: str) -> str:
    return f"{prefix(org_id)}:team:{team_id}:{period_id}"


def teams_key(org_id: UUID | str, period_id: str) -> str:
    return f"{prefix(org_id)}:teams:{period_id}"


def challenge_key(org_id: UUID | str, challenge_id: UUID | str) -> str:
    return f"{prefix(org_id)}:challenge:{challenge_id}:all"


def ranks_mark_key(org_id: UUID | str, day: date) -> str:
    """Set once the ranks at the end of `day` (org time) are stored for every live board: an
    empty board stores no hash, so the mark tells "nobody was on it" from "not computed"."""
    return f"chorus:{{org:{org_id}}}:ranks:{day.isoformat()}"


def ranks_key(board_key: str, day: date) -> str:
    """member → competition rank at the end of `day` on `board_key` (a hash). Outside `…:lb:`,
    so rebuilds and reconcile, which own every key under it, leave it alone."""
    head, board = board_key.split("}:lb:", 1)
    return f"{head}}}:ranks:{day.isoformat()}:{board}"


def fraction(at: datetime) -> int:
    seconds = int((at - EPOCH).total_seconds())
    return SCALE - 1 - max(0, min(seconds, SCALE - 1))


def encode(points: int, at: datetime) -> float:
    return float(points * SCALE + fraction(at))


def points_of(score: float) -> int:
    return math.floor(score / SCALE)


@dataclass(frozen=True, slots=True)
class PeriodSlot:
    """One board period: its id in keys and when its keys expire (None: never)."""

    id: str
    expires_at: int | None


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def slots_at(at: datetime, tz: str) -> list[PeriodSlot]:
    """The periods a point earned at `at` counts in: its ISO week, its month, all time."""
    # Periods change only at local midnights, which fall on whole minutes in every timezone.
    return _slots_at_minute(at.replace(second=0, microsecond=0), tz)


@functools.lru_cache(maxsize=4096)
def _slots_at_minute(at: datetime, tz: str) -> list[PeriodSlot]:
    zone = ZoneInfo(tz)
    local = at.astimezone(zone)
    year, week, _ = local.isocalendar()
    week_end = datetime.combine(
        _week_start(local.date()) + timedelta(days=7), datetime.min.time(), zone
    )
    first_next_month = (local.replace(day=1) + timedelta(days=32)).replace(day=1)
    month_end = datetime.combine(first_next_month.date(), datetime.min.time(), zone)
    return [
        PeriodSlot(f"w{year}-{week:02d}", int((week_end + WEEK_RETENTION).timestamp())),
        PeriodSlot(
            f"m{local.year}-{local.month:02d}", int((month_end + MONTH_RETENTION).timestamp())
        ),
        PeriodSlot("all", None),
    ]


def period_id(period: Period, tz: str, now: datetime) -> str:
    """The id of the period a reader asks for, as of `now` in the organization's timezone."""
    return _period_id_at_minute(period, tz, now.replace(second=0, microsecond=0))


@functools.lru_cache(maxsize=4096)
def _period_id_at_minute(period: Period, tz: str, now: datetime) -> str:
    if period == "all":
        return "all"
    local = now.astimezone(ZoneInfo(tz))
    if period in ("week", "lastWeek"):
        if period == "lastWeek":
            local -= timedelta(days=7)
        year, week, _ = local.isocalendar()
        return f"w{year}-{week:02d}"
    if period == "lastMonth":
        local = local.replace(day=1) - timedelta(days=1)
    return f"m{local.year}-{local.month:02d}"


def expiry_of(period: str, tz: str) -> int | None:
    """When a period's keys expire (Unix time), from its id; None for all time."""
    zone = ZoneInfo(tz)
    if period.startswith("w"):
        year, week = (int(part) for part in period[1:].split("-"))
        end = datetime.combine(
            date.fromisocalendar(year, week, 1) + timedelta(days=7), datetime.min.time(), zone
        )
        return int((end + WEEK_RETENTION).timestamp())
    if period.startswith("m"):
        year, month = (int(part) for part in period[1:].split("-"))
        first_next = date(year + month // 12, month % 12 + 1, 1)
        end = datetime.combine(first_next, datetime.min.time(), zone)
        return int((end + MONTH_RETENTION).timestamp())
    return None
