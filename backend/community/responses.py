"""How people respond to a feed item they can see: one reaction each, and comments.

A comment passes the organization's house rules (blocked words, a pace per person); its author
deletes it, an admin hides it (`backend.community.reports.hide`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from redis.asyncio import Redis

from backend.community.feed import visible_item
from backend.community.moderation import check_words, pace
from backend.community.schemas import CommentRead, Person
from backend.community.tables import FeedItem
from backend.core.errors import Forbidden, NotFound
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.core.text import clean_text


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await FeedItem.raw(sql, *args)  # type: ignore[no-any-return]


async def react(viewer: CurrentUser, item_id: UUID, kind: str) -> None:
    """One reaction per person per item: the same again changes nothing, another replaces it."""
    await visible_item(viewer, item_id)
    await _rows(
        'INSERT INTO reaction (item, "user", kind) VALUES ({}, {}, {}) '
        'ON CONFLICT (item, "user") DO UPDATE SET kind = EXCLUDED.kind',
        item_id,
        viewer.id,
        kind,
    )


async def unreact(viewer: CurrentUser, item_id: UUID) -> None:
    await visible_item(viewer, item_id)
    await _rows('DELETE FROM reaction WHERE item = {} AND "user" = {}', item_id, viewer.id)


async def comments(viewer: CurrentUser, item_id: UUID) -> list[CommentRead]:
    await visible_item(viewer, item_id)
    rows = await _rows(
        "SELECT c.id, c.author, c.body, c.created_at, c.hidden_at, u.display_name "
        "FROM comment c JOIN app_user u ON u.id = c.author WHERE c.item = {} "
        "AND ({} OR c.hidden_at IS NULL) ORDER BY c.created_at, c.id LIMIT 200",
        item_id,
        viewer.role == "admin",
    )
    return [
        CommentRead(
            id=r["id"],
            author=Person(id=r["author"], display_name=r["display_name"]),
            body=r["body"],
            created_at=r["created_at"],
            mine=r["author"] == viewer.id,
            hidden=r["hidden_at"] is not None,
        )
        for r in rows
    ]


async def add_comment(
    viewer: CurrentUser, item_id: UUID, body: str, redis: Redis, per_minute: int
) -> CommentRead:
    await visible_item(viewer, item_id)
    text = clean_text(body, "body")
    await check_words(viewer.org_id, text)
    await pace(redis, viewer.id, "comments", per_minute, 60)
    comment_id = uuid4()
    rows = await _rows(
        "INSERT INTO comment (id, org, item, author, body) VALUES ({}, {}, {}, {}, {}) "
        "RETURNING created_at",
        comment_id,
        viewer.org_id,
        item_id,
        viewer.id,
        text,
    )
    return CommentRead(
        id=comment_id,
        author=Person(id=viewer.id, display_name=viewer.display_name),
        body=text,
        created_at=rows[0]["created_at"],
        mine=True,
        hidden=False,
    )


async def delete_comment(viewer: CurrentUser, comment_id: UUID) -> None:
    rows = await _rows(
        "SELECT author FROM comment WHERE id = {} AND org = {}", comment_id, viewer.org_id
    )
    if not rows:
        raise NotFound(msg("No such comment in your community."))
    if rows[0]["author"] != viewer.id:
        raise Forbidden(msg("Only its author deletes a comment; admins hide it."))
    await _rows("DELETE FROM comment WHERE id = {}", comment_id)
