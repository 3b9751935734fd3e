"""Kudos: thanks from one colleague to another, worth points, posted to the feed and notified.

A giver has `per_day` kudos a day, counted under a lock per giver so double taps cannot exceed
it; the receiver's points are a ledger row keyed by the kudos, so they are paid once.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import msgspec
from redis.asyncio import Redis

from backend import events
from backend.community.moderation import check_words
from backend.community.schemas import Colleague, KudosRead, Person
from backend.community.tables import FeedItem
from backend.core import clock
from backend.core.errors import Conflict, Invalid, NotFound, TooManyRequests
from backend.core.i18n import msg, msg_n
from backend.core.identity import CurrentUser
from backend.core.text import clean_text
from backend.db import DB
from backend.notifications import service as notifications
from backend.notifications.push import enqueue_push
from backend.points.service import LedgerEntry, append


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await FeedItem.raw(sql, *args)  # type: ignore[no-any-return]


async def give_kudos(
    viewer: CurrentUser,
    to: UUID,
    message: str,
    redis: Redis,
    *,
    per_day: int,
    points: int,
    received_points_per_day: int,
    per_colleague_per_day: int = 1,
) -> KudosRead:
    """Thank a colleague: `per_colleague_per_day` kudos per colleague (one by default) and
    `per_day` in all a day, and the points they
    bring capped at `received_points_per_day` for whoever receives them, so a ring of friends
    cannot mint points for one another (the kudos itself is always sent)."""
    if to == viewer.id:
        raise Invalid(msg("Kudos are for someone else — but we're sure you did great too."))
    receiver = await _rows(
        "SELECT id, display_name, team FROM app_user WHERE id = {} AND org = {} AND active",
        to,
        viewer.org_id,
    )
    if not receiver:
        raise NotFound(msg("No such colleague in your organization."))
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
                msg_n(
                    "You have given your {n} kudos for today — more tomorrow!",
                    "You have given your {n} kudos for today — more tomorrow!",
                    per_day,
                    n=per_day,
                ),
                headers={"Retry-After": str(_seconds_to_midnight())},
            )
        midnight = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
        again = await _rows(
            "SELECT count(*) AS n FROM kudos "
            "WHERE giver = {} AND receiver = {} AND created_at > {}",
            viewer.id,
            to,
            midnight,
        )
        if int(again[0]["n"]) >= per_colleague_per_day:
            raise Conflict(
                msg(
                    "You already sent {name} kudos today — thank someone else, or again tomorrow.",
                    name=receiver[0]["display_name"],
                )
            )
        # and one count at a time per receiver, so their daily cap holds when several give
        await _rows("SELECT pg_advisory_xact_lock(hashtext({}))", f"kudos-received:{to}")
        received = await _rows(
            'SELECT coalesce(sum(delta), 0) AS points FROM points_ledger WHERE "user" = {} '
            "AND reason = 'kudos' AND created_at > {}",
            to,
            midnight,
        )
        paid = max(0, min(points, received_points_per_day - int(received[0]["points"])))
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
                    delta=paid,
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
        msg("Kudos from {name}", name=viewer.display_name),
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
        raise NotFound(msg("No such colleague in your organization."))
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
