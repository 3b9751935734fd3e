from backend.db import sql_migration

ID = "2026-12-11T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "story photos in the media store (backend/storage.py); older ones keep their bytes"

STATEMENTS = [
    "ALTER TABLE story_photo ALTER COLUMN data DROP NOT NULL",
    "ALTER TABLE story_photo ADD COLUMN storage_key text UNIQUE",
    "ALTER TABLE story_photo ADD CONSTRAINT story_photo_bytes_somewhere "
    "CHECK (data IS NOT NULL OR storage_key IS NOT NULL)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="community", description=DESCRIPTION, statements=STATEMENTS
    )
