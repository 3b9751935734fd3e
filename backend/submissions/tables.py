"""Share submissions. The schema lives in migrations/submissions/."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
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
    # the post's text as verification read it (kept for the organization's retention) and
    # whether it was in the person's own words (NULL: not judged)
    post_text = Text(null=True, default=None)
    post_text_at = Timestamptz(null=True, default=None)
    own_words = Boolean(null=True, default=None)
    # the post's public reaction and comment counts as its latest re-read showed them (NULL: the
    # page shows none, as X's oEmbed), when and at which stage ('24h', '7d'); whether it was gone
    reactions = Integer(null=True, default=None)
    comments = Integer(null=True, default=None)
    engagement_read_at = Timestamptz(null=True, default=None)
    engagement_stage = Varchar(length=4, null=True, default=None)
    post_gone_at = Timestamptz(null=True, default=None)
