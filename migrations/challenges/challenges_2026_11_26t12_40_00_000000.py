from backend.db import sql_migration

ID = "2026-11-26T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "team goals on challenges"

STATEMENTS = [
    "ALTER TABLE challenge ADD COLUMN team_goal_shares integer NULL "
    "CHECK (team_goal_shares BETWEEN 1 AND 100000)",
    "ALTER TABLE challenge ADD COLUMN team_goal_bonus integer NOT NULL DEFAULT 0 "
    "CHECK (team_goal_bonus BETWEEN 0 AND 10000)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="challenges", description=DESCRIPTION, statements=STATEMENTS
    )
