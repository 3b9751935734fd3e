"""The console's home: what needs an admin's (or a lead's) action now, and this week's
participation. Counts only, each one indexed query, so the home page stays cheap."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from backend.analytics.measures import ratio
from backend.analytics.schemas import Overview, WeekParticipation
from backend.analytics.tables import OfficialLink
from backend.core import clock
from backend.core.identity import CurrentUser
from backend.leaderboards.boards import org_timezone
from backend.rewards import service as rewards


async def _one(sql: str, *args: Any) -> int:
    rows = await OfficialLink.raw(sql, *args)
    return int(rows[0]["n"]) if rows else 0


async def week_start(org_id: UUID) -> datetime:
    """Monday 00:00 of this week in the organization's time zone."""
    zone = ZoneInfo(await org_timezone(org_id))
    local = clock.now().astimezone(zone)
    monday = (local - timedelta(days=local.weekday())).date()
    return datetime.combine(monday, datetime.min.time(), zone)


async def _participation(org_id: UUID, team_ids: list[UUID] | None) -> WeekParticipation:
    """People who earned points this week (a verified share, a published story, a quiz...)
    among the active people (of these teams, when given)."""
    since = await week_start(org_id)
    scope = "" if team_ids is None else " AND u.team = ANY({}::uuid[])"
    extra: list[Any] = [] if team_ids is None else [team_ids]
    total = await _one(
        "SELECT count(*) AS n FROM app_user u WHERE u.org = {} AND u.active" + scope,  # noqa: S608 (constants)
        org_id,
        *extra,
    )
    active = await _one(
        "SELECT count(DISTINCT u.id) AS n FROM app_user u JOIN points_ledger l "  # noqa: S608
        'ON l."user" = u.id AND l.org = u.org AND l.delta > 0 AND l.created_at >= {} '
        "WHERE u.org = {} AND u.active" + scope,
        since,
        org_id,
        *extra,
    )
    return WeekParticipation(active=active, total=total, rate=ratio(active, total) or 0.0)


async def admin_overview(org_id: UUID) -> Overview:
    now = clock.now()
    return Overview(
        to_review=await _one(
            "SELECT (SELECT count(*) FROM submission WHERE org = {} AND status = 'needs_review')"
            " + (SELECT count(*) FROM story WHERE org = {} AND status = 'submitted') AS n",
            org_id,
            org_id,
        ),
        reports=await _one(
            "SELECT count(*) AS n FROM report WHERE org = {} AND resolved_at IS NULL", org_id
        ),
        pending_invites=await _one(
            "SELECT count(*) AS n FROM invite WHERE org = {} AND accepted_at IS NULL "
            "AND revoked_at IS NULL AND expires_at > now()",
            org_id,
        ),
        redemptions=await rewards.requested_count(org_id),
        active_challenges=await _one(
            "SELECT count(*) AS n FROM challenge WHERE org = {} AND state = 'published' "
            "AND starts_at <= {} AND ends_at > {}",
            org_id,
            now,
            now,
        ),
        participation_this_week=await _participation(org_id, None),
    )


async def lead_overview(actor: CurrentUser) -> Overview:
    """The same counts for the teams a lead leads (what needs review is the admins' work)."""
    rows = await OfficialLink.raw('SELECT team FROM team_lead WHERE "user" = {}', actor.id)
    teams = [r["team"] for r in rows]
    now = clock.now()
    return Overview(
        to_review=0,
        reports=0,
        pending_invites=await _one(
            "SELECT count(*) AS n FROM invite WHERE org = {} AND team = ANY({}::uuid[]) "
            "AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()",
            actor.org_id,
            teams,
        ),
        redemptions=0,
        active_challenges=await _one(
            "SELECT count(*) AS n FROM challenge WHERE org = {} AND state = 'published' "
            "AND starts_at <= {} AND ends_at > {} AND (cardinality(audience_team_ids) = 0 "
            "OR audience_team_ids && {}::uuid[])",
            actor.org_id,
            now,
            now,
            teams,
        ),
        participation_this_week=await _participation(actor.org_id, teams),
    )
