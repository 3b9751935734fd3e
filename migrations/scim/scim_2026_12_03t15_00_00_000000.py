from backend.db import sql_migration

ID = "2026-12-03T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "SCIM 2.0 provisioning: per-organization tokens, what the provider sent"

STATEMENTS = [
    """
    CREATE TABLE scim_token (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        name varchar(80) NOT NULL,
        token_hash varchar(64) NOT NULL UNIQUE,
        created_by uuid NULL REFERENCES app_user(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NULL,
        revoked_at timestamptz NULL
    )
    """,
    "CREATE INDEX scim_token_org ON scim_token (org, created_at)",
    """
    CREATE TABLE scim_user (
        "user" uuid PRIMARY KEY REFERENCES app_user(id) ON DELETE CASCADE,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        external_id varchar(255) NULL,
        attributes jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz NULL
    )
    """,
    "CREATE INDEX scim_user_external_id ON scim_user (org, external_id)",
    """
    CREATE TABLE scim_group (
        team uuid PRIMARY KEY REFERENCES team(id) ON DELETE CASCADE,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        external_id varchar(255) NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX scim_group_external_id ON scim_group (org, external_id)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="scim", description=DESCRIPTION, statements=STATEMENTS
    )
