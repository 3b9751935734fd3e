"""Stories and the community space. The schema lives in migrations/community/.

The code reaches these tables through raw SQL; the tables here state the schema for Piccolo
(and tests/test_schema_agreement.py holds them to the migrations).
"""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Boolean,
    Bytea,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.challenges.tables import Challenge
from backend.db import DB
from backend.orgs.tables import Organization, User


class StoryPhoto(Table, tablename="story_photo", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    owner = ForeignKey(references=User, null=False)
    # a JPEG re-encoded by Chorus: resized, no EXIF (no location, no camera serial); in the
    # media store under storage_key (backend/storage.py), here only for photos stored before it
    data = Bytea(null=True, default=None)
    storage_key = Text(null=True, default=None, unique=True)
    width = Integer()
    height = Integer()
    created_at = Timestamptz(default=TimestamptzNow())


class Story(Table, tablename="story", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    # the database's key is (org, challenge) → challenge (org, id), so a story cannot point
    # at another organization's challenge; Piccolo can only say the single-column half
    challenge = ForeignKey(references=Challenge, null=False)
    author = ForeignKey(references=User, null=False)  # one story per author and challenge
    title = Varchar(length=120)
    body = Varchar(length=5000)
    # deleting the photo keeps the story
    photo = ForeignKey(references=StoryPhoto, null=True, on_delete=OnDelete.set_null)
    status = Varchar(length=16, default="draft")  # draft | submitted | published | rejected
    # the public page at /stories/<slug>: on once published, the author may take it down
    public = Boolean(default=False)
    slug = Varchar(length=80, unique=True)
    review_note = Varchar(length=500, null=True, default=None)
    featured_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)


class FeedItem(Table, tablename="feed_item", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    kind = Varchar(length=16)  # story | badge | team_goal | kudos
    actor = ForeignKey(references=User, null=True)
    story = ForeignKey(references=Story, null=True)
    data = JSONB(default="{}")
    # one item per thing that happened, even when the event is delivered twice
    dedupe_key = Varchar(length=200, unique=True)
    hidden_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Reaction(Table, tablename="reaction", db=DB):
    # The database's primary key is (item, "user"): one reaction per person and item. Piccolo
    # has no composite keys, so it is told `item` is the key — which it is not on its own:
    # query reactions with both columns, never through an object's save() or remove().
    item = ForeignKey(references=FeedItem, null=False, primary_key=True)
    user = ForeignKey(references=User, null=False)
    kind = Varchar(length=16)  # clap | heart | party | insight
    created_at = Timestamptz(default=TimestamptzNow())


class Comment(Table, tablename="comment", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    item = ForeignKey(references=FeedItem, null=False)
    author = ForeignKey(references=User, null=False)
    body = Varchar(length=500)
    hidden_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Kudos(Table, tablename="kudos", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    giver = ForeignKey(references=User, null=False)
    receiver = ForeignKey(references=User, null=False)  # never the giver (a CHECK says so)
    message = Varchar(length=280)  # emptied when the giver or receiver is erased
    created_at = Timestamptz(default=TimestamptzNow())


class Report(Table, tablename="report", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    # exactly one of item and comment (a CHECK says so); one report per person and thing
    item = ForeignKey(references=FeedItem, null=True)
    comment = ForeignKey(references=Comment, null=True)
    reporter = ForeignKey(references=User, null=False)
    reason = Varchar(length=300)
    resolved_at = Timestamptz(null=True, default=None)
    resolution = Varchar(length=16, null=True, default=None)  # hidden | dismissed
    created_at = Timestamptz(default=TimestamptzNow())
