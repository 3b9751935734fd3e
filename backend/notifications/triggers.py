"""Scheduled and fan-out notifications: a new challenge, the evening digest, the weekly recap.

Each is idempotent through a dedupe key on the notification (one per person and occasion), so
a job that runs twice, or overlaps another, tells nobody twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from backend.core import clock
from backend.core.i18n import msg, msg_n
from backend.events import PointsAwarded
from backend.leaderboards import keys, outbox, store, writer
from backend.leaderboards.boards import org_timezone
from backend.notifications.service import notify
from backend.notifications.tables import Notification
from backend.orgs.tables import User

ANNOUNCE_BATCH = 500
DIGEST_HOUR = 18  # local time
RECAP_HOUR = 9  # Monday, local time


async def audience_size(challenge_id: UUID) -> int:
    rows = await Notification.raw(
        "SELECT count(*) AS n FROM app_user u JOIN challenge c ON c.org = u.org "
        "WHERE c.id = {} AND u.active AND (cardinality(c.audience_team_ids) = 0 "
        "OR u.team = ANY(c.audience_team_ids))",
        challenge_id,
    )
    return int(rows[0]["n"])


async def announce_batch(challenge_id: UUID, batch: int) -> list[UUID]:
    """Tell one batch of the audience about a new challenge; returns pushes to queue."""
    rows = await Notification.raw(
        "SELECT u.id, c.org, c.title, c.points, c.translations, u.language, "
        "o.default_language FROM app_user u JOIN challenge c ON c.org = u.org "
        "JOIN organization o ON o.id = c.org "
        "WHERE c.id = {} AND c.state = 'published' AND u.active "
        "AND (cardinality(c.audience_team_ids) = 0 OR u.team = ANY(c.audience_team_ids)) "
        "ORDER BY u.id OFFSET {} LIMIT {}",
        challenge_id,
        batch * ANNOUNCE_BATCH,
        ANNOUNCE_BATCH,
    )
    queued = []
    for row in rows:
        made = await notify(
            row["org"],
            row["id"],
            "challenge",
            msg("New challenge: {title}", title=_title_for(row)),
            msg("+{points} points when you share it.", points=row["points"]),
            f"/challenges/{challenge_id}",
            dedupe_key=f"challenge:{challenge_id}:{row['id']}",
        )
        if made is not None and made[1] == "queued":
            queued.append(made[0])
    return queued


def _title_for(row: dict[str, Any]) -> str:
    """The challenge's title as the person reads it in the app: their language's translation,
    else the organization's default language's, else the base."""
    translations = row["translations"]
    if isinstance(translations, str):
        translations = json.loads(translations)
    for language in (row["language"], row["default_language"]):
        title = ((translations or {}).get(language) or {}).get("title") if language else None
        if title:
            return str(title)
    return str(row["title"])


def _local(now: datetime, tz: str) -> datetime:
    return now.astimezone(ZoneInfo(tz))


async def send_digests(at: datetime | None = None) -> list[UUID]:
    """At DIGEST_HOUR local time: one push summing up what the budget held back today."""
    now = at or clock.now()
    rows = await Notification.raw(
        'SELECT n."user", n.org, u.timezone, count(*) AS held, '
        "(array_agg(n.title ORDER BY n.created_at DESC))[1:3] AS titles "
        'FROM notification n JOIN app_user u ON u.id = n."user" '
        "WHERE n.push_state = 'held' AND n.read_at IS NULL "
        "AND n.created_at > {}::timestamptz - interval '1 day' "
        'GROUP BY n."user", n.org, u.timezone',
        now,
    )
    queued = []
    for row in rows:
        local = _local(now, row["timezone"])
        if local.hour != DIGEST_HOUR:
            continue
        titles: list[Any] = list(row["titles"] or [])
        made = await notify(
            row["org"],
            row["user"],
            "digest",
            msg_n(
                "{n} update you missed today",
                "{n} updates you missed today",
                row["held"],
                n=row["held"],
            ),
            " · ".join(str(t) for t in titles),
            "/notifications",
            urgent=True,
            dedupe_key=f"digest:{row['user']}:{local.date()}",
        )
        if made is not None and made[1] == "queued":
            queued.append(made[0])
    return queued


async def send_recaps(at: datetime | None = None) -> list[UUID]:
    """Monday at RECAP_HOUR local time: last week's points and place, for who took part."""
    now = at or clock.now()
    rows = await Notification.raw(
        'SELECT u.id AS "user", u.org, u.timezone FROM app_user u WHERE u.active AND EXISTS '
        '(SELECT 1 FROM points_ledger l WHERE l."user" = u.id '
        "AND l.created_at > {}::timestamptz - interval '8 days')",
        now,
    )
    queued = []
    for row in rows:
        local = _local(now, row["timezone"])
        if local.weekday() != 0 or local.hour != RECAP_HOUR:
            continue
        monday = datetime.combine(local.date(), time.min, local.tzinfo)
        start, end = monday - timedelta(days=7), monday
        totals = await Notification.raw(
            'SELECT "user", sum(delta) AS points, rank() OVER (ORDER BY sum(delta) DESC) AS place '
            "FROM points_ledger WHERE org = {} AND created_at >= {} AND created_at < {} "
            'GROUP BY "user"',
            row["org"],
            start,
            end,
        )
        mine = next((t for t in totals if t["user"] == row["user"]), None)
        if mine is None or mine["points"] <= 0:
            continue
        made = await notify(
            row["org"],
            row["user"],
            "recap",
            msg("Your week in Chorus"),
            msg(
                "+{points} points, #{place} of {people}. Thank you!",
                points=mine["points"],
                place=mine["place"],
                people=len(totals),
            ),
            "/leaderboard",
            dedupe_key=f"recap:{row['user']}:{start.date()}",
        )
        if made is not None and made[1] == "queued":
            queued.append(made[0])
    return queued


OVERTAKEN_LIMIT = writer.OVERTAKEN_LIMIT  # people told per award, at most
TOLD_LIMIT = 100_000  # remembered "overtaken" keys (a day's worth for a large organization)
_told: set[str] = set()  # keys of "overtaken" notices this process has given or seen given


async def overtaken(redis: Redis, event: PointsAwarded) -> list[UUID]:
    """After an award is on this week's board: tell the people it passed (at most once a day
    each). Those passed had more points than the sharer before and fewer now. The board kick
    of this process (the award's first subscriber) usually answered that in its own Lua call
    (backend/leaderboards/writer.py `kick`); only without its answer is the board asked here."""
    if event.delta <= 0:
        return []
    tz = await org_timezone(event.org_id)
    known = outbox.passed_by(event.ledger_id)
    passed = known if known is not None else await _passed_on_board(redis, event, tz)
    day = _local(clock.now(), tz).date()
    members = [UUID(m.decode() if isinstance(m, bytes) else m) for m in passed]
    # people already told today (a dedupe key this process saw taken) cost no query again
    members = [m for m in members if f"overtaken:{m}:{day}" not in _told]
    if not members:
        return []
    sharer = (
        await User.select(User.display_name, User.hide_from_leaderboards)
        .where(User.id == event.user_id)
        .first()
    )
    # people hidden from boards are "Anonymous advocate" on them: the same words here
    name = (
        "An anonymous advocate"
        if sharer is None or sharer["hide_from_leaderboards"]
        else (sharer["display_name"])
    )
    queued = []
    for user_id in members:
        made = await notify(
            event.org_id,
            user_id,
            "leaderboard",
            msg("{name} just passed you", name=name),
            msg("on this week's board. One share puts you back in front."),
            "/leaderboard",
            dedupe_key=f"overtaken:{user_id}:{day}",
        )
        if len(_told) > TOLD_LIMIT:
            _told.clear()
        _told.add(f"overtaken:{user_id}:{day}")  # given now, or given before
        if made is not None and made[1] == "queued":
            queued.append(made[0])
    return queued


async def _passed_on_board(redis: Redis, event: PointsAwarded, tz: str) -> Sequence[bytes | str]:
    """Who `event` passed on this week's board, asked of the board (on the boards' Redis,
    backend/leaderboards/store.py; the kick's Lua call answers the same in one round trip)."""
    board = keys.users_key(event.org_id, keys.period_id("week", tz, event.at))
    redis = store.client(redis)
    score = await redis.zscore(board, str(event.user_id))
    if score is None:
        return []
    now_points = keys.points_of(float(score))
    before = now_points - event.delta
    if now_points - 1 < before + 1:
        return []
    passed: Sequence[bytes | str] = await redis.zrangebyscore(
        board,
        (before + 1) * keys.SCALE,
        now_points * keys.SCALE - 1,
        start=0,
        num=OVERTAKEN_LIMIT,
    )
    return passed
