"""Badges: rules an organization configures, evaluated when points or clicks change.

Each award is idempotent (one row per person and badge, by a unique key) and its bonus points
go through the ledger under the key `badge:<badge>:<user>`, in the same transaction; an
evaluation that runs twice, or for an event seen twice, awards nothing more.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, get_args
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

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
from backend.badges.streaks import ACTIVE_REASONS, streak_for, streak_from, week_start
from backend.badges.tables import Badge, UserBadge
from backend.challenges.tables import Challenge, Pillar
from backend.core import clock
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import known, msg
from backend.core.identity import CurrentUser
from backend.core.text import clean_text
from backend.db import DB, fetch
from backend.notifications import service as notifications
from backend.orgs.tables import User
from backend.points.service import LedgerEntry, append, level_for, org_levels
from backend.points.service import total as points_total
from backend.points.tables import PointsLedger
from backend.settings import get_settings

log = logging.getLogger("chorus.badges")

ICONS = frozenset(get_args(Icon))  # the files in backend/badges/icons/

# The set every organization starts with; admins add their own and retire these.
DEFAULTS: list[dict[str, Any]] = [
    {
        "code": "first-share",
        "name": str(msg("First voice")),
        "icon": "spark",
        "rule_type": "first_share",
        "threshold": 1,
        "points": 10,
        "description": str(msg("Your first verified share. Welcome to the chorus!")),
    },
    {
        "code": "shares-5",
        "name": str(msg("Regular")),
        "icon": "megaphone",
        "rule_type": "shares_count",
        "threshold": 5,
        "points": 25,
        "description": str(msg("Five verified shares.")),
    },
    {
        "code": "shares-25",
        "name": str(msg("Amplifier")),
        "icon": "amplifier",
        "rule_type": "shares_count",
        "threshold": 25,
        "points": 100,
        "description": str(msg("Twenty-five verified shares.")),
    },
    {
        "code": "clicks-10",
        "name": str(msg("Conversation starter")),
        "icon": "ripple",
        "rule_type": "unique_clicks",
        "threshold": 10,
        "points": 20,
        "description": str(msg("Ten people followed your links.")),
    },
    {
        "code": "clicks-100",
        "name": str(msg("Crowd gatherer")),
        "icon": "crowd",
        "rule_type": "unique_clicks",
        "threshold": 100,
        "points": 100,
        "description": str(msg("A hundred people followed your links.")),
    },
    {
        "code": "networks-3",
        "name": str(msg("Everywhere")),
        "icon": "globe",
        "rule_type": "networks_used",
        "threshold": 3,
        "points": 30,
        "description": str(msg("Verified shares on three networks.")),
    },
    {
        "code": "streak-4",
        "name": str(msg("Steady flame")),
        "icon": "flame",
        "rule_type": "streak_weeks",
        "threshold": 4,
        "points": 40,
        "description": str(msg("A verified share four weeks in a row.")),
    },
    {
        "code": "points-500",
        "name": str(msg("Rising star")),
        "icon": "star",
        "rule_type": "points",
        "threshold": 500,
        "points": 0,
        "description": str(msg("500 points earned.")),
    },
    {
        "code": "points-2000",
        "name": str(msg("Chorus lead")),
        "icon": "crown",
        "rule_type": "points",
        "threshold": 2000,
        "points": 0,
        "description": str(msg("2,000 points earned.")),
    },
]

# A default badge as seeded reads in each reader's language (its name and description are
# catalog messages); once an admin renames it, it reads as they wrote it.
_SEEDED_TEXT: dict[str, tuple[str, str]] = {
    b["code"]: (b["name"], b["description"]) for b in DEFAULTS
}


def _in_language(row: dict[str, Any], language: str | None) -> dict[str, Any]:
    seeded = _SEEDED_TEXT.get(row["code"])
    if seeded is None or language is None:
        return row
    name, description = seeded
    return {
        **row,
        "name": known(row["name"], language) if row["name"] == name else row["name"],
        "description": known(row["description"], language)
        if row["description"] == description
        else row["description"],
    }


_seeded: set[UUID] = set()


async def ensure_defaults(org_id: UUID) -> None:
    """Give an organization the default badges once (new ones, and ones from before badges)."""
    if org_id in _seeded:
        return
    await fetch(
        "INSERT INTO badge (id, org, code, name, description, icon, rule_type, threshold, "
        "points) SELECT gen_random_uuid(), $1, x.code, x.name, x.description, x.icon, "
        "x.rule_type, x.threshold, x.points FROM unnest($2::text[], $3::text[], $4::text[], "
        "$5::text[], $6::text[], $7::int[], $8::int[]) "
        "AS x(code, name, description, icon, rule_type, threshold, points) "
        "ON CONFLICT (org, code) DO NOTHING",
        org_id,
        *([badge[k] for badge in DEFAULTS] for k in _DEFAULT_COLUMNS),
    )
    _seeded.add(org_id)


_DEFAULT_COLUMNS = ("code", "name", "description", "icon", "rule_type", "threshold", "points")


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
    lessons: int = 0  # lessons passed

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
        if rule_type == "learner":
            return self.lessons
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
             WHERE "user" = {u} AND status = 'verified') AS challenges,
          (SELECT coalesce(array_agg(DISTINCT challenge), ARRAY[]::uuid[]) FROM lesson_attempt
             WHERE "user" = {u} AND passed) AS lessons
        """.replace("{u}", "{}"),
        user_id,
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
        # a lesson passed is a challenge completed
        challenges=set(row["challenges"] or []) | set(row["lessons"] or []),
        per_pillar={r["pillar"]: int(r["n"]) for r in pillars},
        lessons=len(row["lessons"] or []),
    )


async def evaluate(user_id: UUID) -> list[str]:
    """Award every badge the person now qualifies for and does not hold; returns their codes."""
    async with DB.transaction():
        rows = await fetch(
            "SELECT u.id, u.org, u.team, u.timezone, "
            "(SELECT 1 FROM pg_advisory_xact_lock(hashtext(u.id::text))) AS locked "
            "FROM app_user u WHERE u.id = $1",
            user_id,
        )
        if not rows:
            return []
        person = Person(rows[0]["id"], rows[0]["org"], rows[0]["team"], rows[0]["timezone"])
        derived = await derive(person, [])
    await derived.publish([])
    return derived.earned


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
    if event.ledger_id in _settled:
        return  # what this award earns was decided in the transaction that wrote it
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


# -- everything an award earns, in the transaction that wrote it ------------------------------
# A verification's decision derives badges, the team goal, the level and the person's notices in
# its own transaction, holding the person's lock (`pg_advisory_xact_lock(hashtext(<user>))`,
# the lock `notify` takes): one read gathers what every rule of the organization needs, Python
# settles which rules are met (a badge's bonus may meet a points rule: repeated until nothing
# changes), one statement writes them all. Whoever held the lock before has committed, so the
# read sees their shares: two verifications of one person cannot both miss a threshold. The
# team goal's contributors are counted under a lock per challenge and team for the same reason.

_GATHER = """
SELECT
  (SELECT count(*) FROM submission WHERE "user" = $1 AND status = 'verified') AS shares,
  (SELECT count(DISTINCT network) FROM submission
     WHERE "user" = $1 AND status = 'verified') AS networks,
  (SELECT coalesce(array_agg(challenge), ARRAY[]::uuid[]) FROM submission
     WHERE "user" = $1 AND status = 'verified') AS challenges,
  (SELECT coalesce(array_agg(c.pillar), ARRAY[]::uuid[]) FROM submission s
     JOIN challenge c ON c.id = s.challenge
     WHERE s."user" = $1 AND s.status = 'verified' AND c.pillar IS NOT NULL) AS pillars,
  (SELECT coalesce(array_agg(DISTINCT challenge), ARRAY[]::uuid[]) FROM lesson_attempt
     WHERE "user" = $1 AND passed) AS lessons,
  (SELECT count(*) FROM click WHERE sharer = $1 AND kind = 'unique') AS clicks,
  (SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE "user" = $1) AS points,
  (SELECT coalesce(array_agg(DISTINCT date_trunc('week', l.created_at AT TIME ZONE $3)::date),
     ARRAY[]::date[]) FROM points_ledger l
     WHERE l."user" = $1 AND l.reason = ANY($8::text[]) AND l.delta > 0
     AND NOT EXISTS (SELECT 1 FROM points_ledger r
       WHERE r.idempotency_key = 'revoke:' || l.submission::text)) AS weeks,
  (SELECT coalesce(json_agg(json_build_object('id', b.id, 'code', b.code, 'name', b.name,
     'rule_type', b.rule_type, 'threshold', b.threshold, 'points', b.points,
     'challenge', b.challenge, 'pillar', b.pillar) ORDER BY b.created_at, b.code), '[]')
     FROM badge b WHERE b.org = $2 AND b.retired_at IS NULL AND NOT EXISTS
     (SELECT 1 FROM user_badge ub WHERE ub.badge = b.id AND ub."user" = $1)) AS candidates,
  (SELECT level_thresholds FROM organization WHERE id = $2) AS levels,
  (SELECT row_to_json(p) FROM notification_prefs p WHERE p."user" = $1) AS prefs,
  (SELECT coalesce(u.language, o.default_language) FROM app_user u
     JOIN organization o ON o.id = u.org WHERE u.id = $1) AS language,
  (SELECT count(*) FROM notification WHERE "user" = $1 AND NOT urgent
     AND push_state IN ('queued', 'sent') AND created_at >= $4 AND created_at < $5)
     AS pushed_today,
  EXISTS (SELECT 1 FROM push_subscription WHERE "user" = $1) AS has_device,
  (SELECT json_build_object('shares', team_goal_shares, 'bonus', team_goal_bonus)
     FROM challenge WHERE id = $6) AS goal,
  (SELECT coalesce(array_agg(DISTINCT l."user"), ARRAY[]::uuid[]) FROM points_ledger l
     WHERE l.challenge = $6 AND l.reason = 'share_verified' AND l.team = $7
     AND NOT EXISTS (SELECT 1 FROM points_ledger r
       WHERE r.idempotency_key = 'revoke:' || l.submission::text)) AS contributors,
  (SELECT coalesce(array_agg(idempotency_key), ARRAY[]::text[]) FROM points_ledger
     WHERE $6::uuid IS NOT NULL AND reason = 'team_goal' AND challenge = $6 AND team = $7)
     AS goal_paid
"""

# Badges, their bonuses (only for a badge row written now), the team goal's bonuses and the
# person's inbox rows (a badge's only if its badge row was written now), in one statement.
_SETTLE = """
WITH earned AS (
  INSERT INTO user_badge (id, org, badge, "user")
  SELECT gen_random_uuid(), $1::uuid, b, $2::uuid FROM unnest($3::uuid[]) AS b
  ON CONFLICT ("user", badge) DO NOTHING RETURNING badge
), ledger_lock AS (
  SELECT pg_advisory_xact_lock_shared(hashtext('points_ledger'), hashtext($1::uuid::text))
), paid AS (
  INSERT INTO points_ledger (org, "user", team, delta, reason, challenge, idempotency_key)
  SELECT $1::uuid, x.u, x.t, x.d, x.r, x.c, x.k
  FROM unnest($4::uuid[], $5::uuid[], $6::int[], $7::text[], $8::uuid[], $9::text[], $10::uuid[])
    AS x(u, t, d, r, c, k, g), ledger_lock
  WHERE x.g IS NULL OR x.g IN (SELECT badge FROM earned)
  ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, created_at, idempotency_key
), told AS (
  INSERT INTO notification (id, org, "user", category, title, body, url, urgent, push_state,
    held_reason, created_at)
  SELECT x.i, $1::uuid, $2::uuid, x.c, x.t, x.b, x.url, x.urgent, x.s, x.r, $19
  FROM unnest($11::uuid[], $12::text[], $13::text[], $14::text[], $15::text[], $16::bool[],
    $17::text[], $18::text[], $20::uuid[]) AS x(i, c, t, b, url, urgent, s, r, g)
  WHERE x.g IS NULL OR x.g IN (SELECT badge FROM earned)
  RETURNING id
)
SELECT 'badge' AS kind, badge::text AS key, NULL::bigint AS id, NULL::timestamptz AS at
FROM earned
UNION ALL SELECT 'ledger', idempotency_key, id, created_at FROM paid
UNION ALL SELECT 'notice', id::text, NULL, NULL FROM told
"""

# ledger ids whose consequences were settled in their own transaction (see `_on_points`)
_settled: set[int] = set()


@dataclass(frozen=True, slots=True)
class Person:
    id: UUID
    org_id: UUID
    team_id: UUID | None
    timezone: str


@dataclass
class Derived:
    """What `derive` wrote, to announce after the commit."""

    earned: list[str] = field(default_factory=list)
    settled: list[events.PointsAwarded] = field(default_factory=list)  # the person's
    others: list[events.PointsAwarded] = field(default_factory=list)  # team mates' bonuses
    notices: list[tuple[events.UserNotice, tuple[UUID, str] | None]] = field(default_factory=list)
    team_notices: list[events.UserNotice] = field(default_factory=list)

    async def publish(self, awards: list[events.PointsAwarded]) -> None:
        """After the commit: `awards` (the caller's rows, settled here too) and what was
        derived reach the boards and the subscribers; then the notices, each once."""
        settled = [a.ledger_id for a in (*awards, *self.settled)]
        _settled.update(settled)
        try:
            await events.points_awarded([*awards, *self.settled, *self.others])
        finally:
            _settled.difference_update(settled)
        await notifications.publish_recorded(self.notices)
        for notice in self.team_notices:
            await events.user_notice(notice)


async def derive(
    person: Person,
    awards: list[events.PointsAwarded],
    notices: list[events.UserNotice] | None = None,
) -> Derived:
    """In the caller's transaction, which holds the person's lock: the badges, team goal
    bonuses and level the person's new `awards` (already written) earn, and the inbox rows of
    all their notices (`notices` first: a verdict, say). See the section's comment."""
    notices = list(notices or [])
    # (a decision that awards nothing, a rejection say, earns no badge; `evaluate` looks anyway)
    judge = bool(awards) or not notices
    if judge:
        await ensure_defaults(person.org_id)
    share = next((a for a in awards if a.reason == "share_verified" and a.delta > 0), None)
    start, end = notifications.today_bounds(person.timezone)
    row = (
        await fetch(
            _GATHER,
            person.id,
            person.org_id,
            person.timezone,
            start,
            end,
            share.challenge_id if share and share.team_id else None,
            person.team_id,
            list(ACTIVE_REASONS),
        )
    )[0]
    derived = Derived()
    ledger: list[tuple[UUID, UUID | None, int, str, UUID | None, str, UUID | None]] = []
    own_notices: list[tuple[events.UserNotice, UUID | None]] = []
    bonus = 0
    # the team goal: every contributor not yet paid, once the team has enough of them
    goal = msgspec.json.decode(row["goal"]) if row["goal"] else None
    if share and goal and goal["shares"] and goal["bonus"] > 0 and share.team_id:
        contributors: list[UUID] = list(row["contributors"])
        if len(contributors) >= goal["shares"]:
            for user in contributors:
                key = f"teamgoal:{share.challenge_id}:{share.team_id}:{user}"
                if key in row["goal_paid"]:
                    continue
                ledger.append(
                    (user, share.team_id, goal["bonus"], "team_goal", share.challenge_id, key, None)
                )
    # badges: repeated until no rule changes its mind (a bonus may meet a points rule)
    candidates = msgspec.json.decode(row["candidates"]) if judge else []
    zone = ZoneInfo(person.timezone)
    stats = Stats(
        verified_shares=int(row["shares"]),
        unique_clicks=int(row["clicks"]),
        networks=int(row["networks"]),
        challenges=set(row["challenges"]) | set(row["lessons"]),
        per_pillar=dict(Counter(row["pillars"])),
        lessons=len(row["lessons"]),
        streak_weeks=streak_from(
            set(row["weeks"]), week_start(clock.now().astimezone(zone).date())
        ).weeks,
    )
    base = int(row["points"])
    team_bonus = sum(d for u, _, d, *_ in ledger if u == person.id)
    earned: list[dict[str, Any]] = []
    changed = True
    while changed:
        changed = False
        stats.points = base + team_bonus + bonus
        for badge in candidates:
            if badge in earned:
                continue
            challenge = UUID(badge["challenge"]) if badge["challenge"] else None
            pillar = UUID(badge["pillar"]) if badge["pillar"] else None
            if stats.value(badge["rule_type"], challenge, pillar) >= badge["threshold"]:
                earned.append(badge)
                bonus += badge["points"]
                changed = True
    for badge in earned:
        badge_id = UUID(badge["id"])
        if badge["points"] > 0:
            key = f"badge:{badge_id}:{person.id}"
            ledger.append(
                (person.id, person.team_id, badge["points"], "badge", None, key, badge_id)
            )
    # the level: from before this transaction's awards to after everything they earned
    thresholds = list(row["levels"]) if row["levels"] else get_settings().levels
    after = base + team_bonus + bonus
    before = base - sum(a.delta for a in awards)
    level_after, _ = level_for(after, thresholds)
    if level_after > level_for(before, thresholds)[0]:
        own_notices.append(
            (
                events.UserNotice(
                    person.org_id,
                    person.id,
                    "level_up",
                    {"level": level_after, "points": after},
                ),
                None,
            )
        )
    if team_bonus and share:
        own_notices.append(
            (
                events.UserNotice(
                    person.org_id,
                    person.id,
                    "team_goal",
                    {"challengeId": str(share.challenge_id), "bonus": team_bonus},
                ),
                None,
            )
        )
    for badge in earned:
        data = {"code": badge["code"], "name": badge["name"], "points": badge["points"]}
        own_notices.append(
            (events.UserNotice(person.org_id, person.id, "badge", data), UUID(badge["id"]))
        )
    own_notices += [(notice, None) for notice in notices]
    # the inbox rows, pushed or held as `notify` would decide them one after the other
    told = [(n, g, notifications.describe(n, row["language"])) for n, g in own_notices]
    shown = [(n, g, d) for n, g, d in told if d is not None]
    states = notifications.push_states(
        notifications.prefs_from_json(row["prefs"]),
        person.timezone,
        int(row["pushed_today"]),
        [(d[0], d[4]) for _, _, d in shown],
    )
    ids = [uuid4() for _ in shown]
    written = await fetch(
        _SETTLE,
        person.org_id,
        person.id,
        [UUID(b["id"]) for b in earned],
        [r[0] for r in ledger],
        [r[1] for r in ledger],
        [r[2] for r in ledger],
        [r[3] for r in ledger],
        [r[4] for r in ledger],
        [r[5] for r in ledger],
        [r[6] for r in ledger],
        ids,
        [d[0] for _, _, d in shown],
        [d[1][:120] for _, _, d in shown],
        [d[2][:500] for _, _, d in shown],
        [d[3][:500] for _, _, d in shown],
        [d[4] for _, _, d in shown],
        [s[0] for s in states],
        [s[1] for s in states],
        clock.now(),
        [g for _, g, _ in shown],
    )
    got_badges = {r["key"] for r in written if r["kind"] == "badge"}
    got_rows = {r["key"]: r for r in written if r["kind"] == "ledger"}
    got_notices = {r["key"] for r in written if r["kind"] == "notice"}
    for user, team, delta, reason, challenge, key, _ in ledger:
        if key in got_rows:
            award = events.PointsAwarded(
                org_id=person.org_id,
                user_id=user,
                team_id=team,
                delta=delta,
                reason=reason,
                challenge_id=challenge,
                submission_id=None,
                ledger_id=int(got_rows[key]["id"]),
                at=got_rows[key]["at"],
            )
            (derived.settled if user == person.id else derived.others).append(award)
            if reason == "team_goal" and user != person.id:
                derived.team_notices.append(
                    events.UserNotice(
                        person.org_id,
                        user,
                        "team_goal",
                        {"challengeId": str(challenge), "bonus": delta},
                    )
                )
    made = dict(zip(ids, states, strict=True))
    shown_ids = dict(zip([id(n) for n, _, _ in shown], ids, strict=True))
    for notice, gate, _ in told:
        if gate is not None and str(gate) not in got_badges:
            continue  # someone else awarded this badge first: theirs is the notice
        if id(notice) not in shown_ids:
            derived.notices.append((notice, None))
            continue
        notice_id = shown_ids[id(notice)]
        state = made[notice_id][0] if str(notice_id) in got_notices else None
        if state == "queued" and not row["has_device"]:
            state = notifications.NO_DEVICE
        derived.notices.append((notice, (notice_id, state) if state else None))
    derived.earned = [b["code"] for b in earned if b["id"] in got_badges]
    for code in derived.earned:
        log.info("badge earned", extra={"badge": code, "user": str(person.id)})
    if derived.others:
        log.info("team goal reached", extra={"team": str(person.team_id)})
    return derived


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


async def list_for(user: CurrentUser, language: str | None = None) -> list[BadgeRead]:
    """The organization's badges: earned ones with their date, the others with progress; the
    default ones as seeded in `language`."""
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
            _in_language(row, language),
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
            raise Invalid(msg("Choose the challenge this badge is for."), field="rule.challengeId")
        if not await Challenge.exists().where(
            (Challenge.id == rule.challenge_id) & (Challenge.org == actor.org_id)
        ):
            raise NotFound(msg("No such challenge in your organization."))
    if rule.type == "pillar_champion":
        if rule.pillar_id is None:
            raise Invalid(msg("Choose the key message this badge is for."), field="rule.pillarId")
        if not await Pillar.exists().where(
            (Pillar.id == rule.pillar_id) & (Pillar.org == actor.org_id)
        ):
            raise NotFound(msg("No such narrative pillar in your organization."))
    if rule.type == "period_winner" and rule.period is None:
        raise Invalid(
            msg("Choose whether this badge is for the week's or the month's winner."),
            field="rule.period",
        )
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
        raise Conflict(
            msg("Your organization already has a badge with code {code}.", code=repr(data.code))
        ) from exc
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
        raise NotFound(msg("No such badge in your organization."))
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
        raise NotFound(msg("No such badge in your organization."))
