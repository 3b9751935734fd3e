from backend.db import sql_migration

ID = "2026-11-26T13:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "push subscriptions, the in-app inbox and notification preferences"

STATEMENTS = [
    """
    CREATE TABLE push_subscription (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        "user" uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        endpoint varchar(2048) NOT NULL UNIQUE,
        p256dh varchar(200) NOT NULL,
        auth varchar(100) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_success_at timestamptz NULL,
        failures integer NOT NULL DEFAULT 0
    )
    """,
    'CREATE INDEX push_subscription_user ON push_subscription ("user")',
    """
    CREATE TABLE notification (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        "user" uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        category varchar(24) NOT NULL,
        title varchar(120) NOT NULL,
        body varchar(500) NOT NULL,
        url varchar(500) NOT NULL DEFAULT '/',
        urgent boolean NOT NULL DEFAULT false,
        -- queued/sent: on the phone; held: the budget kept it in the inbox; off: preference
        push_state varchar(8) NOT NULL CHECK (push_state IN ('queued', 'sent', 'held', 'off')),
        held_reason varchar(24) NULL,
        dedupe_key varchar(200) NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz NULL
    )
    """,
    'CREATE INDEX notification_inbox ON notification ("user", created_at DESC, id)',
    """
    CREATE TABLE notification_prefs (
        "user" uuid PRIMARY KEY REFERENCES app_user(id) ON DELETE CASCADE,
        categories jsonb NOT NULL DEFAULT '{}'::jsonb,
        quiet_start smallint NULL CHECK (quiet_start BETWEEN 0 AND 23),
        quiet_end smallint NULL CHECK (quiet_end BETWEEN 0 AND 23),
        daily_cap smallint NOT NULL DEFAULT 3 CHECK (daily_cap BETWEEN 0 AND 50)
    )
    """,
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="notifications", description=DESCRIPTION, statements=STATEMENTS
    )
