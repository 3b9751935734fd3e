"""Changing and resetting passwords.

A reset link is one-time and lives RESET_TTL: only the sha256 of its token is stored, and the
token itself is made by the worker that emails it (`issue_reset_token`), so it never sits in
Redis or the database. Setting a new password, either way, ends the person's other sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from backend.core.errors import Forbidden, Gone, NotFound
from backend.core.i18n import msg, pick
from backend.core.identity import CurrentUser
from backend.core.passwords import hash_password, verify_password
from backend.core.tokens import new_token, token_digest
from backend.db import DB
from backend.orgs import sessions
from backend.orgs.service import normalize_email
from backend.orgs.tables import Organization, PasswordReset, User

RESET_TTL = timedelta(hours=1)


async def change_password(
    user: CurrentUser, current: str, new: str, *, keep_token: str | None
) -> None:
    """Set a new password when the current one is right; every other session ends."""
    row = (
        await User.select(User.password_hash)
        .where((User.id == user.id) & (User.org == user.org_id) & (User.active == True))  # noqa: E712
        .first()
    )
    if not await verify_password(row["password_hash"] if row else None, current):
        raise Forbidden(msg("Your current password is not right."))
    password_hash = await hash_password(new)
    await User.update({User.password_hash: password_hash}).where(User.id == user.id)
    await _spend_resets(user.id)
    await sessions.end_sessions(user.id, except_token_id=keep_token)


async def request_reset(email: str) -> list[UUID]:
    """Open a reset for every active account with this email (one per organization); the ids
    the worker emails a link for. The same few queries whether or not anyone matches."""
    accounts = await User.select(User.id).where(
        (User.email == normalize_email(email)) & (User.active == True)  # noqa: E712
    )
    expires_at = datetime.now(UTC) + RESET_TTL
    resets = [PasswordReset(id=uuid4(), user=row["id"], expires_at=expires_at) for row in accounts]
    if resets:
        await PasswordReset.insert(*resets)
    return [reset.id for reset in resets]


@dataclass(frozen=True, slots=True)
class ResetLetter:
    """What the reset email needs: the token exists only here and in the email."""

    token: str
    email: str
    display_name: str
    organization: str
    language: str  # what the email is written in: the person's choice, else the organization's


async def issue_reset_token(reset_id: UUID) -> ResetLetter | None:
    """Make the token of an open reset (a new one each time: an email sent again replaces the
    link of one that may have been lost); None when the reset was used, expired or erased."""
    token = new_token()
    rows = await PasswordReset.raw(
        "UPDATE password_reset r SET token_hash = {} FROM app_user u, organization o "
        'WHERE r.id = {} AND r.used_at IS NULL AND r.expires_at > now() AND u.id = r."user" '
        "AND u.active AND o.id = u.org "
        "RETURNING u.email, u.display_name, o.name AS organization, u.language, "
        "o.default_language",
        token_digest(token),
        reset_id,
    )
    if not rows:
        return None
    row = rows[0]
    return ResetLetter(
        token,
        row["email"],
        row["display_name"],
        row["organization"],
        pick(row["language"], None, row["default_language"]),
    )


async def reset_password(token: str, password: str) -> tuple[UUID, UUID]:
    """Spend a reset link on a new password; every session of the person ends. Returns the
    (user id, org id) to sign in. The token is checked before any password is hashed."""
    digest = token_digest(token)
    found = (
        await PasswordReset.select(PasswordReset.used_at, PasswordReset.expires_at)
        .where(PasswordReset.token_hash == digest)
        .first()
    )
    if found is None:
        raise NotFound(msg("This reset link is not valid."))
    if found["used_at"] is not None:
        raise Gone(msg("This reset link was already used; ask for a new one."))
    if found["expires_at"] <= datetime.now(UTC):
        raise Gone(msg("This reset link has expired; ask for a new one."))
    password_hash = await hash_password(password)
    async with DB.transaction():
        spent = await PasswordReset.raw(
            "UPDATE password_reset SET used_at = now() "
            "WHERE token_hash = {} AND used_at IS NULL AND expires_at > now() "
            'RETURNING "user"',
            digest,
        )
        if not spent:
            raise Gone(msg("This reset link was already used; ask for a new one."))
        user_id: UUID = spent[0]["user"]
        updated = await User.raw(
            "UPDATE app_user SET password_hash = {} WHERE id = {} AND active RETURNING org",
            password_hash,
            user_id,
        )
        if not updated:
            raise Gone(msg("This account is no longer active."))
    await _spend_resets(user_id)
    await sessions.end_sessions(user_id)
    return user_id, updated[0]["org"]


async def _spend_resets(user_id: UUID) -> None:
    """A new password makes every reset link still out for it useless."""
    await PasswordReset.update({PasswordReset.used_at: datetime.now(UTC)}).where(
        (PasswordReset.user == user_id) & (PasswordReset.used_at.is_null())
    )


async def organization_name(org_id: UUID) -> str:
    row = await Organization.select(Organization.name).where(Organization.id == org_id).first()
    return row["name"] if row else ""
