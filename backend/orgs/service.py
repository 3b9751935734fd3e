"""Organizations, accounts, teams and invites: the domain logic (no Litestar here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
import msgspec

from backend.core.errors import Conflict, Forbidden, Gone, Invalid, NotFound, Unauthorized
from backend.core.i18n import LANGUAGES, msg, pick
from backend.core.identity import CurrentUser
from backend.core.passwords import hash_password, verify_password
from backend.core.text import clean_text
from backend.core.tokens import new_token, token_digest
from backend.core.wire import Page, created_at_cursor, decode_cursor, encode_cursor, from_row
from backend.db import DB
from backend.orgs import sessions
from backend.orgs.schemas import (
    AcceptInviteCreate,
    EmailPrefs,
    InviteCreate,
    InviteListItem,
    InvitePreview,
    InviteStatus,
    MeUpdate,
    OrgSettings,
    OrgSettingsUpdate,
    SignupCreate,
    TeamCreate,
    TeamRead,
    TeamUpdate,
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
        raise Invalid(
            msg(
                "Chorus does not know the time zone {name}; choose one like Europe/Paris.",
                name=repr(name),
            ),
            field="timezone",
        ) from exc
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
        raise Unauthorized(msg("Wrong email or password."))
    matches = [row for row in candidates if await verify_password(row["password_hash"], password)]
    if not matches:
        raise Unauthorized(msg("Wrong email or password."))
    if len(matches) > 1:
        orgs = await Organization.select(Organization.id, Organization.name).where(
            Organization.id.is_in([row["org"] for row in matches])
        )
        raise Conflict(
            msg("This email belongs to several organizations: sign in again with one orgId."),
            organizations=[{"orgId": str(o["id"]), "name": o["name"]} for o in orgs],
        )
    user_id, user_org = matches[0]["id"], matches[0]["org"]
    await User.update({User.last_login_at: datetime.now(UTC)}).where(User.id == user_id)
    return user_id, user_org


def forget_session(user_id: UUID) -> None:
    """Forget this process's memory of a person (their role or team changed)."""
    sessions.forget(user_id)


async def load_current_user(user_id: UUID, org_id: UUID) -> CurrentUser | None:
    """The active person of an organization, whatever their tokens (see sessions.py for a
    token's own check)."""
    return await sessions.current_user(user_id, org_id)


# -- invites ---------------------------------------------------------------------------


async def _team_in_org(org_id: UUID, team_id: UUID) -> dict[str, Any]:
    team = (
        await Team.select(Team.id, Team.name)
        .where((Team.id == team_id) & (Team.org == org_id))
        .first()
    )
    if team is None:
        raise NotFound(msg("No such team in your organization."))
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
        raise Conflict(msg("Someone in your organization already has an account with this email."))
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
    """Spend an invite on a new account; returns (user id, org id). Single use, even under races.

    The token is checked before the password is hashed: a bogus token costs one indexed
    lookup, never argon2's memory and time."""
    display_name = clean_text(data.display_name, "displayName")
    digest = token_digest(data.token)
    await _open_invite(digest)
    password_hash = await hash_password(data.password)
    user_id = uuid4()
    async with DB.transaction():
        claimed = await Invite.raw(
            "UPDATE invite SET accepted_at = now() "
            "WHERE token_hash = {} AND accepted_at IS NULL AND revoked_at IS NULL "
            "AND expires_at > now() RETURNING org, email, role, team",
            digest,
        )
        if not claimed:
            await _open_invite(digest)  # raises: someone spent or withdrew it meanwhile
            raise Gone(msg("This invite has already been used; sign in instead."))
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
            raise Conflict(
                msg("An account with this email already exists; sign in instead.")
            ) from exc
        if invite["role"] == "lead" and invite["team"] is not None:
            await TeamLead.insert(TeamLead(id=uuid4(), team=invite["team"], user=user_id))
    return user_id, invite["org"]


async def _open_invite(digest: str) -> dict[str, Any]:
    """The invite of a token's digest while it can be accepted; 404 or 410 otherwise."""
    row = (
        await Invite.select(
            Invite.id,
            Invite.org,
            Invite.email,
            Invite.expires_at,
            Invite.accepted_at,
            Invite.revoked_at,
            Invite.created_by,
        )
        .where(Invite.token_hash == digest)
        .first()
    )
    if row is None:
        raise NotFound(msg("This invite link is not valid."))
    if row["accepted_at"] is not None:
        raise Gone(msg("This invite has already been used; sign in instead."))
    if row["revoked_at"] is not None:
        raise Gone(msg("This invite was withdrawn; ask your admin for a new one."))
    if row["expires_at"] <= datetime.now(UTC):
        raise Gone(msg("This invite has expired; ask your admin for a new one."))
    return row


async def invite_preview(token: str) -> InvitePreview:
    """Who invites whom to which organization, for the page a link opens."""
    invite = await _open_invite(token_digest(token))
    org = await Organization.select(Organization.name).where(Organization.id == invite["org"])
    inviter = None
    if invite["created_by"] is not None:
        row = (
            await User.select(User.display_name)
            .where((User.id == invite["created_by"]) & (User.active == True))  # noqa: E712
            .first()
        )
        inviter = row["display_name"] if row else None
    return InvitePreview(
        organization=org[0]["name"] if org else "",
        inviter=inviter,
        email=invite["email"],
        expires_at=invite["expires_at"],
    )


async def list_invites(
    org_id: UUID, *, status: InviteStatus = "pending", limit: int = 50, cursor: str | None = None
) -> Page[InviteListItem]:
    """Invites of an organization, oldest first; "pending": not accepted, withdrawn or expired."""
    after_created, after_id = (
        decode_cursor(cursor, tuple[datetime, UUID]) if cursor else (None, None)
    )
    rows = await Invite.raw(
        """
        SELECT i.id, i.email, i.role, i.team AS team_id, u.display_name AS invited_by,
               i.created_at, i.expires_at, i.emailed_at, i.accepted_at, i.revoked_at
        FROM invite i LEFT JOIN app_user u ON u.id = i.created_by
        WHERE i.org = {}
          AND ({} = 'all' OR (i.accepted_at IS NULL AND i.revoked_at IS NULL
                              AND i.expires_at > now()))
          AND ({}::timestamptz IS NULL OR (i.created_at, i.id) > ({}::timestamptz, {}::uuid))
        ORDER BY i.created_at, i.id
        LIMIT {}
        """,
        org_id,
        status,
        after_created,
        after_created,
        after_id,
        limit + 1,
    )
    items = [from_row(row, InviteListItem) for row in rows[:limit]]
    return Page[InviteListItem](items=items, next_cursor=created_at_cursor(rows, limit))


async def revoke_invite(actor: CurrentUser, invite_id: UUID) -> None:
    """Withdraw an invite: its link stops working. An accepted invite is history: 409."""
    rows = await Invite.raw(
        "UPDATE invite SET revoked_at = coalesce(revoked_at, now()) "
        "WHERE id = {} AND org = {} AND accepted_at IS NULL RETURNING id",
        invite_id,
        actor.org_id,
    )
    if rows:
        return
    exists = await Invite.exists().where((Invite.id == invite_id) & (Invite.org == actor.org_id))
    if not exists:
        raise NotFound(msg("No such invite in your organization."))
    raise Conflict(msg("This invite was already accepted; deactivate the account instead."))


async def renew_invite(
    actor: CurrentUser, invite_id: UUID, ttl_hours: int, base_url: str
) -> tuple[UUID, str, str, datetime]:
    """A new token (the old link stops working) and a new expiry for a pending invite."""
    token = new_token()
    expires_at = datetime.now(UTC) + timedelta(hours=ttl_hours)
    rows = await Invite.raw(
        "UPDATE invite SET token_hash = {}, expires_at = {} "
        "WHERE id = {} AND org = {} AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id",
        token_digest(token),
        expires_at,
        invite_id,
        actor.org_id,
    )
    if not rows:
        exists = await Invite.exists().where(
            (Invite.id == invite_id) & (Invite.org == actor.org_id)
        )
        if not exists:
            raise NotFound(msg("No such invite in your organization."))
        raise Conflict(msg("This invite was accepted or withdrawn; it cannot be sent again."))
    return invite_id, token, f"{base_url}/accept-invite#token={token}", expires_at


@dataclass(frozen=True, slots=True)
class InviteLetter:
    """What the invite email says, and the language it says it in: the organization's default
    (the person invited has chosen none yet)."""

    organization: str
    inviter: str | None
    email: str
    expires_at: datetime
    language: str


async def invite_letter_facts(invite_id: UUID, token: str) -> InviteLetter | None:
    """What the invite email says, while that token still opens the invite; else None."""
    rows = await Invite.raw(
        "SELECT o.default_language FROM invite i JOIN organization o ON o.id = i.org "
        "WHERE i.id = {} AND i.token_hash = {}",
        invite_id,
        token_digest(token),
    )
    if not rows:
        return None
    try:
        preview = await invite_preview(token)
    except (NotFound, Gone):
        return None
    return InviteLetter(
        organization=preview.organization,
        inviter=preview.inviter,
        email=preview.email,
        expires_at=preview.expires_at,
        language=pick(None, None, rows[0]["default_language"]),
    )


async def mark_invite_emailed(invite_id: UUID) -> None:
    await Invite.update({Invite.emailed_at: datetime.now(UTC)}).where(Invite.id == invite_id)


async def email_prefs(user: CurrentUser) -> EmailPrefs:
    row = await User.select(User.email_digest).where(User.id == user.id).first()
    return EmailPrefs(weekly_digest=bool(row and row["email_digest"]))


async def set_email_prefs(user: CurrentUser, data: EmailPrefs) -> EmailPrefs:
    await User.update({User.email_digest: data.weekly_digest}).where(
        (User.id == user.id) & (User.org == user.org_id)
    )
    return data


async def update_me(user: CurrentUser, data: MeUpdate) -> None:
    """Change what a person may change of their own account (name, time zone, visibility)."""
    changes: dict[Any, Any] = {}
    if data.display_name is not msgspec.UNSET:
        changes[User.display_name] = clean_text(data.display_name, "displayName")
    if data.timezone is not msgspec.UNSET:
        changes[User.timezone] = check_timezone(data.timezone)
    if data.hide_from_leaderboards is not msgspec.UNSET:
        changes[User.hide_from_leaderboards] = data.hide_from_leaderboards
    if data.language is not msgspec.UNSET:
        if data.language is not None and data.language not in LANGUAGES:
            raise Invalid(
                msg(
                    "Chorus does not speak {tag}; choose one of {languages}.",
                    tag=data.language,
                    languages=", ".join(LANGUAGES),
                ),
                field="language",
            )
        changes[User.language] = data.language
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
        raise NotFound(msg("No such user in your organization."))
    return row


async def create_team(actor: CurrentUser, data: TeamCreate) -> TeamRead:
    name = clean_text(data.name, "name")
    team_id = uuid4()
    async with DB.transaction():
        lead = await _user_in_org(actor.org_id, data.lead_user_id) if data.lead_user_id else None
        try:
            await Team.insert(Team(id=team_id, org=actor.org_id, name=name))
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(
                msg("Your organization already has a team named {name}.", name=repr(name))
            ) from exc
        if lead is not None:
            await _make_lead(lead, team_id)
    return await _team_read(actor.org_id, team_id)


async def update_team(actor: CurrentUser, team_id: UUID, data: TeamUpdate) -> TeamRead:
    """Rename a team and/or replace its leads.

    A new lead who was an employee becomes a lead (and joins the team when they had none); a
    former lead who now leads no team becomes an employee again (admins keep their role). Role
    changes reach every API process at once (`sessions.refresh`) without signing anyone out:
    the role is read from the database per request, never from the token.
    """
    touched: set[UUID] = set()
    async with DB.transaction():
        await Team.raw("SELECT pg_advisory_xact_lock(hashtext({}))", str(actor.org_id))
        await _team_in_org(actor.org_id, team_id)
        if data.name is not msgspec.UNSET:
            name = clean_text(data.name, "name")
            try:
                await Team.update({Team.name: name}).where(Team.id == team_id)
            except asyncpg.UniqueViolationError as exc:
                raise Conflict(
                    msg("Your organization already has a team named {name}.", name=repr(name)),
                    field="name",
                ) from exc
        if data.lead_user_ids is not msgspec.UNSET:
            wanted = list(dict.fromkeys(data.lead_user_ids))
            people = {}
            for index, user_id in enumerate(wanted):
                row = await _user_in_org(actor.org_id, user_id)
                if not row["active"]:
                    raise Invalid(
                        msg("A deactivated person cannot lead a team; reactivate them first."),
                        field=f"leadUserIds[{index}]",
                    )
                people[user_id] = row
            current = {
                row["user"]
                for row in await TeamLead.select(TeamLead.user).where(TeamLead.team == team_id)
            }
            for user_id in current - set(wanted):
                await TeamLead.delete().where(
                    (TeamLead.team == team_id) & (TeamLead.user == user_id)
                )
                touched.add(user_id)
            for user_id in wanted:
                if user_id not in current:
                    await _make_lead(people[user_id], team_id, forget=False)
                    touched.add(user_id)
            await _demote_former_leads(touched)
    for user_id in touched:
        await sessions.refresh(user_id)
    return await _team_read(actor.org_id, team_id)


async def _demote_former_leads(user_ids: set[UUID]) -> None:
    """Leads who lead no team any more are employees again."""
    if user_ids:
        await User.raw(
            "UPDATE app_user u SET role = 'employee' WHERE u.id = ANY({}::uuid[]) "
            "AND u.role = 'lead' "
            'AND NOT EXISTS (SELECT 1 FROM team_lead l WHERE l."user" = u.id)',
            list(user_ids),
        )


async def delete_team(actor: CurrentUser, team_id: UUID) -> None:
    """Delete a team: its members become team-less and its leads stop leading it (the schema's
    ON DELETE rules); the points its members earned stay in the ledger. The caller rebuilds the
    organization's leaderboards, which then leave the team out (boards.py reads only teams
    that exist)."""
    async with DB.transaction():
        await Team.raw("SELECT pg_advisory_xact_lock(hashtext({}))", str(actor.org_id))
        await _team_in_org(actor.org_id, team_id)
        leads = {
            row["user"]
            for row in await TeamLead.select(TeamLead.user).where(TeamLead.team == team_id)
        }
        members = {row["id"] for row in await User.select(User.id).where(User.team == team_id)}
        await Team.delete().where((Team.id == team_id) & (Team.org == actor.org_id))
        await _demote_former_leads(leads)
    for user_id in leads | members:
        await sessions.refresh(user_id)


async def _make_lead(user: dict[str, Any], team_id: UUID, *, forget: bool = True) -> None:
    await TeamLead.insert(TeamLead(id=uuid4(), team=team_id, user=user["id"]))
    changes: dict[Any, Any] = {}
    if user["role"] == "employee":
        changes[User.role] = "lead"
    if user["team"] is None:
        changes[User.team] = team_id
    if changes:
        await User.update(changes).where(User.id == user["id"])
        if forget:
            forget_session(user["id"])


async def _team_read(org_id: UUID, team_id: UUID) -> TeamRead:
    page = await list_teams(org_id, limit=1, only=team_id)
    if not page.items:
        raise NotFound(msg("No such team in your organization."))
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


def like_pattern(query: str) -> str:
    """A LIKE pattern matching `query` anywhere, its own % and _ taken literally."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_ADMIN_USER_COLUMNS = """
    u.id, u.email, u.display_name, u.role, u.team AS team_id, u.active, u.created_at,
    t.name AS team_name, u.last_login_at AS last_sign_in_at,
    coalesce((SELECT sum(l.delta) FROM points_ledger l
              WHERE l.org = u.org AND l."user" = u.id), 0)::int AS points
"""


async def list_users(
    org_id: UUID,
    *,
    limit: int = 50,
    cursor: str | None = None,
    query: str = "",
    role: str | None = None,
    team_id: UUID | None = None,
    active: bool | None = None,
) -> Page[UserRead]:
    """People of an organization ordered by name, keyset-paged; `query` finds a name or email
    containing it (any case; trigram indexes keep this fast at thousands of people)."""
    clauses, args = ["u.org = {}"], list[Any]([org_id])
    needle = query.strip()
    if needle:
        clauses.append("(u.display_name ILIKE {} OR u.email ILIKE {})")
        args += [like_pattern(needle)] * 2
    if role is not None:
        clauses.append("u.role = {}")
        args.append(role)
    if team_id is not None:
        clauses.append("u.team = {}")
        args.append(team_id)
    if active is not None:
        clauses.append("u.active = {}")
        args.append(active)
    if cursor:
        after_name, after_id = decode_cursor(cursor, tuple[str, UUID])
        clauses.append("(lower(u.display_name), u.id) > ({}, {}::uuid)")
        args += [after_name, after_id]
    rows = await User.raw(
        f"SELECT {_ADMIN_USER_COLUMNS} FROM app_user u LEFT JOIN team t ON t.id = u.team "  # noqa: S608 (constants)
        f"WHERE {' AND '.join(clauses)} ORDER BY lower(u.display_name), u.id LIMIT {{}}",
        *args,
        limit + 1,
    )
    items = [from_row(row, UserRead) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last["display_name"].lower(), str(last["id"]))
    return Page[UserRead](items=items, next_cursor=next_cursor)


async def admin_user(org_id: UUID, user_id: UUID) -> UserRead:
    rows = await User.raw(
        f"SELECT {_ADMIN_USER_COLUMNS} FROM app_user u LEFT JOIN team t ON t.id = u.team "  # noqa: S608 (constants)
        "WHERE u.org = {} AND u.id = {}",
        org_id,
        user_id,
    )
    if not rows:
        raise NotFound(msg("No such user in your organization."))
    return from_row(rows[0], UserRead)


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
                raise Conflict(msg("An organization keeps at least one active admin."))
        if data.role is not msgspec.UNSET:
            changes[User.role] = data.role
            if data.role == "employee":
                await TeamLead.delete().where(TeamLead.user == user_id)
        if data.active is not msgspec.UNSET:
            if data.active is False and user_id == actor.id:
                raise Forbidden(msg("You cannot deactivate your own account."))
            changes[User.active] = data.active
        if changes:
            await User.update(changes).where(User.id == user_id)
    role_changed = data.role is not msgspec.UNSET and data.role != target["role"]
    if data.active is False or role_changed:
        # a deactivated person is out at once; a new role is worn from a new sign-in
        await sessions.end_sessions(user_id)
    else:
        forget_session(user_id)
    return await admin_user(actor.org_id, user_id)


# -- the organization's own-words and disclosure settings ----------------------------------


async def org_settings(org_id: UUID) -> OrgSettings:
    rows = await Organization.raw(
        "SELECT disclosure_tag, post_text_retention_days, default_language FROM organization "
        "WHERE id = {}",
        org_id,
    )
    if not rows:
        raise NotFound(msg("No such organization."))
    return from_row(rows[0], OrgSettings)


async def update_org_settings(actor: CurrentUser, data: OrgSettingsUpdate) -> OrgSettings:
    """Change what is given; the disclosure tag is stored as written (a hashtag, unicode NFC)."""
    changes: dict[str, Any] = {}
    if data.disclosure_tag is not msgspec.UNSET:
        tag = data.disclosure_tag
        changes["disclosure_tag"] = clean_text(tag, "disclosureTag") if tag is not None else None
    if data.post_text_retention_days is not msgspec.UNSET:
        changes["post_text_retention_days"] = data.post_text_retention_days
    if data.default_language is not msgspec.UNSET:
        changes["default_language"] = data.default_language
        sessions.forget_organization(actor.org_id)
    if changes:
        await Organization.update(
            {getattr(Organization, column): value for column, value in changes.items()}
        ).where(Organization.id == actor.org_id)
    return await org_settings(actor.org_id)
