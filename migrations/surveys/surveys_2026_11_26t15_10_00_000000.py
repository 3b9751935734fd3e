from backend.db import sql_migration

ID = "2026-11-26T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "pulse surveys: who answered is kept apart from what was answered"

STATEMENTS = [
    """
    CREATE TABLE survey (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        title varchar(120) NOT NULL,
        intro varchar(500) NOT NULL DEFAULT '',
        questions jsonb NOT NULL,
        audience_team_ids uuid[] NOT NULL DEFAULT '{}',
        points integer NOT NULL DEFAULT 0 CHECK (points BETWEEN 0 AND 1000),
        opens_at timestamptz NOT NULL,
        closes_at timestamptz NOT NULL CHECK (closes_at > opens_at),
        created_by uuid NULL REFERENCES app_user(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX survey_org ON survey (org, closes_at)",
    # One answer per person: who took part, with no link to what they said.
    """
    CREATE TABLE survey_participation (
        survey uuid NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
        "user" uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        PRIMARY KEY (survey, "user")
    )
    """,
    # What was said, with no person and no time: answers cannot be traced back to anyone.
    """
    CREATE TABLE survey_answer (
        id uuid PRIMARY KEY,
        survey uuid NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
        answers jsonb NOT NULL
    )
    """,
    "CREATE INDEX survey_answer_survey ON survey_answer (survey)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="surveys", description=DESCRIPTION, statements=STATEMENTS
    )
