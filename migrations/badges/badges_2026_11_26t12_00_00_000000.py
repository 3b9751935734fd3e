from backend.db import sql_migration

ID = "2026-11-26T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "badges and the badges people earned"

STATEMENTS = [
    """
    CREATE TABLE badge (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        code varchar(40) NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
        name varchar(60) NOT NULL,
        description varchar(300) NOT NULL DEFAULT '',
        icon varchar(40) NOT NULL,
        rule_type varchar(32) NOT NULL CHECK (rule_type IN ('first_share', 'shares_count',
            'unique_clicks', 'points', 'networks_used', 'challenge_completed', 'pillar_champion')),
        threshold integer NOT NULL DEFAULT 1 CHECK (threshold BETWEEN 1 AND 1000000),
        challenge uuid NULL,
        pillar uuid NULL,
        points integer NOT NULL DEFAULT 0 CHECK (points BETWEEN 0 AND 10000),
        retired_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (org, code)
    )
    """,
    """
    CREATE TABLE user_badge (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        badge uuid NOT NULL REFERENCES badge(id) ON DELETE CASCADE,
        "user" uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        earned_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE ("user", badge)
    )
    """,
    'CREATE INDEX user_badge_user ON user_badge ("user")',
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="badges", description=DESCRIPTION, statements=STATEMENTS
    )
