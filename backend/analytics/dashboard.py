"""The team-lead dashboard and nudges: how a team's members are doing, and a friendly reminder
to the quiet ones.

Only the team's leads and its organization's admins see a team. A member is nudgeable after
`QUIET_DAYS` without a share or points, and is nudged at most once per ISO week in the
organization's timezone (the notification's dedupe key holds the week).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from backend.analytics.measures import Range, day_range, ratio
from backend.analytics.schemas import (
    DashboardRead,
    MemberActivity,
    Nudged,
    NudgeRead,
    NudgeSkipped,
    Participation,
    TeamRank,
    WeekTrend,
)
from backend.analytics.tables import OfficialLink
from backend.core import clock
from backend.core.errors import Forbidden, NotFound
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.leaderboards.boards import org_timezone
from backend.notifications import service as notifications

QUIET_DAYS = 7  # a member with no share or points for this long may be nudged


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await OfficialLink.raw(sql, *args)  # type: ignore[no-any-return]


async def _team_for(actor: CurrentUser, team_id: UUID) -> dict[str, Any]:
    """The team, if the caller may see it: its lead, or an admin of its organization."""
    rows = await _rows(
        "SELECT id, name FROM team WHERE id = {} AND org = {}", team_id, actor.org_id
    )
    if not rows:
        raise NotFound(msg("No such team in your organization."))
    if actor.role != "admin":
        leads = await _rows(
            'SELECT 1 FROM team_lead WHERE team = {} AND "user" = {}', team_id, actor.id
        )
        if not leads:
            raise Forbidden(msg("Only this team's leads and admins can see its dashboard."))
    return rows[0]


async def _last_activity(user_ids: list[UUID]) -> dict[UUID, datetime]:
    if not user_ids:
        return {}
    rows = await _rows(
        'SELECT u, max(at) AS at FROM (SELECT "user" AS u, created_at AS at FROM submission '
        'WHERE "user" = ANY({}::uuid[]) UNION ALL SELECT "user", created_at FROM points_ledger '
        'WHERE "user" = ANY({}::uuid[]) AND delta > 0) AS activity GROUP BY u',
        user_ids,
        user_ids,
    )
    return {r["u"]: r["at"] for r in rows}


async def _quiet_since(user_ids: list[UUID]) -> dict[UUID, datetime]:
    """Since when each person has been quiet: their last activity, or when they joined (a
    newcomer is not "quiet" in their first days)."""
    since = await _last_activity(user_ids)
    if user_ids:
        for r in await _rows(
            "SELECT id, created_at FROM app_user WHERE id = ANY({}::uuid[])", user_ids
        ):
            last = since.get(r["id"])
            since[r["id"]] = r["created_at"] if last is None else max(last, r["created_at"])
    return since


async def _last_nudged(user_ids: list[UUID]) -> dict[UUID, datetime]:
    if not user_ids:
        return {}
    rows = await _rows(
        'SELECT "user", max(created_at) AS at FROM notification '
        'WHERE category = \'nudge\' AND "user" = ANY({}::uuid[]) GROUP BY "user"',
        user_ids,
    )
    return {r["user"]: r["at"] for r in rows}


def _week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _nudgeable(last_active: datetime | None, last_nudged: datetime | None, zone: ZoneInfo) -> bool:
    now = clock.now()
    if last_active is not None and now - last_active < timedelta(days=QUIET_DAYS):
        return False
    if last_nudged is not None:
        this_week = _week_label(now.astimezone(zone).date())
        if _week_label(last_nudged.astimezone(zone).date()) == this_week:
            return False
    return True


async def dashboard(
    actor: CurrentUser, team_id: UUID, first: date | None, last: date | None, min_team_size: int
) -> DashboardRead:
    team = await _team_for(actor, team_id)
    span = await day_range(actor.org_id, first, last)
    zone = ZoneInfo(span.timezone)
    people = await _rows(
        "SELECT id, display_name FROM app_user WHERE org = {} AND team = {} AND active "
        "ORDER BY display_name, id",
        actor.org_id,
        team_id,
    )
    ids = [p["id"] for p in people]
    per_user: dict[UUID, dict[str, int]] = defaultdict(
        lambda: {"points": 0, "shares": 0, "clicks": 0}
    )
    if ids:
        for r in await _rows(
            'SELECT "user" AS u, sum(delta) AS n FROM points_ledger WHERE "user" = ANY({}::uuid[]) '
            'AND created_at >= {} AND created_at < {} GROUP BY "user"',
            ids,
            span.start,
            span.end,
        ):
            per_user[r["u"]]["points"] = int(r["n"])
        for r in await _rows(
            'SELECT "user" AS u, count(*) AS n FROM submission WHERE "user" = ANY({}::uuid[]) '
            "AND status = 'verified' AND created_at >= {} AND created_at < {} GROUP BY \"user\"",
            ids,
            span.start,
            span.end,
        ):
            per_user[r["u"]]["shares"] = int(r["n"])
        for r in await _rows(
            "SELECT sharer AS u, count(*) AS n FROM click WHERE org = {} AND kind = 'unique' "
            "AND sharer = ANY({}::uuid[]) AND at >= {} AND at < {} GROUP BY sharer",
            actor.org_id,
            ids,
            span.start,
            span.end,
        ):
            per_user[r["u"]]["clicks"] = int(r["n"])
    active = await _last_activity(ids)
    quiet = await _quiet_since(ids)
    nudged = await _last_nudged(ids)
    members = [
        MemberActivity(
            user_id=p["id"],
            display_name=p["display_name"],
            points=per_user[p["id"]]["points"],
            verified_shares=per_user[p["id"]]["shares"],
            unique_clicks=per_user[p["id"]]["clicks"],
            last_active_at=active.get(p["id"]),
            last_nudged_at=nudged.get(p["id"]),
            nudgeable=p["id"] != actor.id
            and _nudgeable(quiet.get(p["id"]), nudged.get(p["id"]), zone),
        )
        for p in people
    ]
    storytellers = (
        {
            r["author"]
            for r in await _rows(
                "SELECT DISTINCT author FROM story WHERE author = ANY({}::uuid[]) "
                "AND status = 'published' AND published_at >= {} AND published_at < {}",
                ids,
                span.start,
                span.end,
            )
        }
        if ids
        else set()
    )
    # a published story is taking part as much as a verified share
    participants = sum(1 for m in members if m.verified_shares > 0 or m.user_id in storytellers)
    return DashboardRead(
        team_id=team["id"],
        name=team["name"],
        from_date=span.first,
        to_date=span.last,
        members=members,
        participation=Participation(
            active=participants, members=len(members), rate=ratio(participants, len(members))
        ),
        trend=await _trend(team_id, ids, span),
        rank=await _rank(actor.org_id, team_id, span, min_team_size),
        points=sum(m.points for m in members),
        verified_shares=sum(m.verified_shares for m in members),
        unique_clicks=sum(m.unique_clicks for m in members),
    )


async def _trend(team_id: UUID, ids: list[UUID], span: Range) -> list[WeekTrend]:
    """Week by week (ISO weeks in the organization's timezone) across the range."""
    weeks: dict[date, dict[str, Any]] = {}
    day = span.first - timedelta(days=span.first.weekday())
    while day <= span.last:
        weeks[day] = {"points": 0, "shares": 0, "active": 0}
        day += timedelta(days=7)
    tz = span.timezone
    for r in await _rows(
        "SELECT date_trunc('week', created_at AT TIME ZONE {})::date AS week, sum(delta) AS n "
        "FROM points_ledger WHERE team = {} AND created_at >= {} AND created_at < {} GROUP BY 1",
        tz,
        team_id,
        span.start,
        span.end,
    ):
        if r["week"] in weeks:
            weeks[r["week"]]["points"] = int(r["n"])
    if ids:
        for r in await _rows(
            "SELECT date_trunc('week', created_at AT TIME ZONE {})::date AS week, count(*) AS n, "
            'count(DISTINCT "user") AS people FROM submission WHERE "user" = ANY({}::uuid[]) '
            "AND status = 'verified' AND created_at >= {} AND created_at < {} GROUP BY 1",
            tz,
            ids,
            span.start,
            span.end,
        ):
            if r["week"] in weeks:
                weeks[r["week"]]["shares"] = int(r["n"])
                weeks[r["week"]]["active"] = int(r["people"])
    return [
        WeekTrend(
            week=_week_label(start),
            starts_on=start,
            points=w["points"],
            verified_shares=w["shares"],
            active_members=w["active"],
        )
        for start, w in sorted(weeks.items())
    ]


async def _rank(org_id: UUID, team_id: UUID, span: Range, min_team_size: int) -> TeamRank:
    rows = await _rows(
        "SELECT t.id, coalesce(p.points, 0) AS points, "
        "(SELECT count(*) FROM app_user u WHERE u.team = t.id AND u.active) AS members "
        "FROM team t LEFT JOIN (SELECT team, sum(delta) AS points FROM points_ledger "
        "WHERE org = {} AND created_at >= {} AND created_at < {} GROUP BY team) p "
        "ON p.team = t.id WHERE t.org = {}",
        org_id,
        span.start,
        span.end,
        org_id,
    )
    points = {r["id"]: int(r["points"]) for r in rows}
    sizes = {r["id"]: int(r["members"]) for r in rows}
    mine = points.get(team_id, 0)
    total_rank = 1 + sum(1 for p in points.values() if p > mine)  # competition ranking
    per_capita = {t: points[t] / sizes[t] for t in points if sizes[t] >= max(min_team_size, 1)}
    mine_pc = per_capita.get(team_id)
    return TeamRank(
        total=total_rank,
        per_capita=round(mine / sizes[team_id], 2) if sizes.get(team_id) else None,
        per_capita_rank=(
            1 + sum(1 for v in per_capita.values() if v > mine_pc) if mine_pc is not None else None
        ),
        teams=len(points),
    )


async def nudge(
    actor: CurrentUser, team_id: UUID, user_ids: list[UUID] | None
) -> tuple[NudgeRead, list[UUID]]:
    """A friendly reminder to quiet members: once a week each at most, inside their own
    notification budget. Returns the answer and the notifications to push now."""
    team = await _team_for(actor, team_id)
    zone = ZoneInfo(await org_timezone(actor.org_id))
    people = await _rows(
        "SELECT id FROM app_user WHERE org = {} AND team = {} AND active", actor.org_id, team_id
    )
    in_team = [p["id"] for p in people]
    active = await _quiet_since(in_team)
    # By default everyone in the team but the one nudging.
    wanted = list(dict.fromkeys(user_ids)) if user_ids else [u for u in in_team if u != actor.id]
    nudged: list[Nudged] = []
    skipped: list[NudgeSkipped] = []
    to_push: list[UUID] = []
    week = _week_label(clock.now().astimezone(zone).date())
    for user_id in wanted:
        if user_id not in in_team:
            skipped.append(NudgeSkipped(user_id=user_id, reason="not_in_team"))
            continue
        last = active.get(user_id)
        if last is not None and clock.now() - last < timedelta(days=QUIET_DAYS):
            skipped.append(NudgeSkipped(user_id=user_id, reason="active"))
            continue
        made = await notifications.notify(
            actor.org_id,
            user_id,
            "nudge",
            msg("{team} could use your voice", team=team["name"]),
            msg(
                "A new challenge takes two minutes — your team would love to see you on the board."
            ),
            "/",
            dedupe_key=f"nudge:{user_id}:{week}",
        )
        if made is None:
            skipped.append(NudgeSkipped(user_id=user_id, reason="nudged_this_week"))
            continue
        notification_id, state = made
        if state == "queued":
            to_push.append(notification_id)
        nudged.append(Nudged(user_id=user_id, delivery="push" if state == "queued" else "inbox"))
    return NudgeRead(nudged=nudged, skipped=skipped), to_push
