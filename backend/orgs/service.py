"""Organizations, accounts, teams and invites: the domain logic (no Litestar here)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
import msgspec

from backend.core.errors import Conflict, Forbidden, Gone, Invalid, NotFound, Unauthorized
from backend.core.identity import CurrentUser
from backend.core.passwords import hash_password, verify_password
from backend.core.text import clean_text
from backend.core.tokens import new_token, token_digest
from backend.core.wire import Page, created_at_cursor, decode_cursor, encode_cursor, from_row
from backend.db import DB
from backend.orgs.schemas import (
    AcceptInviteCreate,
    InviteCreate,
    MeUpdate,
    SignupCreate,
    TeamCreate,
    TeamRead,
    UserRead,
    UserUpdate,
)
from backend.orgs.tables import Invite, Organization, Team, TeamLead, User


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(f"Unknown timezone {name!r}; use an IANA name such as Europe/Paris.") from exc
    return name


# -- sign-up and sign-in ---------------------------------------------------------------


async def signup(data: SignupCreate) -> tuple[UUID, UUID]:
    """Create an organization and its first admin; returns (org id, user id)."""
    org_name = clean_text(data.org_name, "orgName")
    display_name = clean_text(data.display_name, "displayName")
    password_hash = await hash_password(data.password)
    org_id, user_id = uuid4(), uuid4()
    async with DB.transaction():
        await Organization.insert(Organization(id=org_id, name=org_name))
        await User.insert(
            User(
                id=user_id,
                org=org_id,
                email=normalize_email(data.email),
                display_name=display_name,
                password_hash=password_hash,
                role="admin",
            )
        )
    return org_id, user_id


async def create_organization(name: str, admin_email: str, admin_password: str) -> UUID:
    """The `chorus create-org` path: same rules as sign-up, display name from the email."""
    data = msgspec.convert(
        {
            "orgName": name,
            "email": admin_email,
            "password": admin_password,
            "displayName": admin_email.split("@")[0],
        },
        SignupCreate,
    )
    org_id, _ = await signup(data)
    return org_id


async def authenticate(email: str, password: str, org_id: UUID | None) -> tuple[UUID, UUID]:
    """The (user id, org id) whose active account these credentials open."""
    query = User.select(User.id, User.org, User.password_hash).where(
        (User.email == normalize_email(email)) & (User.active == True)  # noqa: E712
    )
    if org_id is not None:
        query = query.where(User.org == org_id)
    candidates = await query
    if not candidates:
        await verify_password(None, password)  # the same work as a real check
        raise Unauthorized("Wrong email or password.")
    matches = [row for row in candidates if await verify_password(row["password_hash"], password)]
    if not matches:
        raise Unauthorized("Wrong email or password.")
    if len(matches) > 1:
        orgs = await Organization.select(Organization.id, Organization.name).where(
            Organization.id.is_in([row["org"] for row in matches])
        )
        raise Conflict(
            "This email belongs to several organizations: sign in again with one orgId.",
            organizations=[{"orgId": str(o["id"]), "name": o["name"]} for o in orgs],
        )
    user_id, user_org = matches[0]["id"], matches[0]["org"]
    await User.update({User.last_login_at: datetime.now(UTC)}).where(User.id == user_id)
    return user_id, user_org


# Signed-in users, briefly remembered per process: most requests then cost no database
# query to authenticate. Changes made here forget the user at once; other processes see a
# role change or deactivation within SESSION_CACHE_SECONDS.
SESSION_CACHE_SECONDS = 5.0
_sessions: dict[tuple[UUID, UUID], tuple[float, CurrentUser | None]] = {}


def forget_session(user_id: UUID) -> None:
    for key in [k for k in _sessions if k[0] == user_id]:
        _sessions.pop(key, None)


async def load_current_user(user_id: UUID, org_id: UUID) -> CurrentUser | None:
    """The signed-in user behind a token, or None if gone, deactivated or moved."""
    now = time.monotonic()
    cached = _sessions.get((user_id, org_id))
    if cached is not None and now - cached[0] < SESSION_CACHE_SECONDS:
        return cached[1]
    user = await _load_current_user(user_id, org_id)
    if len(_sessions) > 100_000:
        _sessions.clear()
    _sessions[(user_id, org_id)] = (now, user)
    return user


async def _load_current_user(user_id: UUID, org_id: UUID) -> CurrentUser | None:
    row = (
        await User.select(User.id, User.org, User.role, User.email, User.display_name, User.team)
        .where((User.id == user_id) & (User.org == org_id) & (User.active == True))  # noqa: E712
        .first()
    )
    if row is None:
        return None
    return CurrentUser(
        id=row["id"],
        org_id=row["org"],
        role=row["role"],
        email=row["email"],
        display_name=row["display_name"],
        team_id=row["team"],
    )


# -- invites ---------------------------------------------------------------------------


async def _team_in_org(org_id: UUID, team_id: UUID) -> dict[str, Any]:
    team = (
        await Team.select(Team.id, Team.name)
        .where((Team.id == team_id) & (Team.org == org_id))
        .first()
    )
    if team is None:
        raise NotFound("No such team in your organization.")
    return team


async def create_invite(
    actor: CurrentUser, data: InviteCreate, ttl_hours: int, base_url: str
) -> tuple[UUID, str, str, datetime]:
    """A single-use, expiring invite: (id, token, url, expires at). Only its hash is stored."""
    email = normalize_email(data.email)
    if data.team_id is not None:
        await _team_in_org(actor.org_id, data.team_id)
    exists = await User.exists().where((User.org == actor.org_id) & (User.email == email))
    if exists:
        raise Conflict("Someone in your organization already has an account with this email.")
    token = new_token()
    invite_id = uuid4()
    expires_at = datetime.now(UTC) + timedelta(hours=ttl_hours)
    await Invite.insert(
        Invite(
            id=invite_id,
            org=actor.org_id,
            email=email,
            role=data.role,
            team=data.team_id,
            token_hash=token_digest(token),
            expires_at=expires_at,
            created_by=actor.id,
        )
    )
    # The token rides in the fragment, which browsers never send to a server or its logs.
    return invite_id, token, f"{base_url}/accept-invite#token={token}", expires_at


async def accept_invite(data: AcceptInviteCreate) -> tuple[UUID, UUID]:
    """Spend an invite on a new account; returns (user id, org id). Single use, even under races."""
    display_name = clean_text(data.display_name, "displayName")
    password_hash = await hash_password(data.password)
    digest = token_digest(data.token)
    user_id = uuid4()
    async with DB.transaction():
        claimed = await Invite.raw(
            "UPDATE invite SET accepted_at = now() "
            "WHERE token_hash = {} AND accepted_at IS NULL AND expires_at > now() "
            "RETURNING org, email, role, team",
            digest,
        )
        if not claimed:
            lapsed = (
                await Invite.select(Invite.accepted_at).where(Invite.token_hash == digest).first()
            )
            if lapsed is None:
                raise NotFound("This invite link is not valid.")
            if lapsed["accepted_at"] is not None:
                raise Gone("This invite has already been used; sign in instead.")
            raise Gone("This invite has expired; ask your admin for a new one.")
        invite = claimed[0]
        try:
            await User.insert(
                User(
                    id=user_id,
                    org=invite["org"],
                    email=invite["email"],
                    display_name=display_name,
                    password_hash=password_hash,
                    role=invite["role"],
                    team=invite["team"],
                )
            )
        except asyncpg.UniqueViolationError as exc:
            raise Conflict("An account with this email already exists; sign in instead.") from exc
        if invite["role"] == "lead" and invite["team"] is not None:
            await TeamLead.insert(TeamLead(id=uuid4(), team=invite["team"], user=user_id))
    return user_id, invite["org"]


async def update_me(user: CurrentUser, data: MeUpdate) -> None:
    """Change what a person may change of their own account (name, time zone, visibility)."""
    changes: dict[Any, Any] = {}
    if data.display_name is not msgspec.UNSET:
        changes[User.display_name] = clean_text(data.display_name, "displayName")
    if data.timezone is not msgspec.UNSET:
        changes[User.timezone] = check_timezone(data.timezone)
    if data.hide_from_leaderboards is not msgspec.UNSET:
        changes[User.hide_from_leaderboards] = data.hide_from_leaderboards
    if changes:
        await User.update(changes).where((User.id == user.id) & (User.org == user.org_id))
        forget_session(user.id)


# -- teams -----------------------------------------------------------------------------


async def _user_in_org(org_id: UUID, user_id: UUID) -> dict[str, Any]:
    row = (
        await User.select(User.id, User.role, User.team, User.active)
        .where((User.id == user_id) & (User.org == org_id))
        .first()
    )
    if row is None:
        raise NotFound("No such user in your organization.")
    return row


async def create_team(actor: CurrentUser, data: TeamCreate) -> TeamRead:
    name = clean_text(data.name, "name")
    team_id = uuid4()
    async with DB.transaction():
        lead = await _user_in_org(actor.org_id, data.lead_user_id) if data.lead_user_id else None
        try:
            await Team.insert(Team(id=team_id, org=actor.org_id, name=name))
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(f"Your organization already has a team named {name!r}.") from exc
        if lead is not None:
            await _make_lead(lead, team_id)
    return await _team_read(actor.org_id, team_id)


async def _make_lead(user: dict[str, Any], team_id: UUID) -> None:
    await TeamLead.insert(TeamLead(id=uuid4(), team=team_id, user=user["id"]))
    changes: dict[Any, Any] = {}
    if user["role"] == "employee":
        changes[User.role] = "lead"
    if user["team"] is None:
        changes[User.team] = team_id
    if changes:
        await User.update(changes).where(User.id == user["id"])
        forget_session(user["id"])


async def _team_read(org_id: UUID, team_id: UUID) -> TeamRead:
    page = await list_teams(org_id, limit=1, only=team_id)
    if not page.items:
        raise NotFound("No such team in your organization.")
    return page.items[0]


async def list_teams(
    org_id: UUID, *, limit: int = 100, cursor: str | None = None, only: UUID | None = None
) -> Page[TeamRead]:
    """Teams ordered by name, with member counts and leads; keyset-paginated."""
    after_name, after_id = decode_cursor(cursor, tuple[str, UUID]) if cursor else ("", None)
    rows = await Team.raw(
        """
        SELECT t.id, t.name,
               (SELECT count(*) FROM app_user u WHERE u.team = t.id AND u.active) AS members,
               coalesce((SELECT array_agg(l."user" ORDER BY l."user") FROM team_lead l
                         WHERE l.team = t.id), ARRAY[]::uuid[]) AS lead_user_ids
        FROM team t
        WHERE t.org = {} AND ({}::uuid IS NULL OR t.id = {}::uuid)
          AND (t.name, t.id::text) > ({}, coalesce({}, ''))
        ORDER BY t.name, t.id::text
        LIMIT {}
        """,
        org_id,
        only,
        only,
        after_name,
        str(after_id) if after_id else None,
        limit + 1,
    )
    items = [from_row(row, TeamRead) for row in rows[:limit]]
    next_cursor = encode_cursor(items[-1].name, str(items[-1].id)) if len(rows) > limit else None
    return Page[TeamRead](items=items, next_cursor=next_cursor)


# -- users (admin) ---------------------------------------------------------------------


async def list_users(org_id: UUID, *, limit: int = 50, cursor: str | None = None) -> Page[UserRead]:
    query = User.select(
        User.id,
        User.email,
        User.display_name,
        User.role,
        User.team.as_alias("team_id"),
        User.active,
        User.created_at,
    ).where(User.org == org_id)
    if cursor:
        after_created, after_id = decode_cursor(cursor, tuple[datetime, UUID])
        query = query.where(
            (User.created_at > after_created)
            | ((User.created_at == after_created) & (User.id > after_id))
        )
    rows = await query.order_by(User.created_at, User.id).limit(limit + 1)
    items = [from_row(row, UserRead) for row in rows[:limit]]
    next_cursor = created_at_cursor(rows, limit)
    return Page[UserRead](items=items, next_cursor=next_cursor)


async def update_user(actor: CurrentUser, user_id: UUID, data: UserUpdate) -> UserRead:
    """Change a user's role, team or active flag; the last active admin cannot be demoted."""
    async with DB.transaction():
        # One admin at a time changes roles in an organization, so "last admin" stays true.
        await Team.raw("SELECT pg_advisory_xact_lock(hashtext({}))", str(actor.org_id))
        target = await _user_in_org(actor.org_id, user_id)
        changes: dict[Any, Any] = {}
        if data.team_id is not msgspec.UNSET:
            if data.team_id is not None:
                await _team_in_org(actor.org_id, data.team_id)
            changes[User.team] = data.team_id
        losing_admin = target["role"] == "admin" and (
            (data.role is not msgspec.UNSET and data.role != "admin") or data.active is False
        )
        if losing_admin:
            admins = await User.count().where(
                (User.org == actor.org_id) & (User.role == "admin") & (User.active == True)  # noqa: E712
            )
            if admins <= 1:
                raise Conflict("An organization keeps at least one active admin.")
        if data.role is not msgspec.UNSET:
            changes[User.role] = data.role
            if data.role == "employee":
                await TeamLead.delete().where(TeamLead.user == user_id)
        if data.active is not msgspec.UNSET:
            if data.active is False and user_id == actor.id:
                raise Forbidden("You cannot deactivate your own account.")
            changes[User.active] = data.active
        if changes:
            await User.update(changes).where(User.id == user_id)
    forget_session(user_id)
    row = (
        await User.select(
            User.id,
            User.email,
            User.display_name,
            User.role,
            User.team.as_alias("team_id"),
            User.active,
            User.created_at,
        )
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        raise NotFound("No such user in your organization.")
    return from_row(row, UserRead)
