from backend.db import sql_migration

ID = "2026-11-26T11:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the append-only points ledger"

STATEMENTS = [
    """
    CREATE TABLE points_ledger (
        id bigserial PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        "user" uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        team uuid NULL,            -- the user's team when the points were earned
        delta integer NOT NULL CHECK (delta <> 0),
        reason varchar(32) NOT NULL,
        challenge uuid NULL,
        submission uuid NULL,
        click uuid NULL,
        idempotency_key varchar(200) NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    'CREATE INDEX points_ledger_user ON points_ledger (org, "user")',
    "CREATE INDEX points_ledger_org_time ON points_ledger (org, created_at)",
    "CREATE INDEX points_ledger_submission ON points_ledger (submission) WHERE submission IS NOT NULL",
    # Append-only: rows are never changed or removed, only compensated by new rows.
    """
    CREATE FUNCTION points_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'points_ledger is append-only: add a compensating row instead';
    END $$
    """,
    """
    CREATE TRIGGER points_ledger_no_update BEFORE UPDATE ON points_ledger
    FOR EACH ROW EXECUTE FUNCTION points_ledger_append_only()
    """,
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="points", description=DESCRIPTION, statements=STATEMENTS
    )
