from backend.db import sql_migration

ID = "2026-12-01T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "fair play: a rejected share may be sent again, up to three tries"

STATEMENTS = [
    "ALTER TABLE submission ADD COLUMN attempt smallint NOT NULL DEFAULT 1 "
    "CHECK (attempt BETWEEN 1 AND 3)",
    "ALTER TABLE submission DROP CONSTRAINT submission_user_challenge_key",
    "ALTER TABLE submission ADD CONSTRAINT submission_user_challenge_attempt_key "
    'UNIQUE ("user", challenge, attempt)',
    'CREATE INDEX submission_user_created ON submission ("user", created_at DESC, id)',
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="submissions", description=DESCRIPTION, statements=STATEMENTS
    )
