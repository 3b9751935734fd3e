"""A person's profile as the app shows it on Me and Home: account, team, points, level, streak
and badges, gathered from the domains that own each (so it sits above all of them).

Reading it is one query plus the streak; the app asks for it often.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from backend.badges.streaks import streak_for
from backend.core import clock
from backend.core.errors import NotFound
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.orgs.schemas import TeamRef
from backend.orgs.tables import User
from backend.points import service as points_service
from backend.profile.schemas import DayPoints, MeRead, MyPoints
from backend.settings import get_settings

_ME = """
SELECT u.id, u.email, u.display_name, u.role, u.org, o.name AS org_name, u.team,
       t.name AS team_name, u.timezone, u.language, u.hide_from_leaderboards, o.level_thresholds,
       ARRAY(SELECT tl.team FROM team_lead tl WHERE tl."user" = u.id) AS leads,
       (SELECT coalesce(sum(l.delta), 0) FROM points_ledger l WHERE l."user" = u.id) AS points,
       (SELECT coalesce(sum(s.delta), 0) FROM points_spent s
        WHERE s.org = u.org AND s."user" = u.id) AS spent,
       ARRAY(SELECT b.code FROM user_badge ub JOIN badge b ON b.id = ub.badge
             WHERE ub."user" = u.id ORDER BY ub.earned_at) AS badges
FROM app_user u JOIN organization o ON o.id = u.org LEFT JOIN team t ON t.id = u.team
WHERE u.id = {} AND u.org = {}
"""


async def me(user: CurrentUser) -> MeRead:
    """The caller's profile: one query (the streak a second); the app asks for it often."""
    rows = await User.raw(_ME, user.id, user.org_id)
    if not rows:
        raise NotFound(msg("Your account no longer exists."))
    row = rows[0]
    points = int(row["points"])
    streak = await streak_for(user.id, row["timezone"])
    levels = list(row["level_thresholds"] or get_settings().levels)
    level, next_level = points_service.level_for(points, levels)
    return MeRead(
        id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        role=row["role"],
        org_id=row["org"],
        org_name=row["org_name"],
        team=TeamRef(id=row["team"], name=row["team_name"]) if row["team"] else None,
        timezone=row["timezone"],
        language=row["language"],
        hide_from_leaderboards=row["hide_from_leaderboards"],
        leads_team_ids=list(row["leads"]),
        points=points,
        balance=points - int(row["spent"]),
        level=level,
        next_level_points=next_level,
        streak_weeks=streak.weeks,
        streak_freezes=streak.freezes,
        badges=[str(code) for code in row["badges"]],
    )


async def my_points(user: CurrentUser, days: int) -> MyPoints:
    """Daily points over the last `days` days in the person's time zone (today included)."""
    tz_rows = await User.raw("SELECT timezone FROM app_user WHERE id = {}", user.id)
    tz = tz_rows[0]["timezone"] if tz_rows else "UTC"
    zone = ZoneInfo(tz)
    today = clock.now().astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), zone)
    rows = await User.raw(
        "SELECT (created_at AT TIME ZONE {})::date AS day, sum(delta)::int AS points "
        'FROM points_ledger WHERE org = {} AND "user" = {} AND created_at >= {} '
        "GROUP BY 1",
        tz,
        user.org_id,
        user.id,
        start,
    )
    by_day = {r["day"]: int(r["points"]) for r in rows}
    total = await User.raw(
        'SELECT coalesce(sum(delta), 0)::int AS n FROM points_ledger WHERE "user" = {}', user.id
    )
    series = [
        DayPoints(date=first + timedelta(days=i), points=by_day.get(first + timedelta(days=i), 0))
        for i in range(days)
    ]
    return MyPoints(
        days=days,
        timezone=tz,
        total=int(total[0]["n"]),
        in_range=sum(d.points for d in series),
        series=series,
    )
