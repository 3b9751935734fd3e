from backend.db import sql_migration

ID = "2026-12-20T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "challenge translations: title, description and share text per language"

STATEMENTS = [
    "ALTER TABLE challenge ADD COLUMN translations jsonb NOT NULL DEFAULT '{}'",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="challenges", description=DESCRIPTION, statements=STATEMENTS
    )
