"""Single sign-on settings per organization. The schema itself lives in migrations/sso/."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, Team


class SsoConfig(Table, tablename="sso_config", db=DB):
    """One OpenID Connect identity provider per organization."""

    org = ForeignKey(references=Organization, primary_key=True, on_delete=OnDelete.cascade)
    issuer = Varchar(length=500)
    client_id = Varchar(length=255)
    # Fernet token (key derived from CHORUS_SECRET_KEY for "sso-secrets"); never sent back
    client_secret = Text()
    auto_provision = Boolean(default=False)
    default_team = ForeignKey(references=Team, null=True, on_delete=OnDelete.set_null)
    required = Boolean(default=False)
    updated_at = Timestamptz(default=TimestamptzNow())


class SsoDomain(Table, tablename="sso_domain", db=DB):
    """An email domain whose people sign in through their organization's provider: one
    organization per domain, which the primary key keeps true."""

    domain = Varchar(length=253, primary_key=True)
    org = ForeignKey(references=Organization, null=False, on_delete=OnDelete.cascade)
