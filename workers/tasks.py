"""Thin, idempotent arq tasks that call domain services. Jobs take ids, never objects."""

from __future__ import annotations

import logging
from typing import Any

from backend.orgs.tables import Invite

log = logging.getLogger("chorus.worker")

# Unaccepted invites are kept this long after expiry so an admin can see what lapsed.
EXPIRED_INVITE_RETENTION_DAYS = 30


async def purge_expired_invites(ctx: dict[str, Any]) -> int:
    """Delete invites that expired long ago and were never used; safe to run any number of times."""
    removed = await Invite.raw(
        "DELETE FROM invite WHERE accepted_at IS NULL "
        "AND expires_at < now() - make_interval(days => {}) RETURNING id",
        EXPIRED_INVITE_RETENTION_DAYS,
    )
    if removed:
        log.info("purged expired invites", extra={"count": len(removed)})
    return len(removed)
