"""The points ledger: the only truth about points. Append-only (a trigger refuses updates).

Beside it, the board outbox: one row per ledger row not yet on the leaderboards.
"""

from __future__ import annotations

from piccolo.columns import UUID, BigSerial, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, User


class PointsLedger(Table, tablename="points_ledger", db=DB):
    id = BigSerial(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    user = ForeignKey(references=User, null=False)
    team = UUID(null=True, default=None)
    delta = Integer()
    reason = Varchar(length=32)
    challenge = UUID(null=True, default=None)
    submission = UUID(null=True, default=None)
    click = UUID(null=True, default=None)
    idempotency_key = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class BoardOutbox(Table, tablename="board_outbox", db=DB):
    """A ledger row on its way to the leaderboards, written by a trigger in the statement that
    writes the ledger row, deleted once the relay has it on every board
    (backend/leaderboards/outbox.py)."""

    ledger = ForeignKey(references=PointsLedger, null=False, primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    queued_at = Timestamptz(default=TimestamptzNow())
