from backend.db import sql_migration

ID = "2026-12-10T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Office walls: secret, revocable URLs of a live board for an office screen"

STATEMENTS = [
    """
    CREATE TABLE wall (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        team uuid NULL REFERENCES team(id) ON DELETE CASCADE,
        name varchar(80) NOT NULL,
        period varchar(8) NOT NULL DEFAULT 'week' CHECK (period IN ('week', 'month', 'all')),
        secret_hash varchar(64) NOT NULL UNIQUE,
        created_by uuid NULL REFERENCES app_user(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NULL,
        revoked_at timestamptz NULL
    )
    """,
    "CREATE INDEX wall_org ON wall (org, created_at)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="walls", description=DESCRIPTION, statements=STATEMENTS
    )
