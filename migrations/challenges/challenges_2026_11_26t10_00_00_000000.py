from backend.db import sql_migration

ID = "2026-11-26T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "narrative pillars and challenges"

STATEMENTS = [
    """
    CREATE TABLE pillar (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        title varchar(120) NOT NULL,
        message varchar(2000) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (org, title)
    )
    """,
    "CREATE UNIQUE INDEX pillar_org_id ON pillar (org, id)",
    """
    CREATE TABLE challenge (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        slug varchar(80) NOT NULL,
        kind varchar(16) NOT NULL DEFAULT 'share' CHECK (kind IN ('share', 'story')),
        title varchar(140) NOT NULL,
        description varchar(4000) NOT NULL DEFAULT '',
        pillar uuid NULL,
        content_url varchar(2048) NOT NULL,
        share_text jsonb NOT NULL DEFAULT '{}'::jsonb,
        hashtags text[] NOT NULL DEFAULT '{}',
        networks text[] NOT NULL,
        points integer NOT NULL CHECK (points BETWEEN 0 AND 10000),
        click_points integer NOT NULL DEFAULT 0 CHECK (click_points BETWEEN 0 AND 1000),
        click_points_cap integer NOT NULL DEFAULT 0 CHECK (click_points_cap BETWEEN 0 AND 100000),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        verification varchar(16) NOT NULL
            CHECK (verification IN ('auto', 'clicks', 'review', 'trust')),
        audience_team_ids uuid[] NOT NULL DEFAULT '{}',
        state varchar(16) NOT NULL DEFAULT 'draft'
            CHECK (state IN ('draft', 'published', 'archived')),
        published_at timestamptz NULL,
        preview_status varchar(16) NOT NULL DEFAULT 'pending'
            CHECK (preview_status IN ('pending', 'ok', 'failed')),
        preview_title varchar(300) NULL,
        preview_description varchar(1000) NULL,
        preview_image_url varchar(2048) NULL,
        preview_fetched_at timestamptz NULL,
        created_by uuid NULL REFERENCES app_user(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at),
        UNIQUE (org, slug),
        FOREIGN KEY (org, pillar) REFERENCES pillar (org, id) ON DELETE SET NULL (pillar)
    )
    """,
    "CREATE UNIQUE INDEX challenge_org_id ON challenge (org, id)",
    "CREATE INDEX challenge_open ON challenge (org, state, ends_at)",
    "CREATE INDEX challenge_org_created ON challenge (org, created_at DESC, id)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="challenges", description=DESCRIPTION, statements=STATEMENTS
    )
