"""SCIM tokens and what an identity provider said about people and teams beyond Chorus's own
columns. The schema lives in migrations/scim/."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, Team, User


class ScimToken(Table, tablename="scim_token", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    name = Varchar(length=80)
    token_hash = Varchar(length=64, unique=True)  # sha256 hex; the token itself is never stored
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)  # to the minute
    revoked_at = Timestamptz(null=True, default=None)


class ScimUser(Table, tablename="scim_user", db=DB):
    """One per person the identity provider has written (people invited by hand have none).

    Primary key `user`: Piccolo is told so, and it is true here (one row per person).
    """

    user = ForeignKey(references=User, null=False, primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    external_id = Varchar(length=255, null=True, default=None)
    # name, displayName, emails and active as the provider last sent them (echoed back)
    attributes = JSONB(default="{}")
    updated_at = Timestamptz(default=TimestamptzNow())
    # DELETE /Users/{id}: the person is deactivated and gone from SCIM; the account and its
    # ledger stay, and a later POST of the same userName brings the same account back
    deleted_at = Timestamptz(null=True, default=None)


class ScimGroup(Table, tablename="scim_group", db=DB):
    team = ForeignKey(references=Team, null=False, primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    external_id = Varchar(length=255, null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
