from backend.db import sql_migration

ID = "2026-11-26T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "organizations, teams, users, team leads, invites"

STATEMENTS = [
    """
    CREATE TABLE organization (
        id uuid PRIMARY KEY,
        name varchar(120) NOT NULL,
        timezone varchar(64) NOT NULL DEFAULT 'UTC',
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE team (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        name varchar(80) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (org, name)
    )
    """,
    "CREATE UNIQUE INDEX team_org_id ON team (org, id)",
    """
    CREATE TABLE app_user (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        email varchar(254) NOT NULL CHECK (email = lower(email)),
        display_name varchar(80) NOT NULL,
        password_hash varchar(255) NOT NULL,
        role varchar(16) NOT NULL DEFAULT 'employee' CHECK (role IN ('employee', 'lead', 'admin')),
        team uuid NULL,
        active boolean NOT NULL DEFAULT true,
        timezone varchar(64) NOT NULL DEFAULT 'UTC',
        hide_from_leaderboards boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz NULL,
        UNIQUE (org, email),
        -- a user's team always belongs to the user's own organization
        FOREIGN KEY (org, team) REFERENCES team (org, id) ON DELETE SET NULL (team)
    )
    """,
    "CREATE INDEX app_user_email ON app_user (email)",
    "CREATE INDEX app_user_org_team ON app_user (org, team)",
    """
    CREATE TABLE team_lead (
        id uuid PRIMARY KEY,
        team uuid NOT NULL REFERENCES team(id) ON DELETE CASCADE,
        "user" uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        UNIQUE (team, "user")
    )
    """,
    'CREATE INDEX team_lead_user ON team_lead ("user")',
    """
    CREATE TABLE invite (
        id uuid PRIMARY KEY,
        org uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        email varchar(254) NOT NULL CHECK (email = lower(email)),
        role varchar(16) NOT NULL CHECK (role IN ('employee', 'lead', 'admin')),
        team uuid NULL,
        token_hash varchar(64) NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz NULL,
        created_by uuid NULL REFERENCES app_user(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (org, team) REFERENCES team (org, id) ON DELETE SET NULL (team)
    )
    """,
    "CREATE INDEX invite_org ON invite (org, created_at)",
]


async def forwards():  # type: ignore[no-untyped-def]
    return sql_migration(
        migration_id=ID, app_name="orgs", description=DESCRIPTION, statements=STATEMENTS
    )
