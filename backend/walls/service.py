"""Office walls: an admin makes a secret URL; a screen that opens it shows the organization's
(or a team's) live board, team standings, the featured story and the latest verified shares.

Invariants:
- A wall's secret (32 random bytes) is handed out once; only its keyed hash is stored, so a
  read of the database cannot open a wall. A revoked wall answers nothing at all.
- A wall shows nothing about people who hide from boards: they are left off its board (whose
  ranks are counted among the people it shows, so no gap hints at someone hidden), out of its
  latest shares, and a story's author is named only when the story's public page is up, by
  the author's own choice. No user id and no email leave here: rows carry opaque keys.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from backend.community.stories import shown_to
from backend.core.errors import NotFound
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.core.text import clean_text
from backend.leaderboards.service import Boards
from backend.walls.schemas import (
    WallCreate,
    WallData,
    WallIssued,
    WallPeriod,
    WallPerson,
    WallRead,
    WallShare,
    WallStory,
    WallTeam,
)
from backend.walls.tables import Wall

SECRET_BYTES = 32
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 bytes, base64url without padding
BOARD_SIZE = 10
BOARD_READ = 100  # read this far down the board to fill BOARD_SIZE with people who show
SHARES = 10
EXCERPT_CHARS = 220
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await Wall.raw(sql, *args)  # type: ignore[no-any-return]


def secret_hash(key: str, secret: str) -> str:
    """What is stored of a wall's secret: HMAC-SHA256 under the "walls" key."""
    return hmac.new(key.encode(), secret.encode(), hashlib.sha256).hexdigest()


def _opaque(key: str, *parts: object) -> str:
    return hmac.new(key.encode(), ":".join(map(str, parts)).encode(), hashlib.sha256).hexdigest()[
        :16
    ]


def wall_url(base_url: str, secret: str) -> str:
    return f"{base_url}/wall/{secret}"


async def create_wall(
    actor: CurrentUser, data: WallCreate, *, base_url: str, key: str
) -> WallIssued:
    """A new wall of the actor's organization; its URL is in this answer only."""
    name = clean_text(data.name, "name")
    if data.team_id is not None:
        team = await _rows(
            "SELECT id FROM team WHERE id = {} AND org = {}", data.team_id, actor.org_id
        )
        if not team:
            raise NotFound(msg("No such team in your organization."), field="teamId")
    secret = secrets.token_urlsafe(SECRET_BYTES)
    wall_id = uuid4()
    rows = await _rows(
        "INSERT INTO wall (id, org, team, name, period, secret_hash, created_by) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING created_at",
        wall_id,
        actor.org_id,
        data.team_id,
        name,
        data.period,
        secret_hash(key, secret),
        actor.id,
    )
    return WallIssued(
        id=wall_id,
        name=name,
        url=wall_url(base_url, secret),
        team_id=data.team_id,
        period=data.period,
        created_at=rows[0]["created_at"],
    )


async def list_walls(org_id: UUID) -> list[WallRead]:
    """Every wall of the organization, newest first, revoked ones too (marked)."""
    rows = await _rows(
        "SELECT w.id, w.name, w.team AS team_id, t.name AS team_name, w.period, w.created_at, "
        "w.last_seen_at, w.revoked_at FROM wall w LEFT JOIN team t ON t.id = w.team "
        "WHERE w.org = {} ORDER BY w.created_at DESC, w.id",
        org_id,
    )
    return [
        WallRead(
            id=r["id"],
            name=r["name"],
            team_id=r["team_id"],
            team_name=r["team_name"],
            period=r["period"],
            created_at=r["created_at"],
            last_seen_at=r["last_seen_at"],
            revoked_at=r["revoked_at"],
        )
        for r in rows
    ]


async def revoke_wall(org_id: UUID, wall_id: UUID) -> None:
    """The wall stops: its data answers 404 and its open streams end within seconds. Revoking
    it again, or another organization's wall, is 404."""
    revoked = await _rows(
        "UPDATE wall SET revoked_at = now() "
        "WHERE id = {} AND org = {} AND revoked_at IS NULL RETURNING id",
        wall_id,
        org_id,
    )
    if not revoked:
        raise NotFound(msg("No such wall in your organization."))


@dataclass(frozen=True, slots=True)
class LiveWall:
    id: UUID
    org_id: UUID
    team_id: UUID | None
    name: str
    period: WallPeriod


async def wall_of_secret(secret: str, key: str) -> LiveWall | None:
    """The live wall a secret opens, or None (malformed, unknown, revoked)."""
    if not _SECRET.match(secret):
        return None
    rows = await _rows(
        "SELECT id, org, team, name, period, last_seen_at FROM wall "
        "WHERE secret_hash = {} AND revoked_at IS NULL",
        secret_hash(key, secret),
    )
    if not rows:
        return None
    row = rows[0]
    now = datetime.now(UTC)
    if row["last_seen_at"] is None or now - row["last_seen_at"] >= LAST_SEEN_RESOLUTION:
        await _rows("UPDATE wall SET last_seen_at = {} WHERE id = {}", now, row["id"])
    return LiveWall(row["id"], row["org"], row["team"], row["name"], row["period"])


async def is_live(wall_id: UUID) -> bool:
    rows = await _rows("SELECT 1 FROM wall WHERE id = {} AND revoked_at IS NULL", wall_id)
    return bool(rows)


def _viewer(wall: LiveWall) -> CurrentUser:
    """The wall as the boards' reader: a member of no board, so it sees everyone as a colleague
    who is not them would (hidden people without a name)."""
    return CurrentUser(
        id=wall.id, org_id=wall.org_id, role="employee", email="", display_name="", team_id=None
    )


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _first_name(name: str) -> str:
    words = name.split()
    return words[0] if words else name


async def _board(wall: LiveWall, boards: Boards, key: str) -> tuple[str, list[WallPerson]]:
    board = await boards.users(_viewer(wall), wall.period, limit=BOARD_READ, team_id=wall.team_id)
    people: list[WallPerson] = []
    for entry in board.entries:
        if entry.user_id is None:  # hidden from boards (or gone): not on the wall at all
            continue
        if len(people) == BOARD_SIZE:
            break
        rank = people[-1].rank if people and people[-1].points == entry.points else len(people) + 1
        people.append(
            WallPerson(
                key=_opaque(key, wall.id, entry.user_id),
                rank=rank,
                display_name=entry.display_name,
                initials=entry.initials,
                colour=entry.colour,
                team_name=entry.team_name,
                points=entry.points,
            )
        )
    return board.period_id, people


async def _teams(wall: LiveWall, boards: Boards, key: str) -> list[WallTeam]:
    standings = await boards.teams(_viewer(wall), wall.period, "total")
    return [
        WallTeam(
            key=_opaque(key, wall.id, "team", team.team_id),
            rank=team.rank or index + 1,
            name=team.name,
            points=int(team.points),
            members=team.members,
        )
        for index, team in enumerate(standings.entries[:BOARD_SIZE])
    ]


async def _story(wall: LiveWall) -> WallStory | None:
    """The organization's latest featured story whose public page is up."""
    shown, args = shown_to(None)
    rows = await _rows(
        "SELECT s.title, s.body, s.slug, s.photo, u.display_name FROM story s "  # noqa: S608
        f"JOIN app_user u ON u.id = s.author WHERE s.org = {{}} AND s.featured_at IS NOT NULL "
        f"AND {shown} ORDER BY s.featured_at DESC, s.id LIMIT 1",
        wall.org_id,
        *args,
    )
    if not rows:
        return None
    row = rows[0]
    return WallStory(
        title=row["title"],
        excerpt=_excerpt(row["body"]),
        author_first_name=_first_name(row["display_name"]),
        photo_url=f"/stories/{row['slug']}/photo.jpg" if row["photo"] else None,
    )


async def _shares(wall: LiveWall, key: str) -> list[WallShare]:
    """The latest verified shares of people who show on boards (of the wall's team)."""
    team_filter = "AND u.team = {} " if wall.team_id is not None else ""
    rows = await _rows(
        "SELECT s.id, u.display_name, t.name AS team_name, s.network, c.title, "  # noqa: S608
        "s.decided_at FROM submission s "
        'JOIN app_user u ON u.id = s."user" LEFT JOIN team t ON t.id = u.team '
        "JOIN challenge c ON c.id = s.challenge "
        "WHERE s.org = {} AND s.status = 'verified' AND s.decided_at IS NOT NULL "
        f"AND u.active AND NOT u.hide_from_leaderboards {team_filter}"
        "ORDER BY s.decided_at DESC, s.id LIMIT {}",
        wall.org_id,
        *([wall.team_id] if wall.team_id is not None else []),
        SHARES,
    )
    return [
        WallShare(
            key=_opaque(key, wall.id, "share", r["id"]),
            display_name=r["display_name"],
            team_name=r["team_name"],
            network=r["network"],
            challenge_title=r["title"],
            verified_at=r["decided_at"],
        )
        for r in rows
    ]


async def wall_data(wall: LiveWall, boards: Boards, key: str) -> WallData:
    """Everything the wall shows, as anyone in the room may see it."""
    org = await _rows("SELECT name FROM organization WHERE id = {}", wall.org_id)
    team_name = None
    if wall.team_id is not None:
        team = await _rows("SELECT name FROM team WHERE id = {}", wall.team_id)
        team_name = team[0]["name"] if team else None
    period_id, people = await _board(wall, boards, key)
    return WallData(
        org_name=org[0]["name"] if org else "",
        wall_name=wall.name,
        team_name=team_name,
        period=wall.period,
        period_id=period_id,
        board=people,
        teams=await _teams(wall, boards, key),
        story=await _story(wall),
        shares=await _shares(wall, key),
        generated_at=datetime.now(UTC),
    )
