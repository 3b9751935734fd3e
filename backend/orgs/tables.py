"""Organizations, teams, users and invites. The schema itself lives in migrations/orgs/."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
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


class Organization(Table, tablename="organization", db=DB):
    id = UUID(primary_key=True)
    name = Varchar(length=120)
    timezone = Varchar(length=64, default="UTC")
    created_at = Timestamptz(default=TimestamptzNow())
    # points at which each level starts; null: the installation's CHORUS_LEVEL_THRESHOLDS
    level_thresholds = Array(base_column=Integer(), null=True, default=None)
    # the community's settings (migrations/community/ adds them): the story checklist shown
    # to writers, and words that hold a comment or story for moderation
    story_guidelines = JSONB(default="[]")
    blocked_words = Array(base_column=Text(), default=list)
    # own words and disclosure (migrations/orgs/orgs_2026_12_13...): the tag added to every
    # suggested text, and how long the text of a post read during verification is kept
    disclosure_tag = Varchar(length=40, null=True, default=None)
    post_text_retention_days = Integer(default=365)
    # the language the server writes in when a person chose none and their request says none
    default_language = Varchar(length=16, default="en")


class Team(Table, tablename="team", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    name = Varchar(length=80)
    created_at = Timestamptz(default=TimestamptzNow())


class User(Table, tablename="app_user", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    email = Varchar(length=254)  # stored lower-cased; unique per organization
    display_name = Varchar(length=80)
    password_hash = Varchar(length=255)
    role = Varchar(length=16, default="employee")
    team = ForeignKey(references=Team, null=True)
    active = Boolean(default=True)
    timezone = Varchar(length=64, default="UTC")
    hide_from_leaderboards = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    # tokens issued before this stop working, but for `kept_token` (backend/orgs/sessions.py)
    sessions_ended_at = Timestamptz(null=True, default=None)
    kept_token = Varchar(length=64, null=True, default=None)
    email_digest = Boolean(default=False)  # the weekly email digest, opt-in
    language = Varchar(length=16, null=True, default=None)  # a BCP 47 tag; NULL: not chosen


class TeamLead(Table, tablename="team_lead", db=DB):
    id = UUID(primary_key=True)
    team = ForeignKey(references=Team, null=False)
    user = ForeignKey(references=User, null=False)


class Invite(Table, tablename="invite", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    email = Varchar(length=254)
    role = Varchar(length=16)
    team = ForeignKey(references=Team, null=True)
    token_hash = Varchar(
        length=64, unique=True
    )  # sha256 hex of the token; the token is never stored
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    emailed_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class PasswordReset(Table, tablename="password_reset", db=DB):
    """A one-time link to set a new password: only the token's sha256 is stored, and only
    once the worker has made the token for the email (NULL until then)."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, null=False)
    token_hash = Varchar(length=64, null=True, default=None, unique=True)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
