"""Badges: rules an organization configures, evaluated when points or clicks change.

Each award is idempotent (one row per person and badge, by a unique key) and its bonus points
go through the ledger under the key `badge:<badge>:<user>`, in the same transaction; an
evaluation that runs twice, or for an event seen twice, awards nothing more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, get_args
from uuid import UUID, uuid4

import asyncpg
import msgspec

from backend import events
from backend.badges import team_goals
from backend.badges.schemas import (
    BadgeCreate,
    BadgeRead,
    BadgeRule,
    BadgeUpdate,
    Icon,
    Progress,
)
from backend.badges.streaks import streak_for
from backend.badges.tables import Badge, UserBadge
from backend.challenges.tables import Challenge, Pillar
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.identity import CurrentUser
from backend.core.text import clean_text
from backend.db import DB
from backend.orgs.tables import User
from backend.points.service import LedgerEntry, append, level_for, org_levels
from backend.points.service import total as points_total
from backend.points.tables import PointsLedger

log = logging.getLogger("chorus.badges")

ICONS = frozenset(get_args(Icon))  # the files in backend/badges/icons/

# The set every organization starts with; admins add their own and retire these.
DEFAULTS: list[dict[str, Any]] = [
    {
        "code": "first-share",
        "name": "First voice",
        "icon": "spark",
        "rule_type": "first_share",
        "threshold": 1,
        "points": 10,
        "description": "Your first verified share. Welcome to the chorus!",
    },
    {
        "code": "shares-5",
        "name": "Regular",
        "icon": "megaphone",
        "rule_type": "shares_count",
        "threshold": 5,
        "points": 25,
        "description": "Five verified shares.",
    },
    {
        "code": "shares-25",
        "name": "Amplifier",
        "icon": "amplifier",
        "rule_type": "shares_count",
        "threshold": 25,
        "points": 100,
        "description": "Twenty-five verified shares.",
    },
    {
        "code": "clicks-10",
        "name": "Conversation starter",
        "icon": "ripple",
        "rule_type": "unique_clicks",
        "threshold": 10,
        "points": 20,
        "description": "Ten people followed your links.",
    },
    {
        "code": "clicks-100",
        "name": "Crowd gatherer",
        "icon": "crowd",
        "rule_type": "unique_clicks",
        "threshold": 100,
        "points": 100,
        "description": "A hundred people followed your links.",
    },
    {
        "code": "networks-3",
        "name": "Everywhere",
        "icon": "globe",
        "rule_type": "networks_used",
        "threshold": 3,
        "points": 30,
        "description": "Verified shares on three networks.",
    },
    {
        "code": "streak-4",
        "name": "Steady flame",
        "icon": "flame",
        "rule_type": "streak_weeks",
        "threshold": 4,
        "points": 40,
        "description": "A verified share four weeks in a row.",
    },
    {
        "code": "points-500",
        "name": "Rising star",
        "icon": "star",
        "rule_type": "points",
        "threshold": 500,
        "points": 0,
        "description": "500 points earned.",
    },
    {
        "code": "points-2000",
        "name": "Chorus lead",
        "icon": "crown",
        "rule_type": "points",
        "threshold": 2000,
        "points": 0,
        "description": "2,000 points earned.",
    },
]

_seeded: set[UUID] = set()


async def ensure_defaults(org_id: UUID) -> None:
    """Give an organization the default badges once (new ones, and ones from before badges)."""
    if org_id in _seeded:
        return
    for badge in DEFAULTS:
        await Badge.raw(
            "INSERT INTO badge (id, org, code, name, description, icon, rule_type, threshold, "
            "points) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}) "
            "ON CONFLICT (org, code) DO NOTHING",
            uuid4(),
            org_id,
            badge["code"],
            badge["name"],
            badge["description"],
            badge["icon"],
            badge["rule_type"],
            badge["threshold"],
            badge["points"],
        )
    _seeded.add(org_id)


@dataclass
class Stats:
    """What a person has done, in the terms badge rules speak."""

    verified_shares: int = 0
    unique_clicks: int = 0
    points: int = 0
    networks: int = 0
    challenges: set[UUID] = field(default_factory=set)
    per_pillar: dict[UUID, int] = field(default_factory=dict)
    streak_weeks: int = 0

    def value(self, rule_type: str, challenge: UUID | None, pillar: UUID | None) -> int:
        if rule_type in ("first_share", "shares_count"):
            return self.verified_shares
        if rule_type == "unique_clicks":
            return self.unique_clicks
        if rule_type == "points":
            return self.points
        if rule_type == "networks_used":
            return self.networks
        if rule_type == "challenge_completed":
            return 1 if challenge in self.challenges else 0
        if rule_type == "pillar_champion" and pillar is not None:
            return self.per_pillar.get(pillar, 0)
        if rule_type == "streak_weeks":
            return self.streak_weeks
        return 0


async def stats_for(user_id: UUID) -> Stats:
    rows = await Badge.raw(
        """
        SELECT
          (SELECT count(*) FROM submission WHERE "user" = {u} AND status = 'verified') AS shares,
          (SELECT count(*) FROM click WHERE sharer = {u} AND kind = 'unique') AS clicks,
          (SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE "user" = {u}) AS points,
          (SELECT count(DISTINCT network) FROM submission
             WHERE "user" = {u} AND status = 'verified') AS networks,
          (SELECT coalesce(array_agg(challenge), ARRAY[]::uuid[]) FROM submission
             WHERE "user" = {u} AND status = 'verified') AS challenges
        """.replace("{u}", "{}"),
        user_id,
        user_id,
        user_id,
        user_id,
        user_id,
    )
    pillars = await Badge.raw(
        "SELECT c.pillar, count(*) AS n FROM submission s JOIN challenge c ON c.id = s.challenge "
        "WHERE s.\"user\" = {} AND s.status = 'verified' AND c.pillar IS NOT NULL "
        "GROUP BY c.pillar",
        user_id,
    )
    row = rows[0]
    person = await User.select(User.timezone).where(User.id == user_id).first()
    streak = await streak_for(user_id, person["timezone"] if person else "UTC")
    return Stats(
        streak_weeks=streak.weeks,
        verified_shares=int(row["shares"]),
        unique_clicks=int(row["clicks"]),
        points=int(row["points"]),
        networks=int(row["networks"]),
        challenges=set(row["challenges"] or []),
        per_pillar={r["pillar"]: int(r["n"]) for r in pillars},
    )


async def evaluate(user_id: UUID) -> list[str]:
    """Award every badge the person now qualifies for and does not hold; returns their codes."""
    person = await User.select(User.org, User.team).where(User.id == user_id).first()
    if person is None:
        return []
    org_id = person["org"]
    await ensure_defaults(org_id)
    candidates = await Badge.raw(
        "SELECT b.* FROM badge b WHERE b.org = {} AND b.retired_at IS NULL AND NOT EXISTS "
        '(SELECT 1 FROM user_badge ub WHERE ub.badge = b.id AND ub."user" = {})',
        org_id,
        user_id,
    )
    if not candidates:
        return []
    stats = await stats_for(user_id)
    earned = []
    for badge in candidates:
        value = stats.value(badge["rule_type"], badge["challenge"], badge["pillar"])
        if value >= badge["threshold"] and await _award(org_id, user_id, person["team"], badge):
            earned.append(str(badge["code"]))
    return earned


async def _award(org_id: UUID, user_id: UUID, team_id: UUID | None, badge: dict[str, Any]) -> bool:
    async with DB.transaction():
        inserted = await UserBadge.raw(
            'INSERT INTO user_badge (id, org, badge, "user") VALUES ({}, {}, {}, {}) '
            'ON CONFLICT ("user", badge) DO NOTHING RETURNING earned_at',
            uuid4(),
            org_id,
            badge["id"],
            user_id,
        )
        awarded = []
        if inserted and badge["points"] > 0:
            awarded = await append(
                [
                    LedgerEntry(
                        org_id=org_id,
                        user_id=user_id,
                        team_id=team_id,
                        delta=badge["points"],
                        reason="badge",
                        idempotency_key=f"badge:{badge['id']}:{user_id}",
                    )
                ]
            )
    if not inserted:
        return False
    await events.points_awarded(awarded)
    await events.user_notice(
        events.UserNotice(
            org_id=org_id,
            user_id=user_id,
            kind="badge",
            data={"code": badge["code"], "name": badge["name"], "points": badge["points"]},
        )
    )
    log.info("badge earned", extra={"badge": badge["code"], "user": str(user_id)})
    return True


async def _on_points(event: events.PointsAwarded) -> None:
    if event.delta > 0:
        await _level_up(event)
        await team_goals.on_share_verified(event)
        await evaluate(event.user_id)


async def _level_up(event: events.PointsAwarded) -> None:
    """Announce a new level when this award carried someone over a threshold."""
    thresholds = await org_levels(event.org_id)
    after = await points_total(event.user_id)
    level_after, _ = level_for(after, thresholds)
    level_before, _ = level_for(after - event.delta, thresholds)
    if level_after > level_before:
        await events.user_notice(
            events.UserNotice(
                org_id=event.org_id,
                user_id=event.user_id,
                kind="level_up",
                data={"level": level_after, "points": after},
            )
        )


def install() -> None:
    """Evaluate badges whenever points are awarded (see backend/subscribers.py for when)."""
    events.on_points_awarded(_on_points)


def uninstall() -> None:
    events.remove_subscriber(_on_points)


# -- reading and configuring -------------------------------------------------------------


def _read(row: dict[str, Any], earned_at: datetime | None, current: int | None) -> BadgeRead:
    target = row["threshold"]
    return BadgeRead(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        description=row["description"],
        icon=row["icon"],
        icon_url=f"/badges/icons/{row['icon']}.svg",
        rule=BadgeRule(
            type=row["rule_type"],
            threshold=target,
            challenge_id=row["challenge"],
            pillar_id=row["pillar"],
            period=row["period"],
        ),
        points=row["points"],
        earned_at=earned_at,
        retired=row["retired_at"] is not None,
        progress=None if current is None else Progress(current=min(current, target), target=target),
    )


async def list_for(user: CurrentUser) -> list[BadgeRead]:
    """The organization's badges: earned ones with their date, the others with progress."""
    await ensure_defaults(user.org_id)
    rows = await Badge.raw(
        "SELECT b.*, ub.earned_at FROM badge b LEFT JOIN user_badge ub "
        'ON ub.badge = b.id AND ub."user" = {} WHERE b.org = {} '
        "AND (b.retired_at IS NULL OR ub.earned_at IS NOT NULL) ORDER BY b.created_at, b.code",
        user.id,
        user.org_id,
    )
    stats = await stats_for(user.id)
    return [
        _read(
            row,
            row["earned_at"],
            stats.value(row["rule_type"], row["challenge"], row["pillar"]),
        )
        for row in rows
    ]


async def earned_codes(user_id: UUID) -> list[str]:
    rows = await UserBadge.raw(
        'SELECT b.code FROM user_badge ub JOIN badge b ON b.id = ub.badge WHERE ub."user" = {} '
        "ORDER BY ub.earned_at",
        user_id,
    )
    return [str(row["code"]) for row in rows]


async def create_badge(actor: CurrentUser, data: BadgeCreate) -> BadgeRead:
    await ensure_defaults(actor.org_id)
    rule = data.rule
    if rule.type == "challenge_completed":
        if rule.challenge_id is None:
            raise Invalid("rule.challengeId is needed for a challenge_completed badge.")
        if not await Challenge.exists().where(
            (Challenge.id == rule.challenge_id) & (Challenge.org == actor.org_id)
        ):
            raise NotFound("No such challenge in your organization.")
    if rule.type == "pillar_champion":
        if rule.pillar_id is None:
            raise Invalid("rule.pillarId is needed for a pillar_champion badge.")
        if not await Pillar.exists().where(
            (Pillar.id == rule.pillar_id) & (Pillar.org == actor.org_id)
        ):
            raise NotFound("No such narrative pillar in your organization.")
    if rule.type == "period_winner" and rule.period is None:
        raise Invalid('rule.period ("week" or "month") is needed for a period_winner badge.')
    badge_id = uuid4()
    try:
        await Badge.insert(
            Badge(
                id=badge_id,
                org=actor.org_id,
                code=data.code,
                name=clean_text(data.name, "name"),
                description=data.description.strip(),
                icon=data.icon,
                rule_type=rule.type,
                threshold=1
                if rule.type in ("first_share", "challenge_completed")
                else rule.threshold,
                challenge=rule.challenge_id if rule.type == "challenge_completed" else None,
                pillar=rule.pillar_id if rule.type == "pillar_champion" else None,
                period=rule.period if rule.type == "period_winner" else None,
                points=data.points,
            )
        )
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(f"Your organization already has a badge with code {data.code!r}.") from exc
    row = (await Badge.raw("SELECT * FROM badge WHERE id = {}", badge_id))[0]
    return _read(row, None, None)


async def update_badge(actor: CurrentUser, badge_id: UUID, data: BadgeUpdate) -> BadgeRead:
    """Rename, redescribe, re-icon or re-price a badge; its rule stays what people earned."""
    changes: dict[Any, Any] = {}
    if data.name is not msgspec.UNSET:
        changes[Badge.name] = clean_text(data.name, "name")
    if data.description is not msgspec.UNSET:
        changes[Badge.description] = data.description.strip()
    if data.icon is not msgspec.UNSET:
        changes[Badge.icon] = data.icon
    if data.points is not msgspec.UNSET:
        changes[Badge.points] = data.points
    where = (Badge.id == badge_id) & (Badge.org == actor.org_id)
    if not await Badge.exists().where(where):
        raise NotFound("No such badge in your organization.")
    if changes:
        await Badge.update(changes).where(where)
    row = (await Badge.raw("SELECT * FROM badge WHERE id = {}", badge_id))[0]
    return _read(row, None, None)


async def award_period_winners(org_id: UUID, at: datetime) -> list[str]:
    """For each period_winner badge: the top N people (competition rank ≤ N, ties included)
    of the last closed week or month, computed from the ledger. Safe to run any number of
    times; returns '<code>:<user>' for each award made."""
    badges = await Badge.raw(
        "SELECT * FROM badge WHERE org = {} AND rule_type = 'period_winner' AND retired_at IS NULL",
        org_id,
    )
    if not badges:
        return []
    tz = (await User.raw("SELECT timezone FROM organization WHERE id = {}", org_id))[0]["timezone"]
    made = []
    for badge in badges:
        unit = "week" if badge["period"] == "week" else "month"
        ranked = await PointsLedger.raw(
            "WITH bounds AS (SELECT date_trunc({}, ({}::timestamptz AT TIME ZONE {})) "
            "- ('1 ' || {})::interval AS start), "
            'totals AS (SELECT l."user", sum(l.delta) AS points FROM points_ledger l, bounds '
            "WHERE l.org = {} AND (l.created_at AT TIME ZONE {}) >= bounds.start "
            "AND (l.created_at AT TIME ZONE {}) < bounds.start + ('1 ' || {})::interval "
            'GROUP BY l."user" HAVING sum(l.delta) > 0) '
            'SELECT t."user", u.team, rank() OVER (ORDER BY t.points DESC) AS place '
            'FROM totals t JOIN app_user u ON u.id = t."user"',
            unit,
            at,
            tz,
            unit,
            org_id,
            tz,
            tz,
            unit,
        )
        for row in ranked:
            if row["place"] <= badge["threshold"] and await _award(
                org_id, row["user"], row["team"], badge
            ):
                made.append(f"{badge['code']}:{row['user']}")
    return made


async def retire_badge(actor: CurrentUser, badge_id: UUID) -> None:
    """No longer awarded; those who earned it keep it."""
    retired = await Badge.raw(
        "UPDATE badge SET retired_at = coalesce(retired_at, now()) WHERE id = {} AND org = {} "
        "RETURNING id",
        badge_id,
        actor.org_id,
    )
    if not retired:
        raise NotFound("No such badge in your organization.")
