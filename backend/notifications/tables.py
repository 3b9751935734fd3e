"""Push subscriptions, the in-app inbox, preferences. Schema in migrations/notifications/."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    SmallInt,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, User


class PushSubscription(Table, tablename="push_subscription", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    user = ForeignKey(references=User, null=False)
    endpoint = Varchar(length=2048, unique=True)
    p256dh = Varchar(length=200)
    auth = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())
    last_success_at = Timestamptz(null=True, default=None)
    failures = Integer(default=0)


class Notification(Table, tablename="notification", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    user = ForeignKey(references=User, null=False)
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


class NotificationPrefs(Table, tablename="notification_prefs", db=DB):
    # one row per person, only once they saved their preferences; without a row the service's
    # defaults apply (quiet 22-7, cap 3: notifications/service.py), not the column defaults
    user = ForeignKey(references=User, null=False, primary_key=True)
    categories = JSONB(default="{}")  # category → on/off; a category not named is on
    # local hours (0-23), both or neither: no quiet hours
    quiet_start = SmallInt(null=True, default=None)
    quiet_end = SmallInt(null=True, default=None)
    daily_cap = SmallInt(default=3)  # pushes a day (0-50); the rest wait in the inbox
