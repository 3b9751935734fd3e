from backend.db import sql_migration

ID = "2026-12-20T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "languages: the organization's default, and people's choices among the five spoken"

STATEMENTS = [
    # what the server writes in for people who chose no language and whose request says none
    "ALTER TABLE organization ADD COLUMN default_language varchar(16) NOT NULL DEFAULT 'en' "
    "CHECK (default_language IN ('en', 'de', 'fr', 'es', 'pt-BR'))",
    # Portuguese is spoken as Brazilian Portuguese; Italian and Dutch were stored but never
    # spoken: those people follow their browser again until they choose
    "UPDATE app_user SET language = 'pt-BR' WHERE language = 'pt'",
    "UPDATE app_user SET language = NULL WHERE language NOT IN ('en', 'de', 'fr', 'es', 'pt-BR')",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="orgs", description=DESCRIPTION, statements=STATEMENTS
    )
