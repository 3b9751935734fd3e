from backend.db import sql_migration

ID = "2026-12-06T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "people search at company scale (trigram indexes) and each person's language"

STATEMENTS = [
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # ILIKE '%…%' on names and emails uses these instead of reading every person
    "CREATE INDEX app_user_name_trgm ON app_user USING gin (display_name gin_trgm_ops)",
    "CREATE INDEX app_user_email_trgm ON app_user USING gin (email gin_trgm_ops)",
    # the console's people table pages by name within an organization
    "CREATE INDEX app_user_org_name ON app_user (org, lower(display_name), id)",
    # the language the person chose (a BCP 47 tag); NULL: not chosen, the browser's decides
    "ALTER TABLE app_user ADD COLUMN language varchar(16) NULL",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="orgs", description=DESCRIPTION, statements=STATEMENTS
    )
