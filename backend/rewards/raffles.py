"""Raffles for period winners: tickets from the points earned in a period, a draw anyone can
audit afterwards.

The invariants:

- **The seed is committed before anything is known.** At creation the server draws 32 random
  bytes (`seed`) and publishes only `seedSha256 = sha256(seed)`; the seed stays secret until
  the draw, which reveals it. Nobody (the admin included) can pick a seed that favours anyone
  once the tickets are known, and anyone can check `sha256(bytes.fromhex(seed)) == seedSha256`.
- **Tickets come from points earned in the period**: the net sum of a person's
  `points_ledger` rows with `periodStart <= created_at < periodEnd` (take-backs count
  negative; spending is not in that ledger and never counts), divided by `pointsPerTicket`
  (rounded down), capped at `maxTicketsPerPerson` so the same people do not always win.
  Active accounts only (someone who left cannot collect a prize). People hidden from boards
  hold their tickets like everyone else (hiding is about being seen, not about prizes), but
  the published list and the winners show their name as null.
- **The draw happens once, after the period ended** (Conflict before), and freezes the ticket
  list; drawing again answers the same result.

The draw, "chorus-raffle-v1", reproducible from the published seed and ticket list:

    entries = the ticket list, sorted by userId ascending (canonical lowercase UUID text)
    for counter = 0, 1, 2, ... while fewer than `winnerCount` winners and entries remain:
        total  = sum of the tickets of the remaining entries
        digest = sha256(seed_bytes || counter as 4 bytes big-endian)
        index  = int.from_bytes(digest, "big") mod total
        the winner is the remaining entry whose cumulative ticket range holds `index`
        (walking the remaining entries in order); remove it from the entries

Each person wins at most once, with a chance proportional to their tickets at each step.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from backend.core import clock
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.core.text import clean_text
from backend.core.wire import Page, created_at_cursor, decode_cursor
from backend.db import DB, fetch
from backend.rewards.schemas import RaffleCreate, RaffleEntry, RaffleRead, RaffleWinner

ALGORITHM = "chorus-raffle-v1"


class _Frozen(msgspec.Struct):
    """One line of the frozen ticket list as stored (`raffle.entries`)."""

    user_id: UUID
    name: str
    hidden: bool
    tickets: int


def draw_winners(seed: bytes, entries: list[tuple[str, int]], count: int) -> list[str]:
    """The user ids the draw picks, in order (see the module docstring)."""
    remaining = sorted((user, tickets) for user, tickets in entries if tickets > 0)
    winners: list[str] = []
    counter = 0
    while len(winners) < count and remaining:
        total = sum(tickets for _, tickets in remaining)
        digest = hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        index = int.from_bytes(digest, "big") % total
        for at, (user, tickets) in enumerate(remaining):
            if index < tickets:
                winners.append(user)
                del remaining[at]
                break
            index -= tickets
        counter += 1
    return winners


_COLUMNS = (
    "f.id, f.name, f.period_start, f.period_end, f.winner_count, f.points_per_ticket, "
    "f.max_tickets_per_person, f.reward AS reward_id, w.name AS reward_name, f.algorithm, "
    "f.seed, f.seed_sha256, f.entries, f.winners, f.drawn_at, f.created_at"
)
_FROM = "FROM raffle f LEFT JOIN reward w ON w.id = f.reward"


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def _read(row: Mapping[str, Any], *, admin: bool) -> RaffleRead:
    drawn = row["drawn_at"] is not None
    frozen = msgspec.convert(_json(row["entries"]) or [], list[_Frozen])
    winner_ids = msgspec.convert(_json(row["winners"]) or [], list[UUID])

    def name(person: _Frozen) -> str | None:
        return person.name if admin or not person.hidden else None

    by_id = {p.user_id: p for p in frozen}
    entries = [RaffleEntry(user_id=p.user_id, name=name(p), tickets=p.tickets) for p in frozen]
    winners = [
        RaffleWinner(position=n, user_id=uid, name=name(by_id[uid]))
        for n, uid in enumerate(winner_ids, start=1)
    ]
    return RaffleRead(
        id=row["id"],
        name=row["name"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        winner_count=row["winner_count"],
        points_per_ticket=row["points_per_ticket"],
        max_tickets_per_person=row["max_tickets_per_person"],
        reward_id=row["reward_id"],
        reward_name=row["reward_name"],
        status="drawn" if drawn else "open",
        algorithm=row["algorithm"],
        seed_sha256=row["seed_sha256"],
        seed=row["seed"] if drawn else None,
        drawn_at=row["drawn_at"],
        entries=entries,
        winners=winners,
        created_at=row["created_at"],
    )


async def create_raffle(actor: CurrentUser, data: RaffleCreate) -> RaffleRead:
    """A raffle whose seed is committed now (only its sha256 is shown until the draw)."""
    if data.period_end <= data.period_start:
        raise Invalid(msg("The end of the period must be after its start."), field="periodEnd")
    if data.reward_id is not None:
        found = await fetch(
            "SELECT 1 FROM reward WHERE org = $1 AND id = $2", actor.org_id, data.reward_id
        )
        if not found:
            raise NotFound(msg("No such reward in your organization."), field="rewardId")
    seed = secrets.token_bytes(32)
    raffle_id = uuid4()
    await fetch(
        "INSERT INTO raffle (id, org, name, period_start, period_end, winner_count, "
        "points_per_ticket, max_tickets_per_person, reward, algorithm, seed, seed_sha256, "
        "created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        raffle_id,
        actor.org_id,
        clean_text(data.name, "name"),
        data.period_start,
        data.period_end,
        data.winners,
        data.points_per_ticket,
        data.max_tickets_per_person,
        data.reward_id,
        ALGORITHM,
        seed.hex(),
        hashlib.sha256(seed).hexdigest(),
        actor.id,
    )
    return await get_raffle(actor.org_id, raffle_id, admin=True)


async def _row(org_id: UUID, raffle_id: UUID, lock: str = "") -> dict[str, Any]:
    rows = await fetch(
        f"SELECT {_COLUMNS} {_FROM} WHERE f.org = $1 AND f.id = $2 {lock}",
        org_id,
        raffle_id,
    )
    if not rows:
        raise NotFound(msg("No such raffle in your organization."))
    return dict(rows[0])


async def get_raffle(org_id: UUID, raffle_id: UUID, *, admin: bool) -> RaffleRead:
    """One raffle; before the draw without its seed, tickets and winners. Outside the console
    the names of people hidden from boards are null."""
    return _read(await _row(org_id, raffle_id), admin=admin)


async def list_raffles(
    org_id: UUID, *, limit: int = 50, cursor: str | None = None
) -> Page[RaffleRead]:
    """Every raffle of the organization, newest first."""
    after_created, after_id = (
        decode_cursor(cursor, tuple[datetime, UUID]) if cursor else (None, None)
    )
    rows = await fetch(
        f"SELECT {_COLUMNS} {_FROM} WHERE f.org = $1 "
        "AND ($2::timestamptz IS NULL OR (f.created_at, f.id) < ($2::timestamptz, $3::uuid)) "
        "ORDER BY f.created_at DESC, f.id DESC LIMIT $4",
        org_id,
        after_created,
        after_id,
        limit + 1,
    )
    dicts = [dict(r) for r in rows]
    return Page[RaffleRead](
        items=[_read(r, admin=True) for r in dicts[:limit]],
        next_cursor=created_at_cursor(dicts, limit),
    )


async def tickets(
    org_id: UUID, start: datetime, end: datetime, per_ticket: int, cap: int
) -> list[_Frozen]:
    """The ticket list of a period, userId ascending (see the module docstring)."""
    rows = await fetch(
        "SELECT u.id, u.display_name, u.hide_from_leaderboards, sum(l.delta) AS earned "
        'FROM points_ledger l JOIN app_user u ON u.id = l."user" '
        "WHERE l.org = $1 AND l.created_at >= $2 AND l.created_at < $3 AND u.active "
        "GROUP BY u.id HAVING sum(l.delta) >= $4 ORDER BY u.id::text",
        org_id,
        start,
        end,
        per_ticket,
    )
    return [
        _Frozen(
            user_id=r["id"],
            name=r["display_name"],
            hidden=r["hide_from_leaderboards"],
            tickets=min(int(r["earned"]) // per_ticket, cap),
        )
        for r in rows
    ]


async def draw(actor: CurrentUser, raffle_id: UUID) -> RaffleRead:
    """Freeze the ticket list and pick the winners, once, after the period ended; drawing a
    drawn raffle answers the same result."""
    async with DB.transaction():
        row = await _row(actor.org_id, raffle_id, lock="FOR UPDATE OF f")
        if row["drawn_at"] is None:
            if clock.now() < row["period_end"]:
                raise Conflict(
                    msg(
                        "The raffle's period has not ended yet: draw it once the period is over, "
                        "when every ticket is known."
                    )
                )
            frozen = await tickets(
                actor.org_id,
                row["period_start"],
                row["period_end"],
                row["points_per_ticket"],
                row["max_tickets_per_person"],
            )
            winners = draw_winners(
                bytes.fromhex(row["seed"]),
                [(str(p.user_id), p.tickets) for p in frozen],
                row["winner_count"],
            )
            await fetch(
                "UPDATE raffle SET entries = $2::jsonb, winners = $3::jsonb, drawn_at = now() "
                "WHERE id = $1",
                raffle_id,
                msgspec.json.encode(frozen).decode(),
                msgspec.json.encode(winners).decode(),
            )
    return await get_raffle(actor.org_id, raffle_id, admin=True)
