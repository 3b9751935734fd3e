from backend.db import sql_migration

ID = "2026-11-26T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stories, the community feed, reactions, comments, kudos, reports, moderation"

STATEMENTS = [
    "ALTER TABLE organization ADD COLUMN story_guidelines jsonb NOT NULL DEFAULT '[]'::jsonb",
    "ALTER TABLE organization ADD COLUMN blocked_words text[] NOT NULL DEFAULT '{}'",
    """
    CREATE TABLE story_photo (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        owner uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        -- a JPEG re-encoded by Chorus: resized, no EXIF (no location, no camera serial)
        data bytea NOT NULL,
        width integer NOT NULL,
        height integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE story (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        challenge uuid NOT NULL,
        author uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        title varchar(120) NOT NULL,
        body varchar(5000) NOT NULL,
        photo uuid NULL REFERENCES story_photo(id) ON DELETE SET NULL,
        status varchar(16) NOT NULL DEFAULT 'draft'
            CHECK (status IN ('draft', 'submitted', 'published', 'rejected')),
        -- the public page at /stories/<slug>: on once published, the author may take it down
        public boolean NOT NULL DEFAULT false,
        slug varchar(80) NOT NULL UNIQUE,
        review_note varchar(500) NULL,
        featured_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        submitted_at timestamptz NULL,
        published_at timestamptz NULL,
        UNIQUE (author, challenge),
        FOREIGN KEY (org, challenge) REFERENCES challenge (org, id) ON DELETE CASCADE
    )
    """,
    "CREATE INDEX story_queue ON story (org, status, submitted_at)",
    """
    CREATE TABLE feed_item (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        kind varchar(16) NOT NULL CHECK (kind IN ('story', 'badge', 'team_goal', 'kudos')),
        actor uuid NULL REFERENCES app_user(id) ON DELETE CASCADE,
        story uuid NULL REFERENCES story(id) ON DELETE CASCADE,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        -- one item per thing that happened, even when the event is delivered twice
        dedupe_key varchar(200) NOT NULL UNIQUE,
        hidden_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX feed_item_org ON feed_item (org, created_at DESC, id DESC)",
    """
    CREATE TABLE reaction (
        item uuid NOT NULL REFERENCES feed_item(id) ON DELETE CASCADE,
        "user" uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        kind varchar(16) NOT NULL CHECK (kind IN ('clap', 'heart', 'party', 'insight')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (item, "user")
    )
    """,
    """
    CREATE TABLE comment (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        item uuid NOT NULL REFERENCES feed_item(id) ON DELETE CASCADE,
        author uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        body varchar(500) NOT NULL,
        hidden_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX comment_item ON comment (item, created_at)",
    """
    CREATE TABLE kudos (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        giver uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        receiver uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        message varchar(280) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (giver <> receiver)
    )
    """,
    "CREATE INDEX kudos_receiver ON kudos (receiver, created_at DESC)",
    "CREATE INDEX kudos_giver ON kudos (giver, created_at)",
    """
    CREATE TABLE report (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        item uuid NULL REFERENCES feed_item(id) ON DELETE CASCADE,
        comment uuid NULL REFERENCES comment(id) ON DELETE CASCADE,
        reporter uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        reason varchar(300) NOT NULL,
        resolved_at timestamptz NULL,
        resolution varchar(16) NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((item IS NULL) <> (comment IS NULL)),
        UNIQUE NULLS NOT DISTINCT (item, comment, reporter)
    )
    """,
    "CREATE INDEX report_open ON report (org, resolved_at, created_at)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="community", description=DESCRIPTION, statements=STATEMENTS
    )
