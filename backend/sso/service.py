"""Single sign-on per organization: its provider settings, and signing people in through it.

An email domain belongs to one organization at most; a sign-in started for an email goes to
that organization's provider only, and its result is accepted only for a verified email of one
of that organization's domains. A sign-in attempt (state, nonce, PKCE verifier) lives in Redis
for ten minutes, is spent by the first callback that names it, and only in the browser that
started it (the digest of a cookie set at the start is part of it). The client secret is kept
encrypted with a key derived from CHORUS_SECRET_KEY and never leaves the server.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec
from cryptography.fernet import Fernet, InvalidToken
from redis.asyncio import Redis

from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.core.i18n import msg, msg_n
from backend.core.identity import CurrentUser
from backend.core.text import clean_text
from backend.core.tokens import new_token
from backend.db import DB
from backend.orgs.tables import Team, User
from backend.sso import provider
from backend.sso.provider import Outbound, SignInFailed
from backend.sso.schemas import SsoDiscovery, SsoSettingsRead, SsoSettingsUpdate
from backend.sso.tables import SsoConfig, SsoDomain

ATTEMPT_SECONDS = 600
# What an account made by single sign-on has for a password hash: no password opens it.
NO_PASSWORD = "!sso"


class Attempt(msgspec.Struct, frozen=True):
    """A sign-in under way, kept in Redis under its `state`."""

    org_id: str
    nonce: str
    code_verifier: str
    browser: str  # sha256 of the cookie that binds the attempt to the browser that began it
    redirect_uri: str


def secret_box(key: str) -> Fernet:
    """Encrypts client secrets; `key` is `settings.key_for("sso-secrets")` (32 bytes, base64url)."""
    return Fernet(key + "=" * (-len(key) % 4))


def email_domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _attempt_key(state: str) -> str:
    return f"chorus:sso:attempt:{_digest(state)}"


# -- settings (admin) -------------------------------------------------------------------


async def read_settings(org_id: UUID, redirect_uri: str) -> SsoSettingsRead:
    """The organization's provider settings, without the secret (empty before the first PUT)."""
    row = await SsoConfig.select().where(SsoConfig.org == org_id).first()
    domains = await SsoDomain.select(SsoDomain.domain).where(SsoDomain.org == org_id)
    if row is None:
        return SsoSettingsRead(
            configured=False,
            issuer="",
            client_id="",
            client_secret_set=False,
            email_domains=[],
            auto_provision=False,
            default_team_id=None,
            required=False,
            redirect_uri=redirect_uri,
        )
    return SsoSettingsRead(
        configured=True,
        issuer=row["issuer"],
        client_id=row["client_id"],
        client_secret_set=bool(row["client_secret"]),
        email_domains=sorted(d["domain"] for d in domains),
        auto_provision=row["auto_provision"],
        default_team_id=row["default_team"],
        required=row["required"],
        redirect_uri=redirect_uri,
    )


async def save_settings(
    actor: CurrentUser, data: SsoSettingsUpdate, box: Fernet, redirect_uri: str
) -> SsoSettingsRead:
    """Set the organization's provider. A domain another organization uses is a 409; a left-out
    client secret keeps the stored one (required the first time)."""
    domains = sorted({d.strip().lower() for d in data.email_domains})
    issuer = data.issuer.strip()
    client_id = data.client_id
    if data.default_team_id is not None:
        team = await Team.exists().where(
            (Team.id == data.default_team_id) & (Team.org == actor.org_id)
        )
        if not team:
            raise NotFound(msg("No such team in your organization (defaultTeamId)."))
    async with DB.transaction():
        # one admin at a time changes the settings, so "keep the stored secret" reads its own
        await Team.raw("SELECT pg_advisory_xact_lock(hashtext({}))", f"sso:{actor.org_id}")
        current = await SsoConfig.select(SsoConfig.client_secret).where(
            SsoConfig.org == actor.org_id
        )
        if data.client_secret is not msgspec.UNSET:
            secret = box.encrypt(data.client_secret.encode()).decode()
        elif current:
            secret = current[0]["client_secret"]
        else:
            raise Invalid(
                msg("Enter the client secret: it is needed when single sign-on is first set up."),
                field="clientSecret",
            )
        taken = await SsoDomain.select(SsoDomain.domain).where(
            SsoDomain.domain.is_in(domains) & (SsoDomain.org != actor.org_id)
        )
        if taken:
            raise Conflict(
                msg_n(
                    "Another organization signs in with this email domain: {domains}",
                    "Another organization signs in with this email domain: {domains}",
                    len(taken),
                    domains=", ".join(sorted(t["domain"] for t in taken)),
                ),
                domains=sorted(t["domain"] for t in taken),
            )
        values = {
            "issuer": issuer,
            "client_id": client_id,
            "client_secret": secret,
            "auto_provision": data.auto_provision,
            "default_team": data.default_team_id,
            "required": data.required,
        }
        await SsoConfig.raw(
            "INSERT INTO sso_config (org, issuer, client_id, client_secret, auto_provision, "
            "default_team, required) VALUES ({}, {}, {}, {}, {}, {}, {}) "
            "ON CONFLICT (org) DO UPDATE SET issuer = excluded.issuer, "
            "client_id = excluded.client_id, client_secret = excluded.client_secret, "
            "auto_provision = excluded.auto_provision, default_team = excluded.default_team, "
            "required = excluded.required, updated_at = now()",
            actor.org_id,
            *values.values(),
        )
        await SsoDomain.delete().where(SsoDomain.org == actor.org_id)
        try:
            await SsoDomain.insert(*[SsoDomain(domain=d, org=actor.org_id) for d in domains])
        except asyncpg.UniqueViolationError as exc:  # another organization took it just now
            raise Conflict(msg("Another organization signs in with this email domain.")) from exc
    return await read_settings(actor.org_id, redirect_uri)


# -- who signs in how --------------------------------------------------------------------


async def _config_for_domain(domain: str) -> dict[str, Any] | None:
    rows = await SsoConfig.raw(
        "SELECT c.* FROM sso_domain d JOIN sso_config c ON c.org = d.org WHERE d.domain = {}",
        domain,
    )
    return rows[0] if rows else None


async def discover(email: str) -> SsoDiscovery:
    """Whether this email's domain signs in through single sign-on (and must)."""
    config = await _config_for_domain(email_domain(email))
    if config is None:
        return SsoDiscovery(sso=False, required=False)
    return SsoDiscovery(sso=True, required=config["required"])


async def refuse_password_sign_in(user_id: UUID, org_id: UUID) -> None:
    """Forbidden when this person's organization requires single sign-on for their email's
    domain. Admins keep their password: the break-glass way in when the provider is down or
    misconfigured (sign-in through the provider works for them too)."""
    person = (
        await User.select(User.email, User.role)
        .where((User.id == user_id) & (User.org == org_id))
        .first()
    )
    if person is None or person["role"] == "admin":
        return
    config = await _config_for_domain(email_domain(person["email"]))
    if config is not None and config["org"] == org_id and config["required"]:
        raise Forbidden(
            msg(
                "Your organization signs you in through its single sign-on: "
                "use “Continue with SSO” instead of a password."
            ),
            sso=True,
        )


# -- signing in --------------------------------------------------------------------------


async def begin_sign_in(
    redis: Redis, email: str, redirect_uri: str, outbound: Outbound
) -> tuple[str, str]:
    """Start a sign-in for `email`: (the provider's authorization URL, the browser cookie).
    NotFound when no organization signs this email's domain in; SignInFailed when its provider
    cannot be reached."""
    config = await _config_for_domain(email_domain(email))
    if config is None:
        raise NotFound(msg("No organization signs this email's domain in with single sign-on."))
    document = await provider.discover(config["issuer"], outbound)
    state, nonce, verifier, browser = new_token(), new_token(), new_token(), new_token()
    attempt = Attempt(
        org_id=str(config["org"]),
        nonce=nonce,
        code_verifier=verifier,
        browser=_digest(browser),
        redirect_uri=redirect_uri,
    )
    await redis.set(_attempt_key(state), msgspec.json.encode(attempt), ex=ATTEMPT_SECONDS)
    url = provider.authorization_url(
        document,
        client_id=config["client_id"],
        redirect_uri=redirect_uri,
        state=state,
        nonce=nonce,
        code_verifier=verifier,
        login_hint=email.strip(),
    )
    return url, browser


async def forget_attempt(redis: Redis, state: str) -> None:
    """Drop a sign-in the provider refused (its state cannot be spent later)."""
    if state:
        await redis.delete(_attempt_key(state))


async def finish_sign_in(
    redis: Redis,
    *,
    code: str,
    state: str,
    browser: str,
    iss: str = "",
    box: Fernet,
    outbound: Outbound,
) -> tuple[UUID, UUID]:
    """Complete a sign-in the provider sent back: (user id, org id) of the person it names,
    made now when the organization provisions people on first sign-in. SignInFailed (with
    the reason to show) for anything that does not check out."""
    raw = await redis.getdel(_attempt_key(state)) if state else None
    if raw is None:
        raise SignInFailed("state", "no sign-in under way with this state (forged, spent, old)")
    attempt = msgspec.json.decode(raw, type=Attempt)
    if not browser or not hmac.compare_digest(_digest(browser), attempt.browser):
        raise SignInFailed("state", "the sign-in was started in another browser")
    if not code:
        raise SignInFailed("provider", "the provider sent no authorization code")
    org_id = UUID(attempt.org_id)
    config = await SsoConfig.select().where(SsoConfig.org == org_id).first()
    if config is None:
        raise SignInFailed("provider", "single sign-on was switched off meanwhile")
    try:
        client_secret = box.decrypt(config["client_secret"].encode()).decode()
    except InvalidToken as exc:  # CHORUS_SECRET_KEY changed since the secret was stored
        raise SignInFailed("provider", "the stored client secret cannot be decrypted") from exc
    document = await provider.discover(config["issuer"], outbound)
    if iss and iss != document["issuer"]:  # RFC 9207: the answer came from another provider
        raise SignInFailed("issuer", f"the authorization response names issuer {iss!r}")
    id_token = await provider.exchange_code(
        document,
        client_id=config["client_id"],
        client_secret=client_secret,
        code=code,
        redirect_uri=attempt.redirect_uri,
        code_verifier=attempt.code_verifier,
        outbound=outbound,
    )
    claims = await provider.verify_id_token(
        id_token, document, client_id=config["client_id"], nonce=attempt.nonce, outbound=outbound
    )
    email = provider.verified_email(claims)
    if email is None:
        raise SignInFailed("unverified", "the provider does not vouch for an email")
    owner = await SsoDomain.select(SsoDomain.org).where(SsoDomain.domain == email_domain(email))
    if not owner or owner[0]["org"] != org_id:
        raise SignInFailed("domain", "the email's domain is not one of the organization's")
    user_id = await _person(org_id, email, claims, config)
    await User.update({User.last_login_at: datetime.now(UTC)}).where(User.id == user_id)
    return user_id, org_id


def _display_name(claims: dict[str, Any], email: str) -> str:
    for candidate in (
        claims.get("name"),
        " ".join(str(claims.get(k, "")) for k in ("given_name", "family_name")),
        claims.get("preferred_username"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            try:
                return clean_text(candidate, "name")[:80]
            except Invalid:
                continue
    return email.partition("@")[0][:80]


async def _person(org_id: UUID, email: str, claims: dict[str, Any], config: dict[str, Any]) -> UUID:
    row = (
        await User.select(User.id, User.active)
        .where((User.org == org_id) & (User.email == email))
        .first()
    )
    if row is not None:
        if not row["active"]:
            raise SignInFailed("deactivated", "this account is deactivated")
        return UUID(str(row["id"]))
    if not config["auto_provision"]:
        raise SignInFailed("not_provisioned", "no account with this email; ask an admin")
    user_id = uuid4()
    try:
        await User.insert(
            User(
                id=user_id,
                org=org_id,
                email=email,
                display_name=_display_name(claims, email),
                password_hash=NO_PASSWORD,
                role="employee",
                team=config["default_team"],
            )
        )
    except asyncpg.UniqueViolationError:  # the same person's other tab provisioned them first
        again = await User.select(User.id).where((User.org == org_id) & (User.email == email))
        return UUID(str(again[0]["id"]))
    return user_id
