"""The community feed: one organization's stories and milestones, newest first.

Everything is scoped to one organization; items can be hidden by admins (and their authors'
stories taken down), which keeps them out of everyone's feed but the admins'. Badges earned and
team goals reached arrive as events and become feed items, once each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from backend import events
from backend.community.schemas import FeedEntry, FeedPage, FeedStory, Person
from backend.community.stories import public_url
from backend.community.tables import FeedItem
from backend.core.errors import Forbidden, NotFound
from backend.core.i18n import ENGLISH, Message, msg
from backend.core.identity import CurrentUser
from backend.core.wire import created_at_cursor, decode_cursor

PAGE = 20


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await FeedItem.raw(sql, *args)  # type: ignore[no-any-return]


def _person(user_id: UUID | None, name: str | None, language: str) -> Person | None:
    if user_id is None and name is None:
        return None
    return Person(id=user_id, display_name=name or msg("Someone").render(language))


_ITEMS = (
    "SELECT f.id, f.kind, f.created_at, f.actor, f.data, f.hidden_at, "
    "a.display_name AS actor_name, "
    "s.id AS story_id, s.title AS story_title, s.body AS story_body, s.slug, s.photo, "
    "s.featured_at, s.public, "
    # a deactivated author's photo is not shown (stories.shown_to), so no link to it either
    "(SELECT au.active FROM app_user au WHERE au.id = s.author) AS author_active, "
    "(SELECT count(*) FROM comment c WHERE c.item = f.id AND c.hidden_at IS NULL) AS comments, "
    '(SELECT kind FROM reaction r WHERE r.item = f.id AND r."user" = {}) AS my_reaction '
    "FROM feed_item f LEFT JOIN app_user a ON a.id = f.actor "
    "LEFT JOIN story s ON s.id = f.story "
)


def _text(row: dict[str, Any], data: dict[str, Any]) -> Message:
    """The item in one sentence, "Priya earned First voice"."""
    who = row["actor_name"] or msg("Someone")
    kind = row["kind"]
    if kind == "story":
        return msg("{who} shared a story", who=who)
    if kind == "badge":
        if "name" in data:
            return msg("{who} earned {badge}", who=who, badge=data["name"])
        return msg("{who} earned a badge", who=who)
    if kind == "team_goal":
        team = data.get("team") if "team" in data else msg("A team")
        if "challenge" in data:
            return msg(
                "{team} reached its goal on {challenge}", team=team, challenge=data["challenge"]
            )
        return msg("{team} reached its goal on a challenge", team=team)
    if "toName" in data:
        return msg("{who} gave kudos to {to}", who=who, to=data["toName"])
    return msg("{who} gave kudos to a colleague", who=who)


async def _entries(
    rows: list[dict[str, Any]], viewer: CurrentUser, base_url: str, language: str
) -> list[FeedEntry]:
    ids = [r["id"] for r in rows]
    counts: dict[UUID, dict[str, int]] = {}
    if ids:
        for r in await _rows(
            "SELECT item, kind, count(*) AS n FROM reaction WHERE item = ANY({}::uuid[]) "
            "GROUP BY item, kind",
            ids,
        ):
            counts.setdefault(r["item"], {})[r["kind"]] = int(r["n"])
    entries = []
    for r in rows:
        raw = r["data"]
        data: dict[str, Any] = msgspec.json.decode(raw) if isinstance(raw, str) else (raw or {})
        story = None
        if r["story_id"]:
            story = FeedStory(
                id=r["story_id"],
                title=r["story_title"],
                body=r["story_body"],
                photo_url=f"/api/v1/stories/{r['story_id']}/photo"
                if r["photo"] and r["author_active"]
                else None,
                public_url=public_url(base_url, r["slug"]) if r["public"] else None,
                featured=r["featured_at"] is not None,
            )
        to = None
        if r["kind"] == "kudos":
            to = Person(
                id=UUID(data["to"]) if data.get("to") else None,
                display_name=data["toName"]
                if "toName" in data
                else msg("Someone").render(language),
            )
        entries.append(
            FeedEntry(
                id=r["id"],
                kind=r["kind"],
                created_at=r["created_at"],
                actor=_person(r["actor"], r["actor_name"], language),
                text=_text(r, data).render(language),
                story=story,
                to=to,
                message=data.get("message"),
                reactions=counts.get(r["id"], {}),
                my_reaction=r["my_reaction"],
                comments=int(r["comments"]),
                hidden=r["hidden_at"] is not None,
                mine=r["actor"] == viewer.id,
            )
        )
    return entries


async def feed(
    viewer: CurrentUser, cursor: str | None, base_url: str, *, language: str = ENGLISH
) -> FeedPage:
    """Newest first; hidden items only for admins. Page one carries the story of the week.
    Its sentences ("Priya shared a story") are in `language`."""
    admin = viewer.role == "admin"
    where = "WHERE f.org = {} AND ({} OR f.hidden_at IS NULL) "
    args: list[Any] = [viewer.id, viewer.org_id, admin]
    if cursor:
        at, last_id = decode_cursor(cursor, tuple[datetime, UUID])
        where += "AND (f.created_at, f.id) < ({}, {}) "
        args += [at, last_id]
    rows = await _rows(
        _ITEMS + where + "ORDER BY f.created_at DESC, f.id DESC LIMIT {}", *args, PAGE + 1
    )
    next_cursor = created_at_cursor(rows, PAGE)
    rows = rows[:PAGE]
    featured = None
    pinned = await _rows(
        _ITEMS + "WHERE f.org = {} AND f.kind = 'story' AND f.hidden_at IS NULL "
        "AND s.featured_at IS NOT NULL ORDER BY s.featured_at DESC LIMIT 1",
        viewer.id,
        viewer.org_id,
    )
    if pinned:
        # the story of the week sits on top of page one, and nowhere else in the feed
        rows = [r for r in rows if r["id"] != pinned[0]["id"]]
        if cursor is None:
            featured = (await _entries(pinned, viewer, base_url, language))[0]
    return FeedPage(
        items=await _entries(rows, viewer, base_url, language),
        next_cursor=next_cursor,
        featured=featured,
    )


async def visible_item(viewer: CurrentUser, item_id: UUID) -> dict[str, Any]:
    """The feed item if the viewer may see it (hidden ones only for admins), else NotFound."""
    rows = await _rows(
        "SELECT id, org, actor, kind, hidden_at FROM feed_item WHERE id = {} AND org = {}",
        item_id,
        viewer.org_id,
    )
    if not rows or (rows[0]["hidden_at"] is not None and viewer.role != "admin"):
        raise NotFound(msg("No such item in your community."))
    return rows[0]


async def delete_item(viewer: CurrentUser, item_id: UUID) -> None:
    """An author removes their own kudos or story from the feed."""
    item = await visible_item(viewer, item_id)
    if item["actor"] != viewer.id or item["kind"] not in ("story", "kudos"):
        raise Forbidden(msg("You can delete only your own stories and kudos."))
    await _rows("DELETE FROM feed_item WHERE id = {}", item_id)


# -- milestones from the rest of Chorus ------------------------------------------------------


async def on_notice(notice: events.UserNotice) -> None:
    """Badges earned and team goals reached become feed items (once each)."""
    if notice.kind not in ("badge", "team_goal"):
        return
    data: dict[str, Any] = dict(notice.data)
    key = f"{notice.kind}:{notice.user_id}:{data.get('code') or data.get('challengeId')}"
    if notice.kind == "team_goal":
        rows = await _rows(
            "SELECT t.name AS team, c.title AS challenge FROM app_user u "
            "JOIN team t ON t.id = u.team JOIN challenge c ON c.id = {} WHERE u.id = {}",
            UUID(str(data.get("challengeId"))),
            notice.user_id,
        )
        if not rows:
            return
        data = {"team": rows[0]["team"], "challenge": rows[0]["challenge"]}
        key = f"team_goal:{rows[0]['team']}:{data['challenge']}"
    await _rows(
        "INSERT INTO feed_item (id, org, kind, actor, data, dedupe_key) "
        "VALUES ({}, {}, {}, {}, {}::jsonb, {}) ON CONFLICT (dedupe_key) DO NOTHING",
        uuid4(),
        notice.org_id,
        notice.kind,
        notice.user_id if notice.kind == "badge" else None,
        msgspec.json.encode(data).decode(),
        key,
    )
