"""Points: ledger rows with idempotency keys, totals and levels. Never updated, only appended."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from backend.core.errors import Invalid
from backend.core.i18n import msg
from backend.events import PointsAwarded
from backend.points.tables import PointsLedger
from backend.settings import get_settings

# An organization's awards take this lock's shared side while they insert (until commit), and a
# leaderboard rebuild takes the exclusive side while it reads: the rebuild never reads the
# ledger with an award half-committed, so its mark is exact (see leaderboards/boards.py).
LEDGER_REBUILD_LOCK = "SELECT pg_advisory_xact_lock(hashtext('points_ledger'), hashtext({}))"
_INSERT = """
WITH ledger_lock AS (
    SELECT pg_advisory_xact_lock_shared(hashtext('points_ledger'), hashtext({}))
)
INSERT INTO points_ledger (
    org, "user", team, delta, reason, challenge, submission, click, idempotency_key
)
SELECT {}::uuid, {}::uuid, {}::uuid, {}::integer, {}, {}::uuid, {}::uuid, {}::uuid, {}
FROM ledger_lock
ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, created_at
"""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    org_id: UUID
    user_id: UUID
    team_id: UUID | None
    delta: int
    reason: str
    idempotency_key: str
    challenge_id: UUID | None = None
    submission_id: UUID | None = None
    click_id: UUID | None = None


async def append(entries: list[LedgerEntry]) -> list[PointsAwarded]:
    """Write the entries (in the caller's transaction); a key already written is skipped.

    The same statement queues each row for the leaderboards (a trigger writes its
    `board_outbox` row), so a committed award reaches the boards whatever fails after the
    commit (backend/leaderboards/outbox.py).

    Returns one event per row actually written, for the caller to publish after commit.
    """
    events: list[PointsAwarded] = []
    for entry in entries:
        if entry.delta == 0:
            continue
        rows: list[dict[str, Any]] = await PointsLedger.raw(
            _INSERT,
            str(entry.org_id),
            entry.org_id,
            entry.user_id,
            entry.team_id,
            entry.delta,
            entry.reason,
            entry.challenge_id,
            entry.submission_id,
            entry.click_id,
            entry.idempotency_key,
        )
        if rows:
            events.append(
                PointsAwarded(
                    org_id=entry.org_id,
                    user_id=entry.user_id,
                    team_id=entry.team_id,
                    delta=entry.delta,
                    reason=entry.reason,
                    challenge_id=entry.challenge_id,
                    submission_id=entry.submission_id,
                    ledger_id=rows[0]["id"],
                    at=rows[0]["created_at"],
                )
            )
    return events


async def total(user_id: UUID) -> int:
    rows = await PointsLedger.raw(
        'SELECT coalesce(sum(delta), 0) AS points FROM points_ledger WHERE "user" = {}', user_id
    )
    return int(rows[0]["points"])


def level_for(points: int, thresholds: list[int]) -> tuple[int, int | None]:
    """(level, points needed for the next level or None at the top); level 1 starts at 0."""
    level = max(bisect.bisect_right(thresholds, points), 1)
    return level, thresholds[level] if level < len(thresholds) else None


async def org_levels(org_id: UUID) -> list[int]:
    """The organization's level thresholds, or the default curve (CHORUS_LEVEL_THRESHOLDS)."""
    rows = await PointsLedger.raw("SELECT level_thresholds FROM organization WHERE id = {}", org_id)
    custom = rows[0]["level_thresholds"] if rows else None
    return list(custom) if custom else get_settings().levels


async def set_org_levels(org_id: UUID, thresholds: list[int] | None) -> list[int]:
    """Set the curve (levels start at 0 and climb strictly), or None for the default."""
    if thresholds is not None and (
        thresholds[0] != 0 or any(b <= a for a, b in itertools.pairwise(thresholds))
    ):
        raise Invalid(
            msg("Level thresholds start at 0 and climb strictly, e.g. [0, 100, 250, 500].")
        )
    await PointsLedger.raw(
        "UPDATE organization SET level_thresholds = {} WHERE id = {}", thresholds, org_id
    )
    return await org_levels(org_id)
