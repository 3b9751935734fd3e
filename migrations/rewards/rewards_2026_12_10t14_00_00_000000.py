from backend.db import sql_migration

ID = "2026-12-10T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rewards: a catalogue, redemptions, a spending ledger of its own, raffles"

STATEMENTS = [
    """
    CREATE TABLE reward (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        name varchar(120) NOT NULL,
        description varchar(2000) NOT NULL DEFAULT '',
        image_url varchar(2048) NULL,
        cost integer NOT NULL CHECK (cost > 0),
        stock integer NULL CHECK (stock >= 0),          -- units in all; NULL: unlimited
        held integer NOT NULL DEFAULT 0 CHECK (held >= 0),
        fulfilled integer NOT NULL DEFAULT 0 CHECK (fulfilled >= 0),
        per_person_limit integer NULL CHECK (per_person_limit >= 1),
        starts_at timestamptz NULL,
        ends_at timestamptz NULL,
        audience_team_ids uuid[] NOT NULL DEFAULT '{}',
        value_cents bigint NULL CHECK (value_cents >= 0),
        active boolean NOT NULL DEFAULT true,
        created_by uuid NULL REFERENCES app_user(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- never more units promised than there are: the last line against overselling
        CONSTRAINT reward_not_oversold CHECK (stock IS NULL OR held + fulfilled <= stock),
        CONSTRAINT reward_window CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)
    )
    """,
    "CREATE INDEX reward_org ON reward (org, created_at)",
    """
    CREATE TABLE redemption (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        reward uuid NOT NULL REFERENCES reward(id) ON DELETE CASCADE,
        "user" uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        cost integer NOT NULL CHECK (cost >= 0),        -- the price when it was made
        value_cents bigint NULL,                        -- the reward's money value then
        status varchar(16) NOT NULL DEFAULT 'requested'
            CHECK (status IN ('requested', 'fulfilled', 'rejected')),
        note varchar(1000) NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz NULL,
        decided_by uuid NULL REFERENCES app_user(id) ON DELETE SET NULL,
        CHECK ((status = 'requested') = (decided_at IS NULL))
    )
    """,
    "CREATE INDEX redemption_queue ON redemption (org, status, created_at, id)",
    'CREATE INDEX redemption_user ON redemption ("user", created_at, id)',
    'CREATE INDEX redemption_reward_user ON redemption (reward, "user")',
    # Spending, apart from points_ledger on purpose: the boards, levels and badges read that
    # ledger and must never see a point spent. +cost when a redemption holds its points,
    # -cost when a rejection gives them back. Append-only like points_ledger.
    """
    CREATE TABLE points_spent (
        id bigserial PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        "user" uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        redemption uuid NOT NULL REFERENCES redemption(id) ON DELETE CASCADE,
        delta integer NOT NULL CHECK (delta <> 0),
        reason varchar(32) NOT NULL,
        idempotency_key varchar(200) NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    'CREATE INDEX points_spent_user ON points_spent (org, "user")',
    """
    CREATE FUNCTION points_spent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'points_spent is append-only: add a compensating row instead';
    END $$
    """,
    """
    CREATE TRIGGER points_spent_no_update BEFORE UPDATE ON points_spent
    FOR EACH ROW EXECUTE FUNCTION points_spent_append_only()
    """,
    """
    CREATE TABLE raffle (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        name varchar(120) NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL CHECK (period_end > period_start),
        winner_count integer NOT NULL CHECK (winner_count BETWEEN 1 AND 100),
        points_per_ticket integer NOT NULL CHECK (points_per_ticket > 0),
        max_tickets_per_person integer NOT NULL CHECK (max_tickets_per_person > 0),
        reward uuid NULL REFERENCES reward(id) ON DELETE SET NULL,
        algorithm varchar(32) NOT NULL,
        seed varchar(64) NOT NULL,                      -- hex; shown only once drawn
        seed_sha256 varchar(64) NOT NULL,               -- published from the start
        entries jsonb NULL,                             -- the frozen ticket list
        winners jsonb NULL,
        drawn_at timestamptz NULL,
        created_by uuid NULL REFERENCES app_user(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX raffle_org ON raffle (org, created_at)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="rewards", description=DESCRIPTION, statements=STATEMENTS
    )
