from backend.db import sql_migration

ID = "2026-11-26T12:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "badge rules: period winners, story tellers (reserved)"

STATEMENTS = [
    "ALTER TABLE badge ADD COLUMN period varchar(8) NULL CHECK (period IN ('week', 'month'))",
    "ALTER TABLE badge DROP CONSTRAINT badge_rule_type_check",
    """
    ALTER TABLE badge ADD CONSTRAINT badge_rule_type_check CHECK (rule_type IN (
        'first_share', 'shares_count', 'unique_clicks', 'points', 'networks_used',
        'challenge_completed', 'pillar_champion', 'streak_weeks', 'period_winner',
        'story_teller'))
    """,
    "ALTER TABLE badge ADD CONSTRAINT badge_period_rule CHECK "
    "((rule_type = 'period_winner') = (period IS NOT NULL))",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="badges", description=DESCRIPTION, statements=STATEMENTS
    )
