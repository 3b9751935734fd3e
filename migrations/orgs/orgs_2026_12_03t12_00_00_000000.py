from backend.db import sql_migration

ID = "2026-12-03T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sessions that end, password resets, invites that can be revoked and emailed"

STATEMENTS = [
    # tokens issued before this moment stop working (backend/orgs/sessions.py); NULL: none ended
    "ALTER TABLE app_user ADD COLUMN sessions_ended_at timestamptz NULL",
    # the one token id that survived the last "end every other session" (a password change)
    "ALTER TABLE app_user ADD COLUMN kept_token varchar(64) NULL",
    # the weekly email digest: opt-in
    "ALTER TABLE app_user ADD COLUMN email_digest boolean NOT NULL DEFAULT false",
    "ALTER TABLE invite ADD COLUMN emailed_at timestamptz NULL",
    "ALTER TABLE invite ADD COLUMN revoked_at timestamptz NULL",
    """
    CREATE TABLE password_reset (
        id uuid PRIMARY KEY,
        "user" uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        token_hash varchar(64) NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    'CREATE INDEX password_reset_user ON password_reset ("user")',
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="orgs", description=DESCRIPTION, statements=STATEMENTS
    )
