from backend.db import sql_migration

ID = "2026-11-26T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "official brand links and their clicks; an index for impact analytics"

STATEMENTS = [
    """
    CREATE TABLE official_link (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        -- 12 characters: never the same as a 10-character share-link code
        code varchar(16) NOT NULL UNIQUE CHECK (code ~ '^[0-9A-Za-z]{12}$'),
        label varchar(120) NOT NULL,
        network varchar(16) NOT NULL
            CHECK (network IN ('linkedin', 'x', 'facebook', 'email', 'whatsapp')),
        target_url varchar(2048) NOT NULL,
        created_by uuid NULL REFERENCES app_user(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX official_link_org ON official_link (org, created_at)",
    """
    CREATE TABLE official_click (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        link uuid NOT NULL REFERENCES official_link(id) ON DELETE CASCADE,
        at timestamptz NOT NULL,
        kind varchar(8) NOT NULL CHECK (kind IN ('unique', 'repeat', 'bot')),
        bot_name varchar(32) NULL,
        visitor_hash char(32) NOT NULL
    )
    """,
    "CREATE INDEX official_click_link_visitor ON official_click (link, visitor_hash, at)",
    "CREATE INDEX official_click_org_at ON official_click (org, at) WHERE kind = 'unique'",
    # Impact analytics read unique clicks by organization and time: an index-only scan.
    "CREATE INDEX click_unique_org_at ON click (org, at) INCLUDE (challenge, sharer, network) "
    "WHERE kind = 'unique'",
    "CREATE INDEX submission_org_created ON submission (org, created_at)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="analytics", description=DESCRIPTION, statements=STATEMENTS
    )
