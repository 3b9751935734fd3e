from backend.db import sql_migration

ID = "2026-12-14T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "engagement: a verified post's public reaction and comment counts, re-read later"

STATEMENTS = [
    # NULL: not shown by the network's page (X's oEmbed has no counts) or not read yet
    "ALTER TABLE submission ADD COLUMN reactions integer NULL CHECK (reactions >= 0)",
    "ALTER TABLE submission ADD COLUMN comments integer NULL CHECK (comments >= 0)",
    "ALTER TABLE submission ADD COLUMN engagement_read_at timestamptz NULL",
    # the last re-read done: '24h' after the decision, then '7d'
    "ALTER TABLE submission ADD COLUMN engagement_stage varchar(4) NULL "
    "CHECK (engagement_stage IN ('24h', '7d'))",
    # when a re-read found the post gone (404/410); its last counts stay
    "ALTER TABLE submission ADD COLUMN post_gone_at timestamptz NULL",
    # the engagement sweep: verified posts whose 7-day re-read is not done yet
    "CREATE INDEX submission_engagement_due ON submission (decided_at) "
    "WHERE status = 'verified' AND post_url IS NOT NULL AND post_gone_at IS NULL "
    "AND engagement_stage IS DISTINCT FROM '7d'",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="submissions", description=DESCRIPTION, statements=STATEMENTS
    )
