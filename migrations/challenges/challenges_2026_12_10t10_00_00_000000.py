from backend.db import sql_migration

ID = "2026-12-10T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "lessons: sections and a quiz whose answers stay on the server, and attempts"

STATEMENTS = [
    "ALTER TABLE challenge DROP CONSTRAINT challenge_kind_check",
    "ALTER TABLE challenge ADD CONSTRAINT challenge_kind_check "
    "CHECK (kind IN ('share', 'story', 'lesson'))",
    # What the employee reads (sections, questions with their options) apart from the answers:
    # the challenge reads join the first and never select the second.
    """
    CREATE TABLE lesson (
        challenge uuid PRIMARY KEY REFERENCES challenge(id) ON DELETE CASCADE,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        sections jsonb NOT NULL,
        questions jsonb NOT NULL,
        answers integer[] NOT NULL,
        pass_mark integer NOT NULL CHECK (pass_mark BETWEEN 0 AND 100),
        CHECK (cardinality(answers) = jsonb_array_length(questions))
    )
    """,
    """
    CREATE TABLE lesson_attempt (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        challenge uuid NOT NULL REFERENCES challenge(id) ON DELETE CASCADE,
        "user" uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        answers integer[] NOT NULL,
        score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
        passed boolean NOT NULL,
        points_awarded integer NOT NULL DEFAULT 0 CHECK (points_awarded >= 0),
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    'CREATE INDEX lesson_attempt_person ON lesson_attempt ("user", challenge)',
    "CREATE INDEX lesson_attempt_org_created ON lesson_attempt (org, created_at)",
    # one paid pass per person and lesson (the ledger's key says the same for the points)
    'CREATE UNIQUE INDEX lesson_attempt_paid ON lesson_attempt (challenge, "user") '
    "WHERE points_awarded > 0",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="challenges", description=DESCRIPTION, statements=STATEMENTS
    )
