"""Tracked share links and the clicks on them. The schema lives in migrations/sharing/."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.challenges.tables import Challenge
from backend.db import DB
from backend.orgs.tables import Organization, User


class ShareLink(Table, tablename="share_link", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    challenge = ForeignKey(references=Challenge, null=False)
    user = ForeignKey(references=User, null=False)
    network = Varchar(length=16)
    code = Varchar(length=16, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    first_bot_at = Timestamptz(null=True, default=None)
    first_bot_name = Varchar(length=32, null=True, default=None)


class Click(Table, tablename="click", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    link = ForeignKey(references=ShareLink, null=False)
    challenge = UUID()
    sharer = UUID()
    network = Varchar(length=16)
    at = Timestamptz()
    kind = Varchar(length=8)  # unique | repeat | self | bot
    bot_name = Varchar(length=32, null=True, default=None)
    visitor_hash = Varchar(length=32)
    referrer_host = Varchar(length=253, null=True, default=None)
    # why the click does not count (null: it does); see migrations/sharing/ for the values
    set_aside = Varchar(length=16, null=True, default=None)
