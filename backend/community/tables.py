"""Stories and the community space. The schema lives in migrations/community/."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, User


class Story(Table, tablename="story", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization)
    author = ForeignKey(references=User)
    title = Varchar(length=120)
    status = Varchar(length=16)
    slug = Varchar(length=80, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class FeedItem(Table, tablename="feed_item", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization)
    kind = Varchar(length=16)
    created_at = Timestamptz(default=TimestamptzNow())
