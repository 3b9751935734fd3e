"""The community space: a feed of stories and milestones, reactions, comments, kudos, reports.

Everything is scoped to one organization; items can be hidden by admins (and their authors'
stories taken down), which keeps them out of everyone's feed but the admins'.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
from redis.asyncio import Redis

from backend import clock, events
from backend.community.moderation import check_words, pace
from backend.community.schemas import (
    Colleague,
    CommentRead,
    FeedEntry,
    FeedPage,
    FeedStory,
    KudosRead,
    Person,
    ReportRead,
)
from backend.community.stories import public_url
from backend.community.tables import FeedItem
from backend.db import DB
from backend.errors import Forbidden, Invalid, NotFound, TooManyRequests
from backend.notifications import service as notifications
from backend.notifications.push import enqueue_push
from backend.points.service import LedgerEntry, append
from backend.security import CurrentUser
from backend.text import clean_text
from backend.wire import created_at_cursor, decode_cursor

PAGE = 20


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await FeedItem.raw(sql, *args)  # type: ignore[no-any-return]


def _person(user_id: UUID | None, name: str | None) -> Person | None:
    if user_id is None and name is None:
        return None
    return Person(id=user_id, display_name=name or "Someone")


_ITEMS = (
    "SELECT f.id, f.kind, f.created_at, f.actor, f.data, f.hidden_at, "
    "a.display_name AS actor_name, "
    "s.id AS story_id, s.title AS story_title, s.body AS story_body, s.slug, s.photo, "
    "s.featured_at, s.public, "
    "(SELECT count(*) FROM comment c WHERE c.item = f.id AND c.hidden_at IS NULL) AS comments, "
    '(SELECT kind FROM reaction r WHERE r.item = f.id AND r."user" = {}) AS my_reaction '
    "FROM feed_item f LEFT JOIN app_user a ON a.id = f.actor "
    "LEFT JOIN story s ON s.id = f.story "
)


def _text(row: dict[str, Any], data: dict[str, Any]) -> str:
    who = row["actor_name"] or "Someone"
    kind = row["kind"]
    if kind == "story":
        return f"{who} shared a story"
    if kind == "badge":
        return f"{who} earned {data.get('name', 'a badge')}"
    if kind == "team_goal":
        team, challenge = data.get("team", "A team"), data.get("challenge", "a challenge")
        return f"{team} reached its goal on {challenge}"
    return f"{who} gave kudos to {data.get('toName', 'a colleague')}"


async def _entries(
    rows: list[dict[str, Any]], viewer: CurrentUser, base_url: str
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
                photo_url=f"/api/v1/stories/{r['story_id']}/photo" if r["photo"] else None,
                public_url=public_url(base_url, r["slug"]) if r["public"] else None,
                featured=r["featured_at"] is not None,
            )
        to = None
        if r["kind"] == "kudos":
            to = Person(
                id=UUID(data["to"]) if data.get("to") else None,
                display_name=data.get("toName", "Someone"),
            )
        entries.append(
            FeedEntry(
                id=r["id"],
                kind=r["kind"],
                created_at=r["created_at"],
                actor=_person(r["actor"], r["actor_name"]),
                text=_text(r, data),
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


async def feed(viewer: CurrentUser, cursor: str | None, base_url: str) -> FeedPage:
    """Newest first; hidden items only for admins. Page one carries the story of the week."""
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
    if cursor is None:
        pinned = await _rows(
            _ITEMS + "WHERE f.org = {} AND f.kind = 'story' AND f.hidden_at IS NULL "
            "AND s.featured_at IS NOT NULL ORDER BY s.featured_at DESC LIMIT 1",
            viewer.id,
            viewer.org_id,
        )
        if pinned:
            featured = (await _entries(pinned, viewer, base_url))[0]
    return FeedPage(
        items=await _entries(rows, viewer, base_url), next_cursor=next_cursor, featured=featured
    )


async def _item(viewer: CurrentUser, item_id: UUID) -> dict[str, Any]:
    rows = await _rows(
        "SELECT id, org, actor, kind, hidden_at FROM feed_item WHERE id = {} AND org = {}",
        item_id,
        viewer.org_id,
    )
    if not rows or (rows[0]["hidden_at"] is not None and viewer.role != "admin"):
        raise NotFound("No such item in your community.")
    return rows[0]


async def react(viewer: CurrentUser, item_id: UUID, kind: str) -> None:
    """One reaction per person per item: the same again changes nothing, another replaces it."""
    await _item(viewer, item_id)
    await _rows(
        'INSERT INTO reaction (item, "user", kind) VALUES ({}, {}, {}) '
        'ON CONFLICT (item, "user") DO UPDATE SET kind = EXCLUDED.kind',
        item_id,
        viewer.id,
        kind,
    )


async def unreact(viewer: CurrentUser, item_id: UUID) -> None:
    await _item(viewer, item_id)
    await _rows('DELETE FROM reaction WHERE item = {} AND "user" = {}', item_id, viewer.id)


async def comments(viewer: CurrentUser, item_id: UUID) -> list[CommentRead]:
    await _item(viewer, item_id)
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
    await _item(viewer, item_id)
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
        raise NotFound("No such comment in your community.")
    if rows[0]["author"] != viewer.id:
        raise Forbidden("Only its author deletes a comment; admins hide it.")
    await _rows("DELETE FROM comment WHERE id = {}", comment_id)


async def delete_item(viewer: CurrentUser, item_id: UUID) -> None:
    """An author removes their own kudos or story from the feed."""
    item = await _item(viewer, item_id)
    if item["actor"] != viewer.id or item["kind"] not in ("story", "kudos"):
        raise Forbidden("You can delete only your own stories and kudos.")
    await _rows("DELETE FROM feed_item WHERE id = {}", item_id)


async def hide(viewer: CurrentUser, item_id: UUID | None, comment_id: UUID | None) -> None:
    table, target = ("feed_item", item_id) if item_id else ("comment", comment_id)
    rows = await _rows(
        f"UPDATE {table} SET hidden_at = coalesce(hidden_at, now()) "  # noqa: S608 (fixed names)
        "WHERE id = {} AND org = {} RETURNING id",
        target,
        viewer.org_id,
    )
    if not rows:
        raise NotFound("Nothing like that in your community.")
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
        await _item(viewer, item_id)
    else:
        found = await _rows(
            "SELECT 1 FROM comment WHERE id = {} AND org = {} AND hidden_at IS NULL",
            comment_id,
            viewer.org_id,
        )
        if not found:
            raise NotFound("No such comment in your community.")
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
        raise NotFound("No such open report.")
    if action == "hide":
        await hide(viewer, rows[0]["item"], rows[0]["comment"])
    await _rows(
        "UPDATE report SET resolved_at = now(), resolution = {} WHERE id = {} "
        "AND resolved_at IS NULL",
        "hidden" if action == "hide" else "dismissed",
        report_id,
    )


# -- kudos ----------------------------------------------------------------------------------


async def give_kudos(
    viewer: CurrentUser, to: UUID, message: str, redis: Redis, *, per_day: int, points: int
) -> KudosRead:
    if to == viewer.id:
        raise Invalid("Kudos are for someone else — but we're sure you did great too.")
    receiver = await _rows(
        "SELECT id, display_name, team FROM app_user WHERE id = {} AND org = {} AND active",
        to,
        viewer.org_id,
    )
    if not receiver:
        raise NotFound("No such colleague in your organization.")
    text = clean_text(message, "message", multiline=True)
    await check_words(viewer.org_id, text)
    kudos_id = uuid4()
    awarded: list[events.PointsAwarded] = []
    async with DB.transaction():
        # One count at a time per giver, so the daily allowance holds under double taps.
        await _rows("SELECT pg_advisory_xact_lock(hashtext({}))", f"kudos:{viewer.id}")
        today = await _rows(
            "SELECT count(*) AS n FROM kudos WHERE giver = {} AND created_at > {}",
            viewer.id,
            clock.now().replace(hour=0, minute=0, second=0, microsecond=0),
        )
        given = int(today[0]["n"])
        if given >= per_day:
            raise TooManyRequests(
                f"You have given your {per_day} kudos for today — more tomorrow!",
                headers={"Retry-After": str(_seconds_to_midnight())},
            )
        created = await _rows(
            "INSERT INTO kudos (id, org, giver, receiver, message) VALUES ({}, {}, {}, {}, {}) "
            "RETURNING created_at",
            kudos_id,
            viewer.org_id,
            viewer.id,
            to,
            text,
        )
        data = {"to": str(to), "toName": receiver[0]["display_name"], "message": text}
        await _rows(
            "INSERT INTO feed_item (id, org, kind, actor, data, dedupe_key) "
            "VALUES ({}, {}, 'kudos', {}, {}::jsonb, {})",
            uuid4(),
            viewer.org_id,
            viewer.id,
            msgspec.json.encode(data).decode(),
            f"kudos:{kudos_id}",
        )
        awarded = await append(
            [
                LedgerEntry(
                    org_id=viewer.org_id,
                    user_id=to,
                    team_id=receiver[0]["team"],
                    delta=points,
                    reason="kudos",
                    idempotency_key=f"kudos:{kudos_id}",
                )
            ]
        )
    await events.points_awarded(awarded)
    made = await notifications.notify(
        viewer.org_id,
        to,
        "community",
        f"Kudos from {viewer.display_name}",
        text[:200],
        "/community",
        dedupe_key=f"kudos:{kudos_id}",
    )
    if made is not None and made[1] == "queued":
        await enqueue_push(redis, made[0])
    return KudosRead(
        id=kudos_id,
        giver=Person(id=viewer.id, display_name=viewer.display_name),
        receiver=Person(id=to, display_name=receiver[0]["display_name"]),
        message=text,
        created_at=created[0]["created_at"],
        left_today=per_day - given - 1,
    )


def _seconds_to_midnight() -> int:
    now = clock.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, 86_400 - int((now - midnight).total_seconds()))


async def kudos_for(viewer: CurrentUser, user_id: UUID) -> list[KudosRead]:
    known = await _rows("SELECT 1 FROM app_user WHERE id = {} AND org = {}", user_id, viewer.org_id)
    if not known:
        raise NotFound("No such colleague in your organization.")
    rows = await _rows(
        "SELECT k.id, k.giver, k.receiver, k.message, k.created_at, g.display_name AS giver_name, "
        "r.display_name AS receiver_name FROM kudos k JOIN app_user g ON g.id = k.giver "
        "JOIN app_user r ON r.id = k.receiver WHERE k.org = {} AND k.receiver = {} "
        "ORDER BY k.created_at DESC LIMIT 50",
        viewer.org_id,
        user_id,
    )
    return [
        KudosRead(
            id=r["id"],
            giver=Person(id=r["giver"], display_name=r["giver_name"]),
            receiver=Person(id=r["receiver"], display_name=r["receiver_name"]),
            message=r["message"],
            created_at=r["created_at"],
        )
        for r in rows
    ]


async def colleagues(viewer: CurrentUser, query: str) -> list[Colleague]:
    """People to give kudos to: active colleagues whose name matches, the caller excluded."""
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = await _rows(
        "SELECT u.id, u.display_name, t.name AS team FROM app_user u "
        "LEFT JOIN team t ON t.id = u.team WHERE u.org = {} AND u.active AND u.id <> {} "
        "AND u.display_name ILIKE {} ORDER BY u.display_name, u.id LIMIT 20",
        viewer.org_id,
        viewer.id,
        pattern,
    )
    return [Colleague(id=r["id"], display_name=r["display_name"], team=r["team"]) for r in rows]


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
