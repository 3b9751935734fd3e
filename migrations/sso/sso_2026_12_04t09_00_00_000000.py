from backend.db import sql_migration

ID = "2026-12-04T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "single sign-on: one OpenID Connect provider per organization, email domains"

STATEMENTS = [
    """
    CREATE TABLE sso_config (
        org uuid PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
        issuer varchar(500) NOT NULL,
        client_id varchar(255) NOT NULL,
        client_secret text NOT NULL,
        auto_provision boolean NOT NULL DEFAULT false,
        default_team uuid NULL REFERENCES team(id) ON DELETE SET NULL,
        required boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    # A domain is one organization's: the key refuses a second claim (409 on the wire).
    """
    CREATE TABLE sso_domain (
        domain varchar(253) PRIMARY KEY CHECK (domain = lower(domain)),
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE
    )
    """,
    "CREATE INDEX sso_domain_org ON sso_domain (org)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="sso", description=DESCRIPTION, statements=STATEMENTS
    )
