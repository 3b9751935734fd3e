"""Rewards: a catalogue admins fill, redemptions that spend points, decided by an admin.

The invariants this module keeps:

- **Spending never changes a leaderboard, a level or a badge.** Points spent are written to
  `points_spent`, a ledger of their own, never to `points_ledger` (whose trigger relays every
  row to the boards, and whose sum makes levels and badges). A person's balance is what they
  earned (`points_ledger`) minus what they spent (`points_spent`).
- **A redemption never oversells and never spends points that are not there.** It holds the
  points (a `points_spent` row) and one unit of stock (`reward.held + 1`) in one transaction:
  the balance and the per-person limit are checked under a per-person advisory lock, and the
  unit is taken by one conditional `UPDATE ... WHERE held + fulfilled < stock`, which the
  reward's row lock serializes (and a CHECK constraint backs).
- **A decision is taken once.** Fulfilling moves the unit from held to fulfilled; rejecting
  gives the points back (a compensating `points_spent` row) and the unit back to the stock;
  both only from "requested" (409 otherwise), under the redemption's row lock. The person is
  told either way (inbox and push), after the commit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import msgspec
from redis.asyncio import Redis

from backend.core import clock
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import Message, Text, msg, msg_n
from backend.core.identity import CurrentUser
from backend.core.text import clean_text
from backend.core.wire import Page, created_at_cursor, decode_cursor
from backend.db import DB, fetch
from backend.fetch.urls import ascii_url, check_public_url
from backend.notifications import service as notifications
from backend.notifications.push import enqueue_push
from backend.rewards.schemas import (
    AdminRedemptionRead,
    AdminRewardRead,
    Budget,
    BudgetMonth,
    RedemptionDecision,
    RedemptionRead,
    RedemptionStatus,
    RewardCreate,
    RewardRead,
    RewardUpdate,
)

# One redemption at a time per person: the balance and the per-person limit are read and the
# points held under it, so two redemptions at once cannot both spend the same points.
_PERSON_LOCK = "SELECT pg_advisory_xact_lock(hashtext('redeem'), hashtext($1::text))"

_REWARD_COLUMNS = (
    "w.id, w.name, w.description, w.image_url, w.cost, w.stock, w.held, w.fulfilled, "
    "w.per_person_limit, w.starts_at, w.ends_at, w.audience_team_ids, w.value_cents, w.active, "
    "w.created_at"
)


# ---- balance ------------------------------------------------------------------------------


async def balance(org_id: UUID, user_id: UUID) -> int:
    """Points earned minus points spent (held ones count as spent until rejected)."""
    rows = await fetch(
        "SELECT (SELECT coalesce(sum(delta), 0) FROM points_ledger "
        '        WHERE org = $1 AND "user" = $2) '
        "     - (SELECT coalesce(sum(delta), 0) FROM points_spent "
        '        WHERE org = $1 AND "user" = $2) AS balance',
        org_id,
        user_id,
    )
    return int(rows[0]["balance"])


# ---- the catalogue ------------------------------------------------------------------------


def _remaining(row: Mapping[str, Any]) -> int | None:
    stock: int | None = row["stock"]
    return None if stock is None else max(stock - row["held"] - row["fulfilled"], 0)


def _admin_read(row: Mapping[str, Any]) -> AdminRewardRead:
    return AdminRewardRead(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        image_url=row["image_url"],
        cost=row["cost"],
        stock=row["stock"],
        remaining=_remaining(row),
        held=row["held"],
        fulfilled=row["fulfilled"],
        active=row["active"],
        per_person_limit=row["per_person_limit"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        team_ids=list(row["audience_team_ids"]),
        value_cents=row["value_cents"],
        created_at=row["created_at"],
    )


def _page_args(cursor: str | None) -> tuple[datetime | None, UUID | None]:
    return decode_cursor(cursor, tuple[datetime, UUID]) if cursor else (None, None)


async def catalogue(
    user: CurrentUser, *, limit: int = 50, cursor: str | None = None
) -> Page[RewardRead]:
    """The rewards the caller may redeem now: active, in their window, open to their team;
    newest first."""
    after_created, after_id = _page_args(cursor)
    rows = await fetch(
        f"SELECT {_REWARD_COLUMNS}, "  # noqa: S608
        '  (SELECT count(*) FROM redemption r WHERE r.reward = w.id AND r."user" = $2 '
        "   AND r.status <> 'rejected') AS mine "
        "FROM reward w WHERE w.org = $1 AND w.active "
        "AND (w.starts_at IS NULL OR w.starts_at <= $4) AND (w.ends_at IS NULL OR w.ends_at > $4) "
        "AND (cardinality(w.audience_team_ids) = 0 OR $3::uuid = ANY(w.audience_team_ids)) "
        "AND ($5::timestamptz IS NULL OR (w.created_at, w.id) < ($5::timestamptz, $6::uuid)) "
        "ORDER BY w.created_at DESC, w.id DESC LIMIT $7",
        user.org_id,
        user.id,
        user.team_id,
        clock.now(),
        after_created,
        after_id,
        limit + 1,
    )
    dicts = [dict(r) for r in rows]
    items = [
        RewardRead(
            id=r["id"],
            name=r["name"],
            description=r["description"],
            image_url=r["image_url"],
            cost=r["cost"],
            stock=_remaining(r),
            active=r["active"],
            per_person_limit=r["per_person_limit"],
            starts_at=r["starts_at"],
            ends_at=r["ends_at"],
            my_redemptions=int(r["mine"]),
        )
        for r in dicts[:limit]
    ]
    return Page[RewardRead](items=items, next_cursor=created_at_cursor(dicts, limit))


async def list_for_admin(
    org_id: UUID, *, limit: int = 50, cursor: str | None = None
) -> Page[AdminRewardRead]:
    """Every reward of the organization, retired ones too, newest first."""
    after_created, after_id = _page_args(cursor)
    rows = await fetch(
        f"SELECT {_REWARD_COLUMNS} FROM reward w WHERE w.org = $1 "  # noqa: S608
        "AND ($2::timestamptz IS NULL OR (w.created_at, w.id) < ($2::timestamptz, $3::uuid)) "
        "ORDER BY w.created_at DESC, w.id DESC LIMIT $4",
        org_id,
        after_created,
        after_id,
        limit + 1,
    )
    dicts = [dict(r) for r in rows]
    return Page[AdminRewardRead](
        items=[_admin_read(r) for r in dicts[:limit]],
        next_cursor=created_at_cursor(dicts, limit),
    )


async def _reward_row(org_id: UUID, reward_id: UUID, lock: str = "") -> dict[str, Any]:
    rows = await fetch(
        f"SELECT {_REWARD_COLUMNS} FROM reward w WHERE w.org = $1 AND w.id = $2 {lock}",  # noqa: S608
        org_id,
        reward_id,
    )
    if not rows:
        raise NotFound(msg("No such reward in your organization."))
    return dict(rows[0])


async def get_for_admin(org_id: UUID, reward_id: UUID) -> AdminRewardRead:
    return _admin_read(await _reward_row(org_id, reward_id))


def _image_url(value: str | None) -> str | None:
    """An https URL as every stored URL is checked (backend/fetch/urls.py), in its ASCII form;
    https only, or the app (served over https) would not show it."""
    if value is None:
        return None
    try:
        url = ascii_url(check_public_url(value))
    except ValueError as exc:
        reason = exc.args[0] if exc.args and isinstance(exc.args[0], Message) else str(exc)
        raise Invalid(
            msg("Check the image's link: {reason}", reason=reason), field="imageUrl"
        ) from exc
    if urlsplit(url).scheme.lower() != "https":
        raise Invalid(msg("Check the image's link: it must start with https://."), field="imageUrl")
    return url


async def _known_teams(org_id: UUID, team_ids: list[UUID]) -> list[UUID]:
    teams = list(dict.fromkeys(team_ids))
    if teams:
        known = await fetch(
            "SELECT count(*) AS n FROM team WHERE org = $1 AND id = ANY($2::uuid[])",
            org_id,
            teams,
        )
        if known[0]["n"] != len(teams):
            raise NotFound(msg("No such team in your organization."), field="teamIds")
    return teams


def _check_window(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise Invalid(msg("The end must be after the start."), field="endsAt")


def _description(value: str) -> str:
    return clean_text(value, "description", multiline=True) if value.strip() else ""


async def create_reward(actor: CurrentUser, data: RewardCreate) -> AdminRewardRead:
    """A new reward in the catalogue, active at once (within its window)."""
    _check_window(data.starts_at, data.ends_at)
    teams = await _known_teams(actor.org_id, data.team_ids)
    reward_id = uuid4()
    await fetch(
        "INSERT INTO reward (id, org, name, description, image_url, cost, stock, "
        "per_person_limit, starts_at, ends_at, audience_team_ids, value_cents, created_by) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::uuid[], $12, $13)",
        reward_id,
        actor.org_id,
        clean_text(data.name, "name"),
        _description(data.description),
        _image_url(data.image_url),
        data.cost,
        data.stock,
        data.per_person_limit,
        data.starts_at,
        data.ends_at,
        teams,
        data.value_cents,
        actor.id,
    )
    return await get_for_admin(actor.org_id, reward_id)


async def update_reward(actor: CurrentUser, reward_id: UUID, data: RewardUpdate) -> AdminRewardRead:
    """Change any field; `active: false` retires it. The stock may not fall below the units
    already held or handed out (Conflict): those were promised to someone."""
    async with DB.transaction():
        row = await _reward_row(actor.org_id, reward_id, lock="FOR UPDATE")
        changes: dict[str, Any] = {}
        for field in (
            "cost",
            "stock",
            "per_person_limit",
            "starts_at",
            "ends_at",
            "value_cents",
            "active",
        ):
            value = getattr(data, field)
            if value is not msgspec.UNSET:
                changes[field] = value
        if not isinstance(data.name, msgspec.UnsetType):
            changes["name"] = clean_text(data.name, "name")
        if not isinstance(data.description, msgspec.UnsetType):
            changes["description"] = _description(data.description)
        if not isinstance(data.image_url, msgspec.UnsetType):
            changes["image_url"] = _image_url(data.image_url)
        if not isinstance(data.team_ids, msgspec.UnsetType):
            changes["audience_team_ids"] = await _known_teams(actor.org_id, data.team_ids)
        _check_window(
            changes.get("starts_at", row["starts_at"]), changes.get("ends_at", row["ends_at"])
        )
        stock = changes.get("stock", row["stock"])
        promised = row["held"] + row["fulfilled"]
        if stock is not None and stock < promised:
            raise Conflict(
                msg_n(
                    "{n} of this reward are already requested or handed out, so its stock "
                    "cannot be less than {n}.",
                    "{n} of this reward are already requested or handed out, so its stock "
                    "cannot be less than {n}.",
                    promised,
                    n=promised,
                ),
                field="stock",
            )
        if changes:
            assignments = ", ".join(
                f"{name} = ${n}" + ("::uuid[]" if name == "audience_team_ids" else "")
                for n, name in enumerate(changes, start=3)
            )
            await fetch(
                f"UPDATE reward SET {assignments} WHERE org = $1 AND id = $2",  # noqa: S608
                actor.org_id,
                reward_id,
                *changes.values(),
            )
    return await get_for_admin(actor.org_id, reward_id)


# ---- redemptions --------------------------------------------------------------------------

_REDEMPTION_COLUMNS = (
    "r.id, r.reward AS reward_id, w.name AS reward_name, r.cost, r.status, r.note, "
    "r.created_at, r.decided_at"
)
_ADMIN_REDEMPTION_COLUMNS = (
    f'{_REDEMPTION_COLUMNS}, r."user" AS user_id, u.display_name AS user_name, u.email, '
    "u.team AS team_id, t.name AS team_name"
)
_ADMIN_REDEMPTION_FROM = (
    'FROM redemption r JOIN reward w ON w.id = r.reward JOIN app_user u ON u.id = r."user" '
    "LEFT JOIN team t ON t.id = u.team"
)


def _redemption(row: Mapping[str, Any]) -> RedemptionRead:
    return RedemptionRead(
        id=row["id"],
        reward_id=row["reward_id"],
        reward_name=row["reward_name"],
        cost=row["cost"],
        status=row["status"],
        note=row["note"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
    )


def _admin_redemption(row: Mapping[str, Any]) -> AdminRedemptionRead:
    return AdminRedemptionRead(
        **msgspec.structs.asdict(_redemption(row)),
        user_id=row["user_id"],
        user_name=row["user_name"],
        email=row["email"],
        team_id=row["team_id"],
        team_name=row["team_name"],
    )


def _points(n: int) -> Message:
    return msg_n("{n} point", "{n} points", n, n=n)


def _already_decided(status: str) -> Message:
    """A status is a word of the database: a whole sentence for each."""
    if status == "fulfilled":
        return msg("This redemption was already fulfilled.")
    if status == "rejected":
        return msg("This redemption was already rejected.")
    return msg("This redemption was already {status}.", status=status)


async def redeem(
    user: CurrentUser, reward_id: UUID, *, expected_cost: int | None = None
) -> RedemptionRead:
    """Hold the reward's cost in points and one unit of its stock for the caller, at once.

    NotFound: no such reward in the caller's organization, or not open to their team.
    Conflict: retired, outside its window, the price no longer `expected_cost` (when given),
    the per-person limit reached, the balance short, or the stock gone, each in its own words.
    """
    now = clock.now()
    redemption_id = uuid4()
    async with DB.transaction():
        await fetch(_PERSON_LOCK, str(user.id))
        row = await _reward_row(user.org_id, reward_id)
        teams = list(row["audience_team_ids"])
        if teams and user.team_id not in teams:
            raise NotFound(msg("No such reward in your organization."))
        if not row["active"]:
            raise Conflict(msg("This reward has been retired and can no longer be redeemed."))
        if row["starts_at"] is not None and now < row["starts_at"]:
            raise Conflict(msg("This reward cannot be redeemed yet."))
        if row["ends_at"] is not None and now >= row["ends_at"]:
            raise Conflict(msg("This reward can no longer be redeemed: its time is over."))
        cost: int = row["cost"]
        if expected_cost is not None and expected_cost != cost:
            raise Conflict(
                msg_n(
                    "The price of this reward changed to {n} point: look at it again.",
                    "The price of this reward changed to {n} points: look at it again.",
                    cost,
                    n=cost,
                ),
                field="expectedCost",
            )
        limit: int | None = row["per_person_limit"]
        if limit is not None:
            mine = await fetch(
                "SELECT count(*) AS n FROM redemption "
                "WHERE reward = $1 AND \"user\" = $2 AND status <> 'rejected'",
                reward_id,
                user.id,
            )
            if int(mine[0]["n"]) >= limit:
                raise Conflict(
                    msg_n(
                        "You have redeemed this reward as often as one person may ({n} times).",
                        "You have redeemed this reward as often as one person may ({n} times).",
                        limit,
                        n=limit,
                    )
                )
        have = await balance(user.org_id, user.id)
        if have < cost:
            raise Conflict(
                msg_n(
                    "This reward costs {n} point and your balance is {balance}.",
                    "This reward costs {n} points and your balance is {balance}.",
                    cost,
                    n=cost,
                    balance=_points(have),
                )
            )
        taken = await fetch(
            "UPDATE reward SET held = held + 1 WHERE id = $1 AND active AND cost = $2 "
            "AND (stock IS NULL OR held + fulfilled < stock) RETURNING id",
            reward_id,
            cost,
        )
        if not taken:
            now_row = await _reward_row(user.org_id, reward_id)
            if now_row["cost"] != cost or not now_row["active"]:
                # an admin changed it between the read and the hold: nothing is spent
                raise Conflict(msg("This reward just changed: look at it again before redeeming."))
            raise Conflict(msg("This reward is out of stock."))
        await fetch(
            'INSERT INTO redemption (id, org, reward, "user", cost, value_cents, created_at) '
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            redemption_id,
            user.org_id,
            reward_id,
            user.id,
            cost,
            row["value_cents"],
            now,
        )
        await fetch(
            'INSERT INTO points_spent (org, "user", redemption, delta, reason, idempotency_key) '
            "VALUES ($1, $2, $3, $4, 'redeem', $5)",
            user.org_id,
            user.id,
            redemption_id,
            cost,
            f"redeem:{redemption_id}",
        )
    return RedemptionRead(
        id=redemption_id,
        reward_id=reward_id,
        reward_name=row["name"],
        cost=cost,
        status="requested",
        note=None,
        created_at=now,
        decided_at=None,
    )


async def my_redemptions(
    user: CurrentUser, *, limit: int = 50, cursor: str | None = None
) -> Page[RedemptionRead]:
    """The caller's redemptions, newest first."""
    after_created, after_id = _page_args(cursor)
    rows = await fetch(
        f"SELECT {_REDEMPTION_COLUMNS} FROM redemption r JOIN reward w ON w.id = r.reward "  # noqa: S608
        'WHERE r.org = $1 AND r."user" = $2 '
        "AND ($3::timestamptz IS NULL OR (r.created_at, r.id) < ($3::timestamptz, $4::uuid)) "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT $5",
        user.org_id,
        user.id,
        after_created,
        after_id,
        limit + 1,
    )
    dicts = [dict(r) for r in rows]
    return Page[RedemptionRead](
        items=[_redemption(r) for r in dicts[:limit]],
        next_cursor=created_at_cursor(dicts, limit),
    )


async def queue(
    org_id: UUID,
    *,
    status: RedemptionStatus | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[AdminRedemptionRead]:
    """Redemptions of the organization: `requested` ones oldest first (the queue to work
    through), otherwise (decided, or every status) newest first."""
    after_created, after_id = _page_args(cursor)
    oldest_first = status == "requested"
    compare, order = (">", "ASC") if oldest_first else ("<", "DESC")
    rows = await fetch(
        f"SELECT {_ADMIN_REDEMPTION_COLUMNS} {_ADMIN_REDEMPTION_FROM} "
        "WHERE r.org = $1 AND ($2::text IS NULL OR r.status = $2) "
        f"AND ($3::timestamptz IS NULL OR (r.created_at, r.id) {compare} "
        "($3::timestamptz, $4::uuid)) "
        f"ORDER BY r.created_at {order}, r.id {order} LIMIT $5",
        org_id,
        status,
        after_created,
        after_id,
        limit + 1,
    )
    dicts = [dict(r) for r in rows]
    return Page[AdminRedemptionRead](
        items=[_admin_redemption(r) for r in dicts[:limit]],
        next_cursor=created_at_cursor(dicts, limit),
    )


async def _admin_redemption_row(org_id: UUID, redemption_id: UUID) -> AdminRedemptionRead:
    rows = await fetch(
        f"SELECT {_ADMIN_REDEMPTION_COLUMNS} {_ADMIN_REDEMPTION_FROM} "
        "WHERE r.org = $1 AND r.id = $2",
        org_id,
        redemption_id,
    )
    if not rows:
        raise NotFound(msg("No such redemption in your organization."))
    return _admin_redemption(rows[0])


async def decide(
    actor: CurrentUser,
    redemption_id: UUID,
    outcome: RedemptionStatus,
    data: RedemptionDecision,
    redis: Redis,
) -> AdminRedemptionRead:
    """Fulfil (the unit moves from held to fulfilled, the points stay spent) or reject (the
    points and the unit come back) a requested redemption, once; then tell the person."""
    note = (
        clean_text(data.note, "note", multiline=True) if data.note and data.note.strip() else None
    )
    async with DB.transaction():
        rows = await fetch(
            'SELECT r.id, r.reward, r."user", r.cost, r.status, w.name FROM redemption r '
            "JOIN reward w ON w.id = r.reward WHERE r.org = $1 AND r.id = $2 FOR UPDATE OF r",
            actor.org_id,
            redemption_id,
        )
        if not rows:
            raise NotFound(msg("No such redemption in your organization."))
        row = rows[0]
        if row["status"] != "requested":
            raise Conflict(_already_decided(row["status"]))
        await fetch(
            "UPDATE redemption SET status = $2, note = $3, decided_at = now(), decided_by = $4 "
            "WHERE id = $1",
            redemption_id,
            outcome,
            note,
            actor.id,
        )
        if outcome == "fulfilled":
            await fetch(
                "UPDATE reward SET held = held - 1, fulfilled = fulfilled + 1 WHERE id = $1",
                row["reward"],
            )
        else:
            await fetch("UPDATE reward SET held = held - 1 WHERE id = $1", row["reward"])
            if row["cost"]:
                await fetch(
                    'INSERT INTO points_spent (org, "user", redemption, delta, reason, '
                    "idempotency_key) VALUES ($1, $2, $3, $4, 'refund', $5)",
                    actor.org_id,
                    row["user"],
                    redemption_id,
                    -row["cost"],
                    f"refund:{redemption_id}",
                )
    await _tell(
        actor.org_id, row["user"], redemption_id, outcome, row["name"], row["cost"], note, redis
    )
    return await _admin_redemption_row(actor.org_id, redemption_id)


async def _tell(
    org_id: UUID,
    user_id: UUID,
    redemption_id: UUID,
    outcome: RedemptionStatus,
    reward_name: str,
    cost: int,
    note: str | None,
    redis: Redis,
) -> None:
    title: Text
    body: Text
    if outcome == "fulfilled":
        title = msg("Your reward is ready: {reward}", reward=reward_name)
        body = note or msg("Enjoy it, and thank you for spreading the word.")
    else:
        title = msg("About your reward: {reward}", reward=reward_name)
        why = note or msg("It could not be handed out this time.")
        body = (
            msg_n(
                "Your {n} point is back. {why}",
                "Your {n} points are back. {why}",
                cost,
                n=cost,
                why=why,
            )
            if cost
            else why
        )
    made = await notifications.notify(
        org_id,
        user_id,
        "reward",
        title,
        body,
        "/rewards",
        urgent=True,  # the answer to the person's own request, like a verification
        dedupe_key=f"redemption:{redemption_id}",
    )
    if made is not None and made[1] == "queued":
        await enqueue_push(redis, made[0])


async def requested_count(org_id: UUID) -> int:
    """Redemptions waiting for an admin to fulfil or reject them."""
    rows = await fetch(
        "SELECT count(*) AS n FROM redemption WHERE org = $1 AND status = 'requested'", org_id
    )
    return int(rows[0]["n"])


# ---- budget -------------------------------------------------------------------------------


async def budget(org_id: UUID) -> Budget:
    """What the organization's points are worth to it: what could still be spent, what was
    spent (fulfilled and held), and what it cost month by month (UTC months of redemption)."""
    totals = await fetch(
        "SELECT (SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE org = $1) AS earned, "
        "(SELECT coalesce(sum(delta), 0) FROM points_spent WHERE org = $1) AS spent, "
        "(SELECT coalesce(sum(cost), 0) FROM redemption WHERE org = $1 "
        " AND status = 'requested') AS held, "
        "(SELECT count(*) FROM redemption WHERE org = $1 AND status = 'fulfilled') AS fulfilled",
        org_id,
    )
    months = await fetch(
        "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, "
        "sum(cost) AS points_spent, count(*) FILTER (WHERE status = 'fulfilled') AS fulfilled, "
        "coalesce(sum(value_cents) FILTER (WHERE status = 'fulfilled'), 0) AS value_cents "
        "FROM redemption WHERE org = $1 AND status <> 'rejected' "
        "GROUP BY 1 ORDER BY 1 DESC",
        org_id,
    )
    t = totals[0]
    return Budget(
        points_outstanding=int(t["earned"]) - int(t["spent"]),
        points_spent=int(t["spent"]),
        points_held=int(t["held"]),
        fulfilled=int(t["fulfilled"]),
        months=[
            BudgetMonth(
                month=m["month"],
                points_spent=int(m["points_spent"]),
                fulfilled=int(m["fulfilled"]),
                value_cents=int(m["value_cents"]),
            )
            for m in months
        ],
    )


def _cell(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet: quote it.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def budget_csv(report: Budget) -> str:
    """The budget's months as one CSV table, newest first, then a total row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["month", "points_spent", "fulfilled", "value_cents"])
    for m in report.months:
        writer.writerow([_cell(m.month), m.points_spent, m.fulfilled, m.value_cents])
    writer.writerow(
        [
            "total",
            sum(m.points_spent for m in report.months),
            sum(m.fulfilled for m in report.months),
            sum(m.value_cents for m in report.months),
        ]
    )
    return out.getvalue()
