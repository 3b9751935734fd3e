"""The points ledger: the only truth about points. Append-only (a trigger refuses updates)."""

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
