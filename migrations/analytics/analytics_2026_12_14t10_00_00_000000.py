from backend.db import sql_migration

ID = "2026-12-14T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "engagement of official posts: re-read like employee posts, the ratio's baseline"

STATEMENTS = [
    "ALTER TABLE official_link ADD COLUMN reactions integer NULL CHECK (reactions >= 0)",
    "ALTER TABLE official_link ADD COLUMN comments integer NULL CHECK (comments >= 0)",
    "ALTER TABLE official_link ADD COLUMN engagement_read_at timestamptz NULL",
    "ALTER TABLE official_link ADD COLUMN engagement_stage varchar(4) NULL "
    "CHECK (engagement_stage IN ('24h', '7d'))",
    "ALTER TABLE official_link ADD COLUMN post_gone_at timestamptz NULL",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="analytics", description=DESCRIPTION, statements=STATEMENTS
    )
