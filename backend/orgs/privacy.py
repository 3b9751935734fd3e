"""A person's data: everything Chorus holds about them as one JSON document, and erasure.

Erasure keeps the organization's numbers true: the person's ledger rows, submissions and
clicks stay (boards, totals and analytics do not move) but nothing in them points to a
person any more — name, email, password, posts' URLs, evidence, stories, photos, comments,
kudos messages, notifications and push subscriptions are gone.
"""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

import msgspec

from backend.core.errors import Conflict, Forbidden, NotFound
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.core.passwords import hash_password
from backend.core.tokens import erased_post_key
from backend.db import DB
from backend.orgs.sessions import end_sessions
from backend.orgs.tables import User
from backend.settings import get_settings
from backend.storage import store_for


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await User.raw(sql, *args)  # type: ignore[no-any-return]


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return msgspec.to_builtins(rows)  # type: ignore[no-any-return]


async def export(user: CurrentUser) -> dict[str, Any]:
    """Everything about the caller, for them to download (GDPR art. 15 and 20)."""
    me = user.id
    profile = await _rows(
        "SELECT u.id, u.email, u.display_name, u.role, u.timezone, u.hide_from_leaderboards, "
        "u.created_at, u.last_login_at, t.name AS team, o.name AS organization FROM app_user u "
        "JOIN organization o ON o.id = u.org LEFT JOIN team t ON t.id = u.team WHERE u.id = {}",
        me,
    )
    sections = {
        "points": "SELECT delta, reason, challenge, created_at FROM points_ledger "
        'WHERE "user" = {} ORDER BY id',
        "submissions": "SELECT s.id, c.title AS challenge, s.network, s.post_url, s.status, "
        "s.points_awarded, s.reason, s.created_at, s.decided_at, s.post_text, s.own_words "
        "FROM submission s "
        'JOIN challenge c ON c.id = s.challenge WHERE s."user" = {} ORDER BY s.created_at',
        "shareLinks": "SELECT l.code, c.title AS challenge, l.network, l.created_at, "
        "(SELECT count(*) FROM click k WHERE k.link = l.id AND k.kind = 'unique') AS unique_clicks "
        'FROM share_link l JOIN challenge c ON c.id = l.challenge WHERE l."user" = {} '
        "ORDER BY l.created_at",
        "badges": "SELECT b.name, ub.earned_at FROM user_badge ub JOIN badge b ON b.id = ub.badge "
        'WHERE ub."user" = {} ORDER BY ub.earned_at',
        "notifications": "SELECT category, title, body, created_at, read_at FROM notification "
        'WHERE "user" = {} ORDER BY created_at',
        "notificationPreferences": "SELECT categories, quiet_start, quiet_end, daily_cap "
        'FROM notification_prefs WHERE "user" = {}',
        "pushSubscriptions": 'SELECT endpoint, created_at FROM push_subscription WHERE "user" = {}',
        "stories": "SELECT title, body, status, public, slug, created_at, published_at "
        "FROM story WHERE author = {} ORDER BY created_at",
        "comments": "SELECT body, created_at FROM comment WHERE author = {} ORDER BY created_at",
        "kudosGiven": "SELECT u.display_name AS to, k.message, k.created_at FROM kudos k "
        "JOIN app_user u ON u.id = k.receiver WHERE k.giver = {} ORDER BY k.created_at",
        "kudosReceived": "SELECT u.display_name AS from, k.message, k.created_at FROM kudos k "
        "JOIN app_user u ON u.id = k.giver WHERE k.receiver = {} ORDER BY k.created_at",
        "reactions": 'SELECT item, kind, created_at FROM reaction WHERE "user" = {}',
        # Which surveys they answered; what they answered was never linked to them.
        "surveysAnswered": "SELECT s.title FROM survey_participation p "
        'JOIN survey s ON s.id = p.survey WHERE p."user" = {}',
    }
    document: dict[str, Any] = {"profile": _plain(profile)[0] if profile else None}
    for name, sql in sections.items():
        document[name] = _plain(await _rows(sql, me))
    document["note"] = (
        "Clicks on your links are counted, never who clicked: no visitor data is included "
        "because Chorus keeps none that could identify anyone."
    )
    return document


async def erase(actor: CurrentUser, user_id: UUID) -> None:
    """An admin erases a person: personal data gone, their points kept anonymously."""
    if user_id == actor.id:
        raise Forbidden(msg("Ask another admin to erase your own account."))
    async with DB.transaction():
        await _rows("SELECT pg_advisory_xact_lock(hashtext({}))", str(actor.org_id))
        target = await _rows(
            "SELECT id, role, active, email FROM app_user WHERE id = {} AND org = {}",
            user_id,
            actor.org_id,
        )
        if not target:
            raise NotFound(msg("No such person in your organization."))
        if target[0]["role"] == "admin" and target[0]["active"]:
            admins = await _rows(
                "SELECT count(*) AS n FROM app_user WHERE org = {} AND role = 'admin' AND active",
                actor.org_id,
            )
            if admins[0]["n"] <= 1:
                raise Conflict(msg("An organization keeps at least one active admin."))
        unusable = await hash_password(secrets.token_urlsafe(32))
        await _rows(
            "UPDATE app_user SET email = {}, display_name = 'Former member', password_hash = {}, "
            "active = false, hide_from_leaderboards = true, timezone = 'UTC', role = 'employee', "
            "last_login_at = NULL WHERE id = {}",
            f"erased-{user_id.hex}@erased.invalid",
            unusable,
            user_id,
        )
        for sql in (
            'DELETE FROM team_lead WHERE "user" = {}',
            'DELETE FROM password_reset WHERE "user" = {}',
            'DELETE FROM push_subscription WHERE "user" = {}',
            'DELETE FROM notification WHERE "user" = {}',
            'DELETE FROM notification_prefs WHERE "user" = {}',
            'DELETE FROM reaction WHERE "user" = {}',
            "DELETE FROM comment WHERE author = {}",
            "DELETE FROM report WHERE reporter = {}",
            "DELETE FROM story WHERE author = {}",
            "DELETE FROM feed_item WHERE actor = {} AND kind IN ('kudos', 'badge')",
            # kudos they received: the feed item names them, the giver's words were about them
            "DELETE FROM feed_item WHERE kind = 'kudos' AND (data->>'to')::uuid = {}",
            # the "Kudos from <them>" notices in colleagues' inboxes
            "DELETE FROM notification WHERE dedupe_key IN "
            "(SELECT 'kudos:' || id::text FROM kudos WHERE giver = {})",
            # kudos messages are what they wrote (given) or what was written about them
            "UPDATE kudos SET message = '' WHERE giver = {} OR receiver = {}",
            "UPDATE submission SET post_url = NULL, evidence = '[]'::jsonb, review_note = NULL, "
            "post_text = NULL "
            'WHERE "user" = {}',
        ):
            await _rows(sql, *([user_id] * sql.count("{}")))
        # their photos: the rows, then (below, after the commit) the bytes in the media store
        photos = await _rows(
            "DELETE FROM story_photo WHERE owner = {} RETURNING storage_key", user_id
        )
        # a post's key names its author on some networks (LinkedIn, Facebook): a keyed hash
        # keeps the post from being claimed again without saying whose it was
        key = get_settings().key_for("post-keys")
        for row in await _rows(
            'SELECT id, post_key FROM submission WHERE "user" = {} AND post_key IS NOT NULL '
            "AND post_key NOT LIKE 'erased:%'",
            user_id,
        ):
            await _rows(
                "UPDATE submission SET post_key = {} WHERE id = {}",
                erased_post_key(key, row["post_key"]),
                row["id"],
            )
        # the invites to their address, used or not, hold it too
        await _rows(
            "DELETE FROM invite WHERE org = {} AND email = {}", actor.org_id, target[0]["email"]
        )
    store = store_for(get_settings())
    for photo in photos:
        if photo["storage_key"]:
            await store.delete(photo["storage_key"])
    await end_sessions(user_id)
