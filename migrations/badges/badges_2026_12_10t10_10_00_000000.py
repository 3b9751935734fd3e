from backend.db import sql_migration

ID = "2026-12-10T10:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "badge rules: learners (lessons passed)"

STATEMENTS = [
    "ALTER TABLE badge DROP CONSTRAINT badge_rule_type_check",
    """
    ALTER TABLE badge ADD CONSTRAINT badge_rule_type_check CHECK (rule_type IN (
        'first_share', 'shares_count', 'unique_clicks', 'points', 'networks_used',
        'challenge_completed', 'pillar_champion', 'streak_weeks', 'period_winner',
        'story_teller', 'learner'))
    """,
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="badges", description=DESCRIPTION, statements=STATEMENTS
    )
