"""Badges an organization offers and the ones people earned. Schema in migrations/badges/."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, User


class Badge(Table, tablename="badge", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    code = Varchar(length=40)
    name = Varchar(length=60)
    description = Varchar(length=300, default="")
    icon = Varchar(length=40)
    rule_type = Varchar(length=32)
    threshold = Integer(default=1)
    challenge = UUID(null=True, default=None)
    pillar = UUID(null=True, default=None)
    period = Varchar(length=8, null=True, default=None)
    points = Integer(default=0)
    retired_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class UserBadge(Table, tablename="user_badge", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    badge = ForeignKey(references=Badge, null=False)
    user = ForeignKey(references=User, null=False)
    earned_at = Timestamptz(default=TimestamptzNow())
