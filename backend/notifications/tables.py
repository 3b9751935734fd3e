"""Push subscriptions, the in-app inbox, preferences. Schema in migrations/notifications/."""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, User


class PushSubscription(Table, tablename="push_subscription", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization)
    user = ForeignKey(references=User)
    endpoint = Varchar(length=2048, unique=True)
    p256dh = Varchar(length=200)
    auth = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())
    last_success_at = Timestamptz(null=True, default=None)
    failures = Integer(default=0)


class Notification(Table, tablename="notification", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization)
    user = ForeignKey(references=User)
    category = Varchar(length=24)
    title = Varchar(length=120)
    body = Varchar(length=500)
    url = Varchar(length=500, default="/")
    urgent = Boolean(default=False)
    push_state = Varchar(length=8)
    held_reason = Varchar(length=24, null=True, default=None)
    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
