from backend.db import sql_migration

ID = "2026-12-13T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "own words: the points a verified share in the person's own words earns"

STATEMENTS = [
    "ALTER TABLE challenge ADD COLUMN own_words_points integer NOT NULL DEFAULT 0 "
    "CHECK (own_words_points BETWEEN 0 AND 1000)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="challenges", description=DESCRIPTION, statements=STATEMENTS
    )
