"""Rewards, redemptions, the spending ledger and raffles. The schema lives in
migrations/rewards/; these classes mirror it for queries."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    BigInt,
    BigSerial,
    Boolean,
    ForeignKey,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, User


class Reward(Table, tablename="reward", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    name = Varchar(length=120)
    description = Varchar(length=2000)
    image_url = Varchar(length=2048, null=True, default=None)
    cost = Integer()
    stock = Integer(null=True, default=None)  # units in all; None: unlimited
    held = Integer(default=0)  # redemptions requested, not decided
    fulfilled = Integer(default=0)
    per_person_limit = Integer(null=True, default=None)
    starts_at = Timestamptz(null=True, default=None)
    ends_at = Timestamptz(null=True, default=None)
    audience_team_ids = Array(base_column=UUID())
    value_cents = BigInt(null=True, default=None)
    active = Boolean(default=True)
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Redemption(Table, tablename="redemption", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    reward = ForeignKey(references=Reward, null=False)
    user = ForeignKey(references=User, null=False)
    cost = Integer()
    value_cents = BigInt(null=True, default=None)
    status = Varchar(length=16, default="requested")
    note = Varchar(length=1000, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(references=User, null=True)


class PointsSpent(Table, tablename="points_spent", db=DB):
    """The spending ledger: +cost when a redemption holds points, -cost when a rejection gives
    them back. Append-only (a trigger refuses updates); never read by boards, levels, badges."""

    id = BigSerial(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    user = ForeignKey(references=User, null=False)
    redemption = ForeignKey(references=Redemption, null=False)
    delta = Integer()
    reason = Varchar(length=32)
    idempotency_key = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Raffle(Table, tablename="raffle", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    name = Varchar(length=120)
    period_start = Timestamptz()
    period_end = Timestamptz()
    winner_count = Integer()
    points_per_ticket = Integer()
    max_tickets_per_person = Integer()
    reward = ForeignKey(references=Reward, null=True)
    algorithm = Varchar(length=32)
    seed = Varchar(length=64)  # hex; never shown before the draw
    seed_sha256 = Varchar(length=64)
    entries = JSONB(null=True, default=None)
    winners = JSONB(null=True, default=None)
    drawn_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
