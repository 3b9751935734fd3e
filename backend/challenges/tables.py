"""Narrative pillars and challenges. The schema itself lives in migrations/challenges/."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, User


class Pillar(Table, tablename="pillar", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    title = Varchar(length=120)
    message = Varchar(length=2000)
    created_at = Timestamptz(default=TimestamptzNow())


class Challenge(Table, tablename="challenge", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    slug = Varchar(length=80)
    kind = Varchar(length=16, default="share")
    title = Varchar(length=140)
    description = Varchar(length=4000, default="")
    pillar = ForeignKey(references=Pillar, null=True)
    content_url = Varchar(length=2048)
    share_text = JSONB(default="{}")
    hashtags = Array(base_column=Text())
    networks = Array(base_column=Text())
    points = Integer()
    click_points = Integer(default=0)
    click_points_cap = Integer(default=0)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    verification = Varchar(length=16)
    audience_team_ids = Array(base_column=UUID())
    team_goal_shares = Integer(null=True, default=None)
    team_goal_bonus = Integer(default=0)
    own_words_points = Integer(default=0)  # a verified share in the person's own words
    # {"<language>": {"title"?, "description"?, "shareText"?: {network: text}}} (see service)
    translations = JSONB(default="{}")
    state = Varchar(length=16, default="draft")  # draft | published | archived
    published_at = Timestamptz(null=True, default=None)
    preview_status = Varchar(length=16, default="pending")
    preview_title = Varchar(length=300, null=True, default=None)
    preview_description = Varchar(length=1000, null=True, default=None)
    preview_image_url = Varchar(length=2048, null=True, default=None)
    preview_fetched_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Lesson(Table, tablename="lesson", db=DB):
    """A lesson challenge's sections and quiz. `answers` is read only to grade an attempt and by
    the admin's editor: the challenge reads select the other columns, never this one."""

    challenge = ForeignKey(references=Challenge, null=False, primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    sections = JSONB()
    questions = JSONB()  # [{question, options}], without the answers
    answers = Array(base_column=Integer())
    pass_mark = Integer()


class LessonAttempt(Table, tablename="lesson_attempt", db=DB):
    """Every quiz attempt, failed ones too; `points_awarded` is non-zero on the one paid pass."""

    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    challenge = ForeignKey(references=Challenge, null=False)
    user = ForeignKey(references=User, null=False)
    answers = Array(base_column=Integer())
    score = Integer()
    passed = Boolean()
    points_awarded = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class ChallengeMedia(Table, tablename="challenge_media", db=DB):
    """An image or short video of a challenge; its bytes live in the media store
    (backend/storage.py) under `storage_key` (backend/challenges/media.py)."""

    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    challenge = ForeignKey(references=Challenge, null=False)
    kind = Text()  # image | video
    content_type = Text()
    bytes = BigInt()
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)
    storage_key = Text(unique=True)
    position = Integer()
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
