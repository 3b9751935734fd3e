from backend.db import sql_migration

ID = "2026-11-26T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "per-organization level thresholds"

STATEMENTS = [
    # NULL: the default curve (CHORUS_LEVEL_THRESHOLDS)
    "ALTER TABLE organization ADD COLUMN level_thresholds integer[] NULL",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="orgs", description=DESCRIPTION, statements=STATEMENTS
    )
