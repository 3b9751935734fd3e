from backend.db import sql_migration

ID = "2026-12-01T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "fair play: why a click was set aside, and clicks per address over time"

STATEMENTS = [
    # null for a click that counts (unique); else why it does not: the sharer's own session or
    # an address the sharer uses, the same visitor again, too many clicks from one address,
    # a crawler, or a network's preview bot from outside that network's address ranges
    """
    ALTER TABLE click ADD COLUMN set_aside varchar(16) NULL CHECK (set_aside IN (
        'session', 'sharer_address', 'same_visitor', 'rate_limit', 'bot', 'unverified_bot'))
    """,
    "CREATE INDEX click_org_visitor ON click (org, visitor_hash, at)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="sharing", description=DESCRIPTION, statements=STATEMENTS
    )
