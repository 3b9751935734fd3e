"""The impact report as one CSV table for a spreadsheet: a row per slice, then engagement per
slice and the employee-vs-official engagement ratio, then amplification (the last row).

A name a spreadsheet would run as a formula is quoted, so an export never executes anything.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from backend.analytics.schemas import AnalyticsRead, EngagementMetrics, EngagementRead, Metrics

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


ENGAGEMENT_COLUMNS = [
    "shares_verified",
    "shares_read",
    "reactions",
    "comments",
    "engagement",
    "engagement_per_share",
]


def _safe(name: str) -> str:
    """A name starting with = + - @ would run as a formula in a spreadsheet: quote it."""
    return "'" + name if name[:1] in ("=", "+", "-", "@", "\t", "\r") else name


def _blank(value: object) -> object:
    return "" if value is None else value


def analytics_csv(report: AnalyticsRead, engagement: EngagementRead | None = None) -> str:
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
    for lang in report.by_language:
        row("language", None, lang.language, lang)
    if engagement is not None:
        writer.writerow([])
        writer.writerow(["engagement", "id", "name", *ENGAGEMENT_COLUMNS])

        def engaged(kind: str, ident: Any, name: str, m: EngagementMetrics) -> None:
            values = [_blank(getattr(m, c)) for c in ENGAGEMENT_COLUMNS]
            writer.writerow([kind, "" if ident is None else str(ident), _safe(name), *values])

        engaged(
            "engagement_total",
            None,
            f"{engagement.from_date} to {engagement.to_date}",
            engagement.totals,
        )
        for ec in engagement.by_challenge:
            engaged("engagement_challenge", ec.challenge_id, ec.title, ec)
        for ep in engagement.by_pillar:
            engaged("engagement_pillar", ep.pillar_id, ep.title, ep)
        for et in engagement.by_team:
            engaged("engagement_team", et.team_id, et.name, et)
        e = engagement.comparison
        writer.writerow([])
        writer.writerow(
            [
                "engagement_ratio",
                "employee_posts_read",
                "engagement_per_employee_post",
                "official_posts_read",
                "engagement_per_official_post",
                "ratio",
            ]
        )
        writer.writerow(
            [
                "",
                e.employee_posts_read,
                _blank(e.engagement_per_employee_post),
                e.official_posts_read,
                _blank(e.engagement_per_official_post),
                _blank(e.ratio),
            ]
        )
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
