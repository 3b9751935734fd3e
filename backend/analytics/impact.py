"""Impact analytics: shares, clicks, participation and points per challenge, pillar, team and
network, and the amplification of official posts by employee shares.

Every figure is SQL over the truth (submissions, the clicks table, the points ledger) for one
organization and a range of whole days in the organization's timezone; the grouped rows are
small (per challenge x network x team), so the slices are summed here from one set of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from backend.analytics.measures import Range, day_range, ratio
from backend.analytics.schemas import (
    Amplification,
    AnalyticsRead,
    ChallengeMetrics,
    LanguageMetrics,
    Metrics,
    NetworkMetrics,
    PillarMetrics,
    TeamMetrics,
)
from backend.analytics.tables import OfficialLink


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
            "clicks_per_share": ratio(self.clicks, self.verified, 2),
            "participants": len(self.participants),
            "members": members,
            "participation_rate": ratio(len(self.participants), members),
            "points_awarded": self.points,
        }


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await OfficialLink.raw(sql, *args)  # type: ignore[no-any-return]


async def analytics(org_id: UUID, first: date | None, last: date | None) -> AnalyticsRead:
    """Shares, clicks, participation and points per challenge, pillar, team and network."""
    span = await day_range(org_id, first, last)
    members = await _rows(
        "SELECT u.id, u.team, coalesce(u.language, o.default_language) AS language "
        "FROM app_user u JOIN organization o ON o.id = u.org WHERE u.org = {} AND u.active",
        org_id,
    )
    team_of = {m["id"]: m["team"] for m in members}
    language_of = {m["id"]: m["language"] for m in members}
    team_sizes: dict[UUID | None, int] = defaultdict(int)
    language_sizes: dict[str, int] = defaultdict(int)
    for m in members:
        team_sizes[m["team"]] += 1
        language_sizes[m["language"]] += 1
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
        # a share sent again after a rejection is still one share: its latest try counts
        'AND NOT EXISTS (SELECT 1 FROM submission later WHERE later."user" = submission."user" '
        "AND later.challenge = submission.challenge AND later.attempt > submission.attempt) "
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
        'SELECT l.challenge, coalesce(s.network, k.network) AS network, l.team, l."user", '
        "sum(l.delta) AS n FROM points_ledger l "
        "LEFT JOIN submission s ON s.id = l.submission "
        "LEFT JOIN click k ON k.id = l.click "
        "WHERE l.org = {} AND l.created_at >= {} AND l.created_at < {} "
        'GROUP BY l.challenge, coalesce(s.network, k.network), l.team, l."user"',
        org_id,
        span.start,
        span.end,
    )

    total = _Tally()
    by_challenge: dict[UUID, _Tally] = defaultdict(_Tally)
    by_pillar: dict[UUID | None, _Tally] = defaultdict(_Tally)
    by_team: dict[UUID | None, _Tally] = defaultdict(_Tally)
    by_network: dict[str, _Tally] = defaultdict(_Tally)
    by_language: dict[str, _Tally] = defaultdict(_Tally)

    def slices(
        challenge: UUID | None, network: str | None, team: UUID | None, user: UUID | None
    ) -> list[_Tally]:
        found = [total, by_team[team]]
        if user in language_of:  # people who left are in no language's slice
            found.append(by_language[language_of[user]])
        if challenge is not None:
            found.append(by_challenge[challenge])
            found.append(
                by_pillar[challenges[challenge]["pillar"]] if challenge in challenges else total
            )
        if network is not None:
            found.append(by_network[network])
        return list({id(t): t for t in found}.values())

    for r in submissions:
        for tally in slices(r["challenge"], r["network"], team_of.get(r["user"]), r["user"]):
            tally.claimed += r["n"]
            if r["verified"]:
                tally.verified += r["n"]
                tally.participants.add(r["user"])
    # a published story is taking part as much as a verified share
    for r in await _rows(
        "SELECT challenge, author FROM story WHERE org = {} AND status = 'published' "
        "AND published_at >= {} AND published_at < {}",
        org_id,
        span.start,
        span.end,
    ):
        for tally in slices(r["challenge"], None, team_of.get(r["author"]), r["author"]):
            tally.participants.add(r["author"])
    for r in clicks:
        for tally in slices(r["challenge"], r["network"], team_of.get(r["sharer"]), r["sharer"]):
            tally.clicks += r["n"]
    for r in points:
        for tally in slices(r["challenge"], r["network"], r["team"], r["user"]):
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
    per_share = ratio(total.clicks, total.verified, 2)
    per_post = ratio(official_clicks, official_posts, 2)
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
        by_language=sorted(
            (
                LanguageMetrics(language=lang, **t.metrics(language_sizes.get(lang, 0)))
                for lang, t in {
                    **{lang: _Tally() for lang in language_sizes},
                    **by_language,
                }.items()
            ),
            key=lambda m: (-m.members, m.language),
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
