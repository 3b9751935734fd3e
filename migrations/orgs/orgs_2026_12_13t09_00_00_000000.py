from backend.db import sql_migration

ID = "2026-12-13T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "own words and disclosure: the organization's disclosure tag and post-text retention"

STATEMENTS = [
    # added to every suggested text; a post without it goes to review (NULL: none asked for)
    "ALTER TABLE organization ADD COLUMN disclosure_tag varchar(40) NULL",
    # how long the text of a post read during verification is kept (backend/submissions)
    "ALTER TABLE organization ADD COLUMN post_text_retention_days integer NOT NULL DEFAULT 365 "
    "CHECK (post_text_retention_days BETWEEN 1 AND 3650)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="orgs", description=DESCRIPTION, statements=STATEMENTS
    )
