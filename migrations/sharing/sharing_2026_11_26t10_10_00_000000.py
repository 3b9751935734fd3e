from backend.db import sql_migration

ID = "2026-11-26T10:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tracked share links and their clicks"

STATEMENTS = [
    """
    CREATE TABLE share_link (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        challenge uuid NOT NULL,
        "user" uuid NOT NULL,
        network varchar(16) NOT NULL
            CHECK (network IN ('linkedin', 'x', 'facebook', 'email', 'whatsapp')),
        code varchar(16) NOT NULL UNIQUE CHECK (code ~ '^[0-9A-Za-z]{8,16}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        -- the first fetch by a network's link-preview bot: evidence the link was posted there
        first_bot_at timestamptz NULL,
        first_bot_name varchar(32) NULL,
        UNIQUE ("user", challenge, network),
        FOREIGN KEY (org, challenge) REFERENCES challenge (org, id) ON DELETE CASCADE,
        FOREIGN KEY ("user") REFERENCES app_user (id) ON DELETE CASCADE
    )
    """,
    "CREATE INDEX share_link_challenge ON share_link (challenge)",
    """
    CREATE TABLE click (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        link uuid NOT NULL REFERENCES share_link(id) ON DELETE CASCADE,
        challenge uuid NOT NULL,
        sharer uuid NOT NULL,
        network varchar(16) NOT NULL,
        at timestamptz NOT NULL,
        kind varchar(8) NOT NULL CHECK (kind IN ('unique', 'repeat', 'self', 'bot')),
        bot_name varchar(32) NULL,
        visitor_hash char(32) NOT NULL,
        referrer_host varchar(253) NULL
    )
    """,
    "CREATE INDEX click_link_visitor ON click (link, visitor_hash, at)",
    "CREATE INDEX click_org_at ON click (org, at)",
    "CREATE INDEX click_challenge_kind ON click (challenge, kind)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="sharing", description=DESCRIPTION, statements=STATEMENTS
    )
