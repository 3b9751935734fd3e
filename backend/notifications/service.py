"""Notifications and the budget that keeps people from muting Chorus.

Everything worth telling lands in the in-app inbox. Whether it also reaches the phone is the
budget's call: the person's per-category preferences, their quiet hours (in their timezone)
and a daily cap on non-urgent pushes (3 unless they choose otherwise). What the budget holds
back waits in the inbox and in the evening digest. Urgent notices (the verdict on a share
someone just submitted) skip the cap and quiet hours; preferences still rule.
"""

from __future__ import annotations

import fnmatch
import logging
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from backend import events
from backend.core import clock
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import Known, Text, msg, render
from backend.core.identity import CurrentUser
from backend.core.wire import Page, created_at_cursor, decode_cursor
from backend.db import DB, fetch
from backend.fetch.urls import check_public_url
from backend.notifications.schemas import (
    CATEGORIES,
    NotificationRead,
    PreferencesBody,
    SubscriptionCreate,
)
from backend.notifications.tables import Notification, PushSubscription
from backend.settings import Settings

log = logging.getLogger("chorus.notifications")

DEFAULT_CAP = 3
DEFAULT_QUIET = (22, 7)

# -- subscriptions -----------------------------------------------------------------------


def push_host_allowed(endpoint: str, settings: Settings) -> bool:
    """Only browsers' push services (and, in tests, allow-listed local fakes) are posted to."""
    host = (urlsplit(endpoint).hostname or "").lower()
    patterns = [p.strip().lower() for p in settings.push_hosts.split(",") if p.strip()]
    return host in settings.fetch_allow_list or any(
        fnmatch.fnmatchcase(host, pattern) for pattern in patterns
    )


async def subscribe(user: CurrentUser, data: SubscriptionCreate, settings: Settings) -> bool:
    """Save a browser's subscription; the same endpoint again is an update. True if new."""
    try:
        endpoint = check_public_url(data.endpoint)
    except ValueError as exc:
        raise Invalid(
            msg("The push endpoint is not usable: {reason}", reason=str(exc)), field="endpoint"
        ) from exc
    if not (
        endpoint.startswith("https://") or urlsplit(endpoint).hostname in settings.fetch_allow_list
    ):
        raise Invalid(
            msg("The push endpoint must be an https address of a push service."),
            field="endpoint",
        )
    if not push_host_allowed(endpoint, settings):
        raise Invalid(
            msg("The push endpoint is not a push service Chorus sends to."), field="endpoint"
        )
    # an endpoint stays with the person who registered it: posting someone else's endpoint
    # (another person's, another organization's) updates nothing and is refused
    rows = await PushSubscription.raw(
        'INSERT INTO push_subscription (id, org, "user", endpoint, p256dh, auth) '
        "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (endpoint) DO UPDATE SET "
        "p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, failures = 0 "
        'WHERE push_subscription."user" = EXCLUDED."user" '
        "RETURNING (xmax = 0) AS inserted",
        uuid4(),
        user.org_id,
        user.id,
        endpoint,
        data.keys.p256dh,
        data.keys.auth,
    )
    if not rows:
        raise Conflict(
            msg(
                "This push endpoint is registered to another account; sign that account out on "
                "this device (or turn its notifications off) first."
            )
        )
    return bool(rows[0]["inserted"])


async def unsubscribe(user: CurrentUser, endpoint: str) -> None:
    deleted = (
        await PushSubscription.delete()
        .where((PushSubscription.endpoint == endpoint) & (PushSubscription.user == user.id))
        .returning(PushSubscription.id)
    )
    if not deleted:
        raise NotFound(msg("No such subscription of yours."))


# -- preferences -----------------------------------------------------------------------


async def preferences(user_id: UUID) -> PreferencesBody:
    rows = await Notification.raw(
        "SELECT categories, quiet_start, quiet_end, daily_cap FROM notification_prefs "
        'WHERE "user" = {}',
        user_id,
    )
    chosen: dict[str, bool] = {}
    if rows:
        raw = rows[0]["categories"]
        chosen = msgspec.json.decode(raw) if isinstance(raw, str) else dict(raw)
    return PreferencesBody(
        categories={c: bool(chosen.get(c, True)) for c in CATEGORIES},
        quiet_start=rows[0]["quiet_start"] if rows else DEFAULT_QUIET[0],
        quiet_end=rows[0]["quiet_end"] if rows else DEFAULT_QUIET[1],
        daily_cap=rows[0]["daily_cap"] if rows else DEFAULT_CAP,
    )


async def set_preferences(user: CurrentUser, data: PreferencesBody) -> PreferencesBody:
    unknown = set(data.categories) - set(CATEGORIES)
    if unknown:
        raise Invalid(
            msg(
                "Unknown categories {unknown}; they are {known}.",
                unknown=str(sorted(unknown)),
                known=", ".join(CATEGORIES),
            )
        )
    if (data.quiet_start is None) != (data.quiet_end is None):
        raise Invalid(
            msg("Set both the start and the end of quiet hours (or neither)."), field="quietEnd"
        )
    await Notification.raw(
        'INSERT INTO notification_prefs ("user", categories, quiet_start, quiet_end, daily_cap) '
        'VALUES ({}, {}::jsonb, {}, {}, {}) ON CONFLICT ("user") DO UPDATE SET '
        "categories = EXCLUDED.categories, quiet_start = EXCLUDED.quiet_start, "
        "quiet_end = EXCLUDED.quiet_end, daily_cap = EXCLUDED.daily_cap",
        user.id,
        msgspec.json.encode(data.categories).decode(),
        data.quiet_start,
        data.quiet_end,
        data.daily_cap,
    )
    return await preferences(user.id)


def in_quiet_hours(local: datetime, start: int | None, end: int | None) -> bool:
    if start is None or end is None or start == end:
        return False
    hour = local.hour
    return start <= hour < end if start < end else hour >= start or hour < end


# -- notifying ---------------------------------------------------------------------------


async def notify(
    org_id: UUID,
    user_id: UUID,
    category: str,
    title: Text,
    body: Text,
    url: str = "/",
    *,
    urgent: bool = False,
    dedupe_key: str | None = None,
) -> tuple[UUID, str] | None:
    """Put a notice in the inbox and decide whether it is pushed; returns (id, push state), or
    None when `dedupe_key` was seen before. The caller queues the push when the state is
    'queued' (workers.tasks.send_push). Title and body are written in the person's language
    (their choice, else their organization's default): the inbox row and the push say the same."""
    # one read: the person's time zone, language, preferences, and whether this notice was
    # given before
    found = await fetch(
        "SELECT u.timezone, coalesce(u.language, o.default_language) AS language, "
        "row_to_json(p) AS prefs, "
        "EXISTS (SELECT 1 FROM notification n WHERE n.dedupe_key = $2) AS seen "
        "FROM app_user u JOIN organization o ON o.id = u.org "
        'LEFT JOIN notification_prefs p ON p."user" = u.id WHERE u.id = $1',
        user_id,
        dedupe_key,
    )
    if not found or found[0]["seen"]:
        return None
    language = found[0]["language"]
    title_text, body_text = str(render(title, language)), str(render(body, language))
    prefs = prefs_from_json(found[0]["prefs"])
    local = clock.now().astimezone(ZoneInfo(found[0]["timezone"]))
    notification_id = uuid4()
    async with DB.transaction():
        # One decision at a time per person, so the cap holds under concurrent notices.
        await Notification.raw("SELECT pg_advisory_xact_lock(hashtext({}))", str(user_id))
        if not prefs.categories.get(category, True):
            state, reason = "off", "preference"
        elif urgent:
            state, reason = "queued", None
        elif in_quiet_hours(local, prefs.quiet_start, prefs.quiet_end):
            state, reason = "held", "quiet_hours"
        elif await _pushed_today(user_id, local) >= prefs.daily_cap:
            state, reason = "held", "daily_cap"
        else:
            state, reason = "queued", None
        try:
            await Notification.insert(
                Notification(
                    id=notification_id,
                    org=org_id,
                    user=user_id,
                    category=category,
                    title=title_text[:120],
                    body=body_text[:500],
                    url=url[:500],
                    urgent=urgent,
                    push_state=state,
                    held_reason=reason,
                    dedupe_key=dedupe_key,
                    created_at=clock.now(),
                )
            )
        except asyncpg.UniqueViolationError:
            return None  # this notice was given before
    return notification_id, state


async def _pushed_today(user_id: UUID, local: datetime) -> int:
    midnight = datetime.combine(local.date(), time.min, local.tzinfo)
    rows = await Notification.raw(
        'SELECT count(*) AS n FROM notification WHERE "user" = {} AND NOT urgent '
        "AND push_state IN ('queued', 'sent') AND created_at >= {} AND created_at < {}",
        user_id,
        midnight,
        midnight + timedelta(days=1),
    )
    return int(rows[0]["n"])


# -- the inbox ---------------------------------------------------------------------------


async def inbox(
    user: CurrentUser, *, limit: int = 30, cursor: str | None = None
) -> Page[NotificationRead]:
    """Newest first."""
    before_created, before_id = (
        decode_cursor(cursor, tuple[datetime, UUID]) if cursor else (None, None)
    )
    rows = await Notification.raw(
        'SELECT * FROM notification WHERE "user" = {} AND ({}::timestamptz IS NULL '
        "OR (created_at, id) < ({}::timestamptz, {}::uuid)) "
        "ORDER BY created_at DESC, id DESC LIMIT {}",
        user.id,
        before_created,
        before_created,
        before_id,
        limit + 1,
    )
    items = [
        NotificationRead(
            id=r["id"],
            category=r["category"],
            title=r["title"],
            body=r["body"],
            url=r["url"],
            pushed=r["push_state"] in ("queued", "sent"),
            held_reason=r["held_reason"],
            created_at=r["created_at"],
            read_at=r["read_at"],
        )
        for r in rows[:limit]
    ]
    return Page[NotificationRead](items=items, next_cursor=created_at_cursor(rows, limit))


async def mark_read(user: CurrentUser, notification_id: UUID) -> None:
    updated = await Notification.raw(
        "UPDATE notification SET read_at = coalesce(read_at, now()) "
        'WHERE id = {} AND "user" = {} RETURNING id',
        notification_id,
        user.id,
    )
    if not updated:
        raise NotFound(msg("No such notification of yours."))


async def mark_all_read(user: CurrentUser) -> None:
    """Every unread notice of the caller is read now."""
    await Notification.raw(
        'UPDATE notification SET read_at = now() WHERE "user" = {} AND read_at IS NULL', user.id
    )


# -- what becomes a notification ---------------------------------------------------------


def _describe(notice: events.UserNotice) -> tuple[str, Text, Text, str, bool] | None:
    """(category, title, body, url, urgent) for a live notice, or None if it is not pushed."""
    data: dict[str, Any] = notice.data
    if notice.kind == "submission":
        if data.get("status") == "verified":
            return (
                "verification",
                msg("Verified! +{points}", points=data.get("pointsAwarded", 0)),
                msg("Your share counts. Thank you for spreading the word."),
                f"/challenges/{data.get('challengeId')}",
                True,
            )
        if data.get("status") == "rejected":
            reason = data.get("reason")
            return (
                "verification",
                msg("About your share"),
                Known(str(reason)) if reason else msg("It could not be verified."),
                f"/challenges/{data.get('challengeId')}",
                True,
            )
        return None
    if notice.kind == "badge":
        return (
            "badge",
            msg("You earned {badge}", badge=Known(str(data.get("name")))),
            msg("+{points} points", points=data["points"])
            if data.get("points")
            else msg("Nicely done."),
            "/badges",
            False,
        )
    if notice.kind == "level_up":
        return (
            "level",
            msg("Level {level}!", level=data.get("level")),
            msg("{points} points so far.", points=data.get("points")),
            "/me",
            False,
        )
    if notice.kind == "team_goal":
        return (
            "team",
            msg("Your team reached its goal"),
            msg("+{points} points each.", points=data.get("bonus")),
            f"/challenges/{data.get('challengeId')}",
            False,
        )
    if notice.kind == "streak_at_risk":
        return (
            "streak",
            msg("Keep your {weeks}-week streak", weeks=data.get("weeks")),
            msg("One share before Sunday keeps it going."),
            "/",
            False,
        )
    return None


async def on_notice(notice: events.UserNotice) -> tuple[UUID, str] | None:
    recorded = _recorded.get(id(notice))
    if recorded is not None and recorded[0] is notice:
        return recorded[1]  # its inbox row was written with the decision that caused it
    described = _describe(notice)
    if described is None:
        return None
    category, title, body, url, urgent = described
    return await notify(notice.org_id, notice.user_id, category, title, body, url, urgent=urgent)


# -- notices written in the transaction that caused them ---------------------------------
# A verification writes its notices' inbox rows in its own transaction (one statement for all,
# budget decided under the person's lock, as `notify` decides it); after the commit they are
# published as usual, and `on_notice` hands back the row already written instead of a second.

_recorded: dict[int, tuple[events.UserNotice, tuple[UUID, str] | None]] = {}

# push state for a queued notice whose person has no device: nothing for the push job to do
NO_DEVICE = "no_device"


def describe(
    notice: events.UserNotice, language: str | None
) -> tuple[str, str, str, str, bool] | None:
    """(category, title, body, url, urgent) of the inbox row a notice becomes, in `language`,
    or None."""
    found = _describe(notice)
    if found is None:
        return None
    category, title, body, url, urgent = found
    return category, render(title, language), render(body, language), url, urgent


def prefs_from_json(raw: Any) -> PreferencesBody:
    """A person's preferences from their `notification_prefs` row as JSON (None: defaults)."""
    row: dict[str, Any] = (msgspec.json.decode(raw) if isinstance(raw, str) else raw) or {}
    chosen = row.get("categories") or {}
    if isinstance(chosen, str):
        chosen = msgspec.json.decode(chosen)
    return PreferencesBody(
        categories={c: bool(chosen.get(c, True)) for c in CATEGORIES},
        quiet_start=row["quiet_start"] if row else DEFAULT_QUIET[0],
        quiet_end=row["quiet_end"] if row else DEFAULT_QUIET[1],
        daily_cap=row["daily_cap"] if row else DEFAULT_CAP,
    )


def today_bounds(timezone: str) -> tuple[datetime, datetime]:
    """The person's local day (midnight to midnight) the daily cap counts pushes in."""
    local = clock.now().astimezone(ZoneInfo(timezone))
    midnight = datetime.combine(local.date(), time.min, local.tzinfo)
    return midnight, midnight + timedelta(days=1)


def push_states(
    prefs: PreferencesBody, timezone: str, pushed_today: int, notices: list[tuple[str, bool]]
) -> list[tuple[str, str | None]]:
    """(push state, held reason) of each (category, urgent) in order, as `notify` would decide
    them one after the other: each queued non-urgent push counts toward the daily cap."""
    local = clock.now().astimezone(ZoneInfo(timezone))
    out: list[tuple[str, str | None]] = []
    for category, urgent in notices:
        if not prefs.categories.get(category, True):
            out.append(("off", "preference"))
        elif urgent:
            out.append(("queued", None))
        elif in_quiet_hours(local, prefs.quiet_start, prefs.quiet_end):
            out.append(("held", "quiet_hours"))
        elif pushed_today >= prefs.daily_cap:
            out.append(("held", "daily_cap"))
        else:
            pushed_today += 1
            out.append(("queued", None))
    return out


async def publish_recorded(
    notices: list[tuple[events.UserNotice, tuple[UUID, str] | None]],
) -> None:
    """Publish notices whose inbox rows are already written: (notice, (id, push state)), the
    state NO_DEVICE for a queued push with no device to go to."""
    for notice, made in notices:
        _recorded[id(notice)] = (notice, made)
        try:
            await events.user_notice(notice)
        finally:
            _recorded.pop(id(notice), None)
