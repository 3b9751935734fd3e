from backend.db import sql_migration

ID = "2026-12-11T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "challenge media: images and short videos to share with the post"

STATEMENTS = [
    # The bytes live in the media store (backend/storage.py) under storage_key; this row says
    # what they are. Deleting a challenge or an organization deletes its rows.
    """
    CREATE TABLE challenge_media (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        challenge uuid NOT NULL REFERENCES challenge(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('image', 'video')),
        content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'video/mp4')),
        bytes bigint NOT NULL CHECK (bytes > 0),
        width integer CHECK (width > 0),
        height integer CHECK (height > 0),
        storage_key text NOT NULL UNIQUE,
        position integer NOT NULL,
        created_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (challenge, position)
    )
    """,
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="challenges", description=DESCRIPTION, statements=STATEMENTS
    )
