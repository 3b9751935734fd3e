from backend.db import sql_migration

ID = "2026-12-02T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the board outbox: every ledger row waits here until it is on the leaderboards"

STATEMENTS = [
    """
    CREATE TABLE board_outbox (
        ledger bigint PRIMARY KEY REFERENCES points_ledger(id) ON DELETE CASCADE,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        queued_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX board_outbox_org ON board_outbox (org, ledger)",
    # Written by the statement that writes the ledger row, whoever writes it (the points
    # service, a seed, a fix by hand): no ledger row can miss the boards.
    """
    CREATE FUNCTION board_outbox_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO board_outbox (ledger, org) VALUES (NEW.id, NEW.org);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER points_ledger_to_boards AFTER INSERT ON points_ledger
    FOR EACH ROW EXECUTE FUNCTION board_outbox_enqueue()
    """,
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="points", description=DESCRIPTION, statements=STATEMENTS
    )
