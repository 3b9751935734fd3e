"""Reports and hiding: anyone reports an item or a comment; admins hide it or dismiss the report.

Hiding keeps a thing out of everyone's feed but the admins' and resolves every open report
about it; a report is one per person and thing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from backend.community.feed import visible_item
from backend.community.schemas import Person, ReportRead
from backend.community.tables import FeedItem
from backend.core.errors import NotFound
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.core.text import clean_text


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await FeedItem.raw(sql, *args)  # type: ignore[no-any-return]


async def hide(viewer: CurrentUser, item_id: UUID | None, comment_id: UUID | None) -> None:
    table, target = ("feed_item", item_id) if item_id else ("comment", comment_id)
    rows = await _rows(
        f"UPDATE {table} SET hidden_at = coalesce(hidden_at, now()) "  # noqa: S608 (fixed names)
        "WHERE id = {} AND org = {} RETURNING id",
        target,
        viewer.org_id,
    )
    if not rows:
        raise NotFound(msg("Nothing like that in your community."))
    await _rows(
        "UPDATE report SET resolved_at = now(), resolution = 'hidden' "
        "WHERE org = {} AND resolved_at IS NULL AND (item = {} OR comment = {})",
        viewer.org_id,
        item_id,
        comment_id,
    )


async def report(
    viewer: CurrentUser, item_id: UUID | None, comment_id: UUID | None, reason: str
) -> None:
    if item_id:
        await visible_item(viewer, item_id)
    else:
        found = await _rows(
            "SELECT 1 FROM comment WHERE id = {} AND org = {} AND hidden_at IS NULL",
            comment_id,
            viewer.org_id,
        )
        if not found:
            raise NotFound(msg("No such comment in your community."))
    await _rows(
        "INSERT INTO report (id, org, item, comment, reporter, reason) "
        "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT DO NOTHING",
        uuid4(),
        viewer.org_id,
        item_id,
        comment_id,
        viewer.id,
        clean_text(reason, "reason"),
    )


async def open_reports(org_id: UUID) -> list[ReportRead]:
    rows = await _rows(
        "SELECT r.id, r.item, r.comment, r.reporter, r.reason, r.created_at, "
        "u.display_name, coalesce(c.body, s.title, f.data->>'message', f.kind) AS excerpt "
        "FROM report r JOIN app_user u ON u.id = r.reporter "
        "LEFT JOIN comment c ON c.id = r.comment LEFT JOIN feed_item f ON f.id = r.item "
        "LEFT JOIN story s ON s.id = f.story "
        "WHERE r.org = {} AND r.resolved_at IS NULL ORDER BY r.created_at LIMIT 200",
        org_id,
    )
    return [
        ReportRead(
            id=r["id"],
            item_id=r["item"],
            comment_id=r["comment"],
            reporter=Person(id=r["reporter"], display_name=r["display_name"]),
            reason=r["reason"],
            excerpt=str(r["excerpt"] or "")[:200],
            created_at=r["created_at"],
        )
        for r in rows
    ]


async def resolve_report(viewer: CurrentUser, report_id: UUID, action: str) -> None:
    rows = await _rows(
        "SELECT item, comment FROM report WHERE id = {} AND org = {} AND resolved_at IS NULL",
        report_id,
        viewer.org_id,
    )
    if not rows:
        raise NotFound(msg("No such open report."))
    if action == "hide":
        await hide(viewer, rows[0]["item"], rows[0]["comment"])
    await _rows(
        "UPDATE report SET resolved_at = now(), resolution = {} WHERE id = {} "
        "AND resolved_at IS NULL",
        "hidden" if action == "hide" else "dismissed",
        report_id,
    )
