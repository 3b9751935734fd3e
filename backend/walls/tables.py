"""Office walls: secret, revocable URLs that show an organization's live board on a screen.
The schema lives in migrations/walls/.

Only a keyed hash of a wall's secret is stored (HMAC with the "walls" key derived from
CHORUS_SECRET_KEY): a read of this table, a backup or a replica, cannot open a live wall.
"""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, Team, User


class Wall(Table, tablename="wall", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    # a team's wall shows that team's board; the wall goes with its team
    team = ForeignKey(references=Team, null=True, on_delete=OnDelete.cascade)
    name = Varchar(length=80)
    period = Varchar(length=8, default="week")  # week | month | all
    secret_hash = Varchar(length=64, unique=True)  # HMAC-SHA256 hex; never the secret
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(null=True, default=None)  # to the minute
    revoked_at = Timestamptz(null=True, default=None)
