"""The impact report as one CSV table for a spreadsheet: a row per slice, then amplification.

A name a spreadsheet would run as a formula is quoted, so an export never executes anything.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from backend.analytics.schemas import AnalyticsRead, Metrics

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
