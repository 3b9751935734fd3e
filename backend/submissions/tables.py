"""Share submissions. The schema lives in migrations/submissions/."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, ForeignKey, Integer, SmallInt, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.challenges.tables import Challenge
from backend.db import DB
from backend.orgs.tables import Organization, User


class Submission(Table, tablename="submission", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    challenge = ForeignKey(references=Challenge, null=False)
    user = ForeignKey(references=User, null=False)
    network = Varchar(length=16)
    post_url = Varchar(length=2048, null=True, default=None)
    post_key = Varchar(length=400, null=True, default=None, unique=True)
    status = Varchar(length=16, default="pending")
    points_awarded = Integer(default=0)
    reason = Varchar(length=500, null=True, default=None)
    evidence = JSONB(default="[]")
    checks = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    reviewed_by = UUID(null=True, default=None)
    review_note = Varchar(length=500, null=True, default=None)
    attempt = SmallInt(default=1)  # a rejected share may be sent again: tries 1 to 3
