"""Impact analytics, the team-lead dashboard, nudges and official brand links.

Every figure is SQL over the truth (submissions, the clicks table, the points ledger) for one
organization and a range of whole days in the organization's timezone; the grouped rows are
small (per challenge x network x team), so the slices are summed here from one set of queries.
"""

from __future__ import annotations

import csv
import io
import secrets
import string
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from backend import clock
from backend.analytics.schemas import (
    Amplification,
    AnalyticsRead,
    ChallengeMetrics,
    DashboardRead,
    MemberActivity,
    Metrics,
    NetworkMetrics,
    Nudged,
    NudgeRead,
    NudgeSkipped,
    OfficialLinkCreate,
    OfficialLinkRead,
    Participation,
    PillarMetrics,
    TeamMetrics,
    TeamRank,
    WeekTrend,
)
from backend.analytics.tables import OfficialLink
from backend.errors import Forbidden, Invalid, NotFound
from backend.fetch import ascii_url, check_public_url
from backend.leaderboards.boards import org_timezone
from backend.notifications import service as notifications
from backend.security import CurrentUser

MAX_RANGE_DAYS = 366
QUIET_DAYS = 7  # a member with no share or points for this long may be nudged


@dataclass(frozen=True)
class Range:
    first: date
    last: date  # inclusive
    start: datetime
    end: datetime  # exclusive
    timezone: str


async def day_range(org_id: UUID, first: date | None, last: date | None) -> Range:
    """Whole days in the organization's timezone; the last 30 days by default."""
    tz = await org_timezone(org_id)
    zone = ZoneInfo(tz)
    today = clock.now().astimezone(zone).date()
    last = last or today
    first = first or last - timedelta(days=29)
    if first > last:
        raise Invalid("`from` must be on or before `to`.")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise Invalid(f"A range covers at most {MAX_RANGE_DAYS} days.")
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return Range(first, last, start, end, tz)


def _ratio(part: float, whole: float, digits: int = 3) -> float | None:
    return round(part / whole, digits) if whole else None


@dataclass
class _Tally:
    claimed: int = 0
    verified: int = 0
    clicks: int = 0
    points: int = 0
    participants: set[UUID] = field(default_factory=set)

    def metrics(self, members: int) -> dict[str, Any]:
        return {
            "shares_claimed": self.claimed,
            "shares_verified": self.verified,
            "unique_clicks": self.clicks,
            "clicks_per_share": _ratio(self.clicks, self.verified, 2),
            "participants": len(self.participants),
            "members": members,
            "participation_rate": _ratio(len(self.participants), members),
            "points_awarded": self.points,
        }


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await OfficialLink.raw(sql, *args)  # type: ignore[no-any-return]


async def analytics(org_id: UUID, first: date | None, last: date | None) -> AnalyticsRead:
    """Shares, clicks, participation and points per challenge, pillar, team and network."""
    span = await day_range(org_id, first, last)
    members = await _rows("SELECT id, team FROM app_user WHERE org = {} AND active", org_id)
    team_of = {m["id"]: m["team"] for m in members}
    team_sizes: dict[UUID | None, int] = defaultdict(int)
    for m in members:
        team_sizes[m["team"]] += 1
    challenges = {
        r["id"]: r
        for r in await _rows(
            "SELECT id, title, pillar, audience_team_ids, state, starts_at, ends_at "
            "FROM challenge WHERE org = {}",
            org_id,
        )
    }
    pillars = {
        r["id"]: r["title"]
        for r in await _rows("SELECT id, title FROM pillar WHERE org = {}", org_id)
    }
    teams = {
        r["id"]: r["name"] for r in await _rows("SELECT id, name FROM team WHERE org = {}", org_id)
    }

    submissions = await _rows(
        "SELECT challenge, network, \"user\", status = 'verified' AS verified, count(*) AS n "
        "FROM submission WHERE org = {} AND created_at >= {} AND created_at < {} "
        "GROUP BY challenge, network, \"user\", status = 'verified'",
        org_id,
        span.start,
        span.end,
    )
    clicks = await _rows(
        "SELECT challenge, network, sharer, count(*) AS n FROM click "
        "WHERE org = {} AND kind = 'unique' AND at >= {} AND at < {} "
        "GROUP BY challenge, network, sharer",
        org_id,
        span.start,
        span.end,
    )
    points = await _rows(
        "SELECT l.challenge, coalesce(s.network, k.network) AS network, l.team, "
        "sum(l.delta) AS n FROM points_ledger l "
        "LEFT JOIN submission s ON s.id = l.submission "
        "LEFT JOIN click k ON k.id = l.click "
        "WHERE l.org = {} AND l.created_at >= {} AND l.created_at < {} "
        "GROUP BY l.challenge, coalesce(s.network, k.network), l.team",
        org_id,
        span.start,
        span.end,
    )

    total = _Tally()
    by_challenge: dict[UUID, _Tally] = defaultdict(_Tally)
    by_pillar: dict[UUID | None, _Tally] = defaultdict(_Tally)
    by_team: dict[UUID | None, _Tally] = defaultdict(_Tally)
    by_network: dict[str, _Tally] = defaultdict(_Tally)

    def slices(challenge: UUID | None, network: str | None, team: UUID | None) -> list[_Tally]:
        found = [total, by_team[team]]
        if challenge is not None:
            found.append(by_challenge[challenge])
            found.append(
                by_pillar[challenges[challenge]["pillar"]] if challenge in challenges else total
            )
        if network is not None:
            found.append(by_network[network])
        return list({id(t): t for t in found}.values())

    for r in submissions:
        for tally in slices(r["challenge"], r["network"], team_of.get(r["user"])):
            tally.claimed += r["n"]
            if r["verified"]:
                tally.verified += r["n"]
                tally.participants.add(r["user"])
    for r in clicks:
        for tally in slices(r["challenge"], r["network"], team_of.get(r["sharer"])):
            tally.clicks += r["n"]
    for r in points:
        for tally in slices(r["challenge"], r["network"], r["team"]):
            tally.points += int(r["n"])

    # Challenges that ran during the range are listed even when nothing happened on them.
    for cid, c in challenges.items():
        if c["state"] == "published" and c["starts_at"] < span.end and c["ends_at"] > span.start:
            by_challenge.setdefault(cid, _Tally())

    org_members = len(members)

    def audience(cid: UUID) -> int:
        audience_ids = challenges[cid]["audience_team_ids"] if cid in challenges else []
        if not audience_ids:
            return org_members
        return sum(team_sizes[t] for t in audience_ids)

    official_posts, official_clicks = await _official_totals(org_id, span)
    per_share = _ratio(total.clicks, total.verified, 2)
    per_post = _ratio(official_clicks, official_posts, 2)
    return AnalyticsRead(
        from_date=span.first,
        to_date=span.last,
        timezone=span.timezone,
        totals=Metrics(**total.metrics(org_members)),
        by_challenge=sorted(
            (
                ChallengeMetrics(
                    challenge_id=cid,
                    title=challenges[cid]["title"] if cid in challenges else "(deleted)",
                    **t.metrics(audience(cid)),
                )
                for cid, t in by_challenge.items()
            ),
            key=lambda m: (-m.shares_verified, -m.unique_clicks, m.title),
        ),
        by_pillar=sorted(
            (
                PillarMetrics(
                    pillar_id=pid,
                    title=pillars.get(pid, "No pillar") if pid else "No pillar",
                    **t.metrics(org_members),
                )
                for pid, t in by_pillar.items()
            ),
            key=lambda m: (-m.shares_verified, m.title),
        ),
        by_team=sorted(
            (
                TeamMetrics(
                    team_id=tid,
                    name=teams.get(tid, "No team") if tid else "No team",
                    **t.metrics(team_sizes.get(tid, 0)),
                )
                for tid, t in by_team.items()
                if tid is not None or t.claimed or t.clicks or t.points
            ),
            key=lambda m: (-m.points_awarded, m.name),
        ),
        by_network=sorted(
            (NetworkMetrics(network=n, **t.metrics(org_members)) for n, t in by_network.items()),
            key=lambda m: (-m.shares_verified, m.network),
        ),
        amplification=Amplification(
            official_posts=official_posts,
            official_unique_clicks=official_clicks,
            clicks_per_official_post=per_post,
            clicks_per_employee_share=per_share,
            ratio=round(per_share / per_post, 2) if per_share is not None and per_post else None,
        ),
    )


async def _official_totals(org_id: UUID, span: Range) -> tuple[int, int]:
    rows = await _rows(
        "SELECT (SELECT count(*) FROM official_link WHERE org = {} AND created_at < {}) AS posts, "
        "(SELECT count(*) FROM official_click WHERE org = {} AND kind = 'unique' "
        "AND at >= {} AND at < {}) AS clicks",
        org_id,
        span.end,
        org_id,
        span.start,
        span.end,
    )
    return int(rows[0]["posts"]), int(rows[0]["clicks"])


CSV_COLUMNS = [
    "shares_claimed",
    "shares_verified",
    "unique_clicks",
    "clicks_per_share",
    "participants",
    "members",
    "participation_rate",
    "points_awarded",
]


def analytics_csv(report: AnalyticsRead) -> str:
    """The report as one CSV table: a row per slice, the slice's kind and name first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["slice", "id", "name", *CSV_COLUMNS])

    def row(kind: str, ident: Any, name: str, m: Metrics) -> None:
        values = [getattr(m, c) for c in CSV_COLUMNS]
        # A name starting with = + - @ would run as a formula in a spreadsheet: quote it.
        safe = "'" + name if name[:1] in ("=", "+", "-", "@", "\t", "\r") else name
        writer.writerow(
            [
                kind,
                "" if ident is None else str(ident),
                safe,
                *["" if v is None else v for v in values],
            ]
        )

    row("total", None, f"{report.from_date} to {report.to_date}", report.totals)
    for c in report.by_challenge:
        row("challenge", c.challenge_id, c.title, c)
    for p in report.by_pillar:
        row("pillar", p.pillar_id, p.title, p)
    for t in report.by_team:
        row("team", t.team_id, t.name, t)
    for n in report.by_network:
        row("network", None, n.network, n)
    a = report.amplification
    writer.writerow([])
    writer.writerow(
        [
            "amplification",
            "official_posts",
            "official_unique_clicks",
            "clicks_per_official_post",
            "clicks_per_employee_share",
            "ratio",
        ]
    )
    writer.writerow(
        [
            "",
            a.official_posts,
            a.official_unique_clicks,
            *[
                "" if v is None else v
                for v in (a.clicks_per_official_post, a.clicks_per_employee_share, a.ratio)
            ],
        ]
    )
    return out.getvalue()


# -- the team-lead dashboard ------------------------------------------------------------------


async def _team_for(actor: CurrentUser, team_id: UUID) -> dict[str, Any]:
    """The team, if the caller may see it: its lead, or an admin of its organization."""
    rows = await _rows(
        "SELECT id, name FROM team WHERE id = {} AND org = {}", team_id, actor.org_id
    )
    if not rows:
        raise NotFound("No such team in your organization.")
    if actor.role != "admin":
        leads = await _rows(
            'SELECT 1 FROM team_lead WHERE team = {} AND "user" = {}', team_id, actor.id
        )
        if not leads:
            raise Forbidden("Only this team's leads and admins can see its dashboard.")
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
            and _nudgeable(active.get(p["id"]), nudged.get(p["id"]), zone),
        )
        for p in people
    ]
    participants = sum(1 for m in members if m.verified_shares > 0)
    return DashboardRead(
        team_id=team["id"],
        name=team["name"],
        from_date=span.first,
        to_date=span.last,
        members=members,
        participation=Participation(
            active=participants, members=len(members), rate=_ratio(participants, len(members))
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
    active = await _last_activity(in_team)
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
            f"{team['name']} could use your voice",
            "A new challenge takes two minutes — your team would love to see you on the board.",
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


# -- official links ---------------------------------------------------------------------------

_ALPHABET = string.ascii_letters + string.digits


def _official_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


async def create_official_link(
    actor: CurrentUser, data: OfficialLinkCreate, base_url: str
) -> OfficialLinkRead:
    try:
        url = ascii_url(check_public_url(data.url))
    except ValueError as exc:
        raise Invalid(f"url: {exc}") from exc
    link_id, code = uuid4(), _official_code()
    await OfficialLink.raw(
        "INSERT INTO official_link (id, org, code, label, network, target_url, created_by) "
        "VALUES ({}, {}, {}, {}, {}, {}, {})",
        link_id,
        actor.org_id,
        code,
        data.label.strip(),
        data.network,
        url,
        actor.id,
    )
    return (await list_official_links(actor.org_id, base_url, only=link_id))[0]


async def list_official_links(
    org_id: UUID, base_url: str, only: UUID | None = None
) -> list[OfficialLinkRead]:
    rows = await _rows(
        "SELECT l.id, l.code, l.label, l.network, l.target_url, l.created_at, "
        "(SELECT count(*) FROM official_click c WHERE c.link = l.id AND c.kind = 'unique') "
        "AS clicks FROM official_link l WHERE l.org = {} AND ({}::uuid IS NULL OR l.id = {}) "
        "ORDER BY l.created_at DESC, l.id LIMIT 200",
        org_id,
        only,
        only,
    )
    return [
        OfficialLinkRead(
            id=r["id"],
            code=r["code"],
            label=r["label"],
            network=r["network"],
            url=r["target_url"],
            tracked_url=f"{base_url}/s/{r['code']}",
            unique_clicks=int(r["clicks"]),
            created_at=r["created_at"],
        )
        for r in rows
    ]
