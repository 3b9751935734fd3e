from backend.db import sql_migration

ID = "2026-11-26T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "share submissions and their verification"

STATEMENTS = [
    """
    CREATE TABLE submission (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        challenge uuid NOT NULL,
        "user" uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        network varchar(16) NOT NULL
            CHECK (network IN ('linkedin', 'x', 'facebook', 'email', 'whatsapp')),
        post_url varchar(2048) NULL,
        -- the post's identity on its network (e.g. x:<status id>): one claim per post, ever
        post_key varchar(400) NULL UNIQUE,
        status varchar(16) NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'verified', 'rejected', 'needs_review', 'revoked')),
        points_awarded integer NOT NULL DEFAULT 0,
        reason varchar(500) NULL,
        evidence jsonb NOT NULL DEFAULT '[]'::jsonb,
        checks integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz NULL,
        reviewed_by uuid NULL REFERENCES app_user(id) ON DELETE SET NULL,
        review_note varchar(500) NULL,
        UNIQUE ("user", challenge),
        FOREIGN KEY (org, challenge) REFERENCES challenge (org, id) ON DELETE CASCADE
    )
    """,
    "CREATE INDEX submission_queue ON submission (org, status, created_at, id)",
    "CREATE INDEX submission_challenge ON submission (challenge, status)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="submissions", description=DESCRIPTION, statements=STATEMENTS
    )
