from backend.db import sql_migration

ID = "2026-12-13T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "own words: the post's text as verification read it, and whether it was their own"

STATEMENTS = [
    # cleared after the organization's post_text_retention_days and when the person is erased
    "ALTER TABLE submission ADD COLUMN post_text text NULL",
    "ALTER TABLE submission ADD COLUMN post_text_at timestamptz NULL",
    # NULL: not judged (no text read); true: not a near-copy of the suggestion or a colleague's
    "ALTER TABLE submission ADD COLUMN own_words boolean NULL",
    # colleagues' verified texts for a challenge, newest first (the own-words comparison)
    "CREATE INDEX submission_challenge_texts ON submission (challenge, decided_at DESC) "
    "WHERE status = 'verified' AND post_text IS NOT NULL",
    # the retention sweep
    "CREATE INDEX submission_post_text_at ON submission (post_text_at) WHERE post_text IS NOT NULL",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="submissions", description=DESCRIPTION, statements=STATEMENTS
    )
