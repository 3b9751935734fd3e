"""Official brand links and their clicks. The schema lives in migrations/analytics/."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, User


class OfficialLink(Table, tablename="official_link", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    code = Varchar(length=16, unique=True)
    label = Varchar(length=120)
    network = Varchar(length=16)
    target_url = Varchar(length=2048)
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # the official post's public counts, re-read like employees' posts (submissions/engagement.py)
    reactions = Integer(null=True, default=None)
    comments = Integer(null=True, default=None)
    engagement_read_at = Timestamptz(null=True, default=None)
    engagement_stage = Varchar(length=4, null=True, default=None)
    post_gone_at = Timestamptz(null=True, default=None)


class OfficialClick(Table, tablename="official_click", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    link = ForeignKey(references=OfficialLink, null=False)
    at = Timestamptz()
    kind = Varchar(length=8)  # unique | repeat | bot
    bot_name = Varchar(length=32, null=True, default=None)
    visitor_hash = Varchar(length=32)
