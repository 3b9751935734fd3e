from backend.db import sql_migration

ID = "2026-12-03T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "surveys keep their promise: results and points once closed, late accounts apart"

STATEMENTS = [
    # set when an admin closes the survey before its end; its end is then the earlier of the two
    "ALTER TABLE survey ADD COLUMN closed_at timestamptz NULL",
    # set, once, by whoever pays the answering points after the survey closed (in one batch)
    "ALTER TABLE survey ADD COLUMN paid_at timestamptz NULL",
    # Surveys that ended before this migration paid each answer as it came.
    "UPDATE survey SET paid_at = closes_at WHERE closes_at <= now()",
    "CREATE INDEX survey_unpaid ON survey (closes_at) WHERE paid_at IS NULL",
    # false for an answer from an account made after the survey was: it is kept, but neither
    # counts toward the anonymity threshold nor goes into the results (no sock puppets)
    "ALTER TABLE survey_answer ADD COLUMN established boolean NOT NULL DEFAULT true",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="surveys", description=DESCRIPTION, statements=STATEMENTS
    )
