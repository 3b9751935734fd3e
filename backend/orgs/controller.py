"""HTTP for accounts, teams, users and invites: guards, parsing, shaping. Logic is in service.py."""

from __future__ import annotations

import logging
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.security.jwt import Token
from redis.asyncio import Redis

from backend import jobs
from backend.core import clock
from backend.core.errors import Conflict, DomainError, Forbidden, Gone, NotFound, TooManyRequests
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.core.tokens import visitor_hash
from backend.core.wire import Page
from backend.http.auth import (
    CSRF_COOKIE,
    TOKEN_COOKIE,
    TokenIssuer,
    require_role,
    session_cookies,
    token_id,
)
from backend.http.client import client_address
from backend.http.problems import request_language
from backend.orgs import imports, passwords, privacy, service, sessions
from backend.orgs.schemas import (
    AcceptInviteCreate,
    AcceptInviteRead,
    EmailPrefs,
    InviteCreate,
    InviteImport,
    InviteImportRead,
    InviteListItem,
    InvitePreview,
    InvitePreviewCreate,
    InviteRead,
    InviteStatus,
    LoginCreate,
    LoginRead,
    OrgSettings,
    OrgSettingsUpdate,
    PasswordChange,
    PasswordForgot,
    PasswordResetCreate,
    RoleName,
    SignupCreate,
    SignupRead,
    TeamCreate,
    TeamRead,
    TeamUpdate,
    UserRead,
    UserUpdate,
)
from backend.orgs.throttle import LoginThrottle
from backend.ratelimit import count_attempt
from backend.settings import Settings

log = logging.getLogger("chorus.accounts")

Cursor = Annotated[str | None, QueryParameter(max_length=512)]
HOUR = 3600


def client_ip(request: Request[Any, Any, Any], settings: Settings) -> str:
    return client_address(request.scope, settings)


def session_response(
    body: Any, token: str, settings: Settings, status_code: int = 200
) -> Response[Any]:
    """The answer to a sign-in: the token in the body (Bearer) and in an HttpOnly cookie (PWA)."""
    return Response(
        content=body,
        status_code=status_code,
        cookies=session_cookies(token, settings),
        headers={"Cache-Control": "no-store"},
    )


def login_throttle(redis: Redis, settings: Settings) -> LoginThrottle:
    return LoginThrottle(
        redis=redis,
        key=settings.key_for("login-throttle"),
        free_per_pair=settings.login_max_attempts_per_email,
        free_per_address=settings.login_max_attempts_per_ip,
        max_delay_seconds=settings.login_window_seconds,
    )


def address_key(settings: Settings, what: str, value: str) -> str:
    return f"chorus:rl:{what}:{visitor_hash(settings.key_for('login-throttle'), what, value)}"


async def refuse_token_guessers(redis: Redis, settings: Settings, address: str) -> None:
    """429 once an address sent CHORUS_TOKEN_FAILURES_PER_IP wrong invite or reset tokens
    within the hour (right ones are not counted: each works once)."""
    key = address_key(settings, "token-failures", address)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(key)
        pipe.ttl(key)
        count, ttl = await pipe.execute()
    if count is not None and int(count) >= settings.token_failures_per_ip:
        retry_after = max(int(ttl), 1)
        raise TooManyRequests(
            msg(
                "Too many wrong links from here; try again in {wait}.",
                wait=clock.in_words(retry_after),
            ),
            headers={"Retry-After": str(retry_after)},
        )


async def count_token_failure(redis: Redis, settings: Settings, address: str) -> None:
    key = address_key(settings, "token-failures", address)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, HOUR, nx=True)
        await pipe.execute()


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["accounts"]

    @post("/signup", exclude_from_auth=True, status_code=201)
    async def signup(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SignupCreate],
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
        tokens: NamedDependency[TokenIssuer],
    ) -> Response[SignupRead]:
        if not settings.signup_open:
            raise Forbidden(msg("Open sign-up is off on this server; ask an admin for an invite."))
        await count_attempt(
            redis,
            address_key(settings, "signup", client_ip(request, settings)),
            settings.signup_max_per_ip,
            HOUR,
            "sign-ups from this address",
        )
        org_id, user_id = await service.signup(data)
        token = tokens.issue(user_id, org_id)
        return session_response(
            SignupRead(org_id=org_id, user_id=user_id, access_token=token), token, settings, 201
        )

    @post("/login", exclude_from_auth=True, status_code=200)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginCreate],
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
        tokens: NamedDependency[TokenIssuer],
    ) -> Response[LoginRead]:
        throttle = login_throttle(redis, settings)
        email, address = service.normalize_email(data.email), client_ip(request, settings)
        await throttle.check(email, address)
        try:
            user_id, org_id = await service.authenticate(data.email, data.password, data.org_id)
        except Conflict:
            raise  # the right password, in several organizations: not a failure
        except DomainError:
            await throttle.failed(email, address)
            raise
        await throttle.succeeded(email, address)
        # e.g. single sign-on refusing passwords for this person (backend/app.py registers them)
        for refuse_password in request.app.state.get("password_sign_in_checks", ()):
            await refuse_password(user_id, org_id)
        token = tokens.issue(user_id, org_id)
        body = LoginRead(
            access_token=token, token_type="bearer", expires_in=settings.access_token_ttl_seconds
        )
        return session_response(body, token, settings)

    @post(
        "/logout",
        status_code=204,
        # the session and CSRF cookies expire at once (declared, so the schema says so too)
        response_cookies=[
            Cookie(key=TOKEN_COOKIE, value="", max_age=0, path="/", httponly=True),
            Cookie(key=CSRF_COOKIE, value="", max_age=0, path="/"),
        ],
    )
    async def logout(self, request: Request[CurrentUser, Token, Any]) -> None:
        """This token stops working, in every process (the person's other sessions go on)."""
        jti = token_id(request.auth)
        if jti is None:  # a token from before tokens had ids: only ending them all ends it
            await sessions.end_sessions(request.user.id)
        else:
            await sessions.end_token(request.user.id, jti, request.auth.exp)

    @post("/accept-invite", exclude_from_auth=True, status_code=201)
    async def accept_invite(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[AcceptInviteCreate],
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
        tokens: NamedDependency[TokenIssuer],
    ) -> Response[AcceptInviteRead]:
        address = client_ip(request, settings)
        await refuse_token_guessers(redis, settings, address)
        try:
            user_id, org_id = await service.accept_invite(data)
        except (NotFound, Gone):
            await count_token_failure(redis, settings, address)
            raise
        token = tokens.issue(user_id, org_id)
        return session_response(
            AcceptInviteRead(user_id=user_id, access_token=token), token, settings, 201
        )

    @post("/invite-preview", exclude_from_auth=True, status_code=200)
    async def invite_preview(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[InvitePreviewCreate],
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
    ) -> InvitePreview:
        """Who invites whom to which organization. The token rides in the body, never in a URL
        that access logs keep: 404 for an unknown link, 410 for a used, withdrawn or expired
        one."""
        address = client_ip(request, settings)
        await refuse_token_guessers(redis, settings, address)
        try:
            return await service.invite_preview(data.token)
        except (NotFound, Gone):
            await count_token_failure(redis, settings, address)
            raise

    @post("/password/forgot", exclude_from_auth=True, status_code=202)
    async def forgot_password(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PasswordForgot],
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
    ) -> None:
        """202 whatever the email: each active account with it gets an email with a one-hour
        link (the same answer, and about the same work, when there is none)."""
        if not settings.email_configured:
            log.warning("password reset asked, but email not configured (CHORUS_SMTP_URL)")
            return
        await count_attempt(
            redis,
            address_key(settings, "forgot", client_ip(request, settings)),
            settings.token_failures_per_ip,
            HOUR,
            "password reset requests from this address",
        )
        email = service.normalize_email(data.email)
        # a few emails an hour to one mailbox at most, silently: nobody is flooded
        mailbox = address_key(settings, "reset-mail", email)
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incr(mailbox)
            pipe.expire(mailbox, HOUR, nx=True)
            sent, _ = await pipe.execute()
        if int(sent) > settings.reset_emails_per_hour:
            return
        for reset_id in await passwords.request_reset(email):
            await jobs.enqueue(redis, jobs.email_password_reset(reset_id))

    @post("/password/reset", exclude_from_auth=True, status_code=204)
    async def reset_password(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PasswordResetCreate],
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
        tokens: NamedDependency[TokenIssuer],
    ) -> Response[None]:
        """Spend a reset link on a new password: every session of the person ends, and this
        browser is signed in afresh (cookies only; the answer has no body)."""
        address = client_ip(request, settings)
        await refuse_token_guessers(redis, settings, address)
        try:
            user_id, org_id = await passwords.reset_password(data.token, data.password)
        except (NotFound, Gone):
            await count_token_failure(redis, settings, address)
            raise
        token = tokens.issue(user_id, org_id)
        return Response(
            None,
            status_code=204,
            cookies=session_cookies(token, settings),
            headers={"Cache-Control": "no-store"},
        )


class AccountController(Controller):
    """The signed-in person's own sessions, password and email."""

    path = "/api/v1/me"
    tags = ["accounts"]

    @post("/password", status_code=204)
    async def change_password(
        self,
        request: Request[CurrentUser, Token, Any],
        data: JSONBody[PasswordChange],
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
    ) -> None:
        """A new password (the current one required): every other session ends."""
        throttle = login_throttle(redis, settings)
        address = client_ip(request, settings)
        await throttle.check(request.user.email, address)
        try:
            await passwords.change_password(
                request.user,
                data.current_password,
                data.new_password,
                keep_token=token_id(request.auth),
            )
        except Forbidden:
            await throttle.failed(request.user.email, address)
            raise

    @post("/sessions/revoke", status_code=204)
    async def sign_out_everywhere(self, request: Request[CurrentUser, Token, Any]) -> None:
        """Every token of the caller stops working, this one too."""
        await sessions.end_sessions(request.user.id)

    @get("/email")
    async def email_prefs(self, request: Request[CurrentUser, Any, Any]) -> EmailPrefs:
        """Which emails the caller receives (the weekly digest is off until turned on)."""
        return await service.email_prefs(request.user)

    @put("/email")
    async def set_email_prefs(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[EmailPrefs]
    ) -> EmailPrefs:
        return await service.set_email_prefs(request.user, data)


class TeamsController(Controller):
    path = "/api/v1/teams"
    tags = ["teams"]

    @get("")
    async def list_teams(
        self,
        request: Request[CurrentUser, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 100,
        cursor: Cursor = None,
    ) -> Page[TeamRead]:
        return await service.list_teams(request.user.org_id, limit=limit, cursor=cursor)


class AdminOrgController(Controller):
    path = "/api/v1/admin"
    tags = ["admin"]
    guards = [require_role("admin")]

    @get("/organization")
    async def organization_settings(self, request: Request[CurrentUser, Any, Any]) -> OrgSettings:
        """The organization's disclosure tag and how long verified posts' texts are kept."""
        return await service.org_settings(request.user.org_id)

    @put("/organization")
    async def update_organization_settings(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[OrgSettingsUpdate]
    ) -> OrgSettings:
        """Change what is given: `disclosureTag` (a hashtag such as #employee, or null for
        none) is added to every suggested text and a post without it goes to review;
        `defaultLanguage` is what Chorus writes in for people who chose no language."""
        return await service.update_org_settings(request.user, data)

    @post("/invites", status_code=201)
    async def create_invite(
        self,
        request: Request[CurrentUser, Any, Any],
        data: JSONBody[InviteCreate],
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
    ) -> InviteRead:
        send = settings.email_configured if data.send is msgspec.UNSET else data.send
        if send and not settings.email_configured:
            raise Conflict(msg("This server sends no email (CHORUS_SMTP_URL); share the link."))
        invite_id, token, url, expires_at = await service.create_invite(
            request.user, data, settings.invite_ttl_hours, settings.base_url
        )
        if send:
            await jobs.enqueue(redis, jobs.email_invite(invite_id, token))
        return InviteRead(
            invite_id=invite_id, token=token, url=url, expires_at=expires_at, emailed=send
        )

    @get("/invites")
    async def list_invites(
        self,
        request: Request[CurrentUser, Any, Any],
        status: Annotated[InviteStatus, QueryParameter()] = "pending",
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        cursor: Cursor = None,
    ) -> Page[InviteListItem]:
        """Invites not yet accepted, withdrawn or expired (`status=all`: every one), with when
        each was last emailed."""
        return await service.list_invites(
            request.user.org_id, status=status, limit=limit, cursor=cursor
        )

    @delete("/invites/{invite_id:uuid}", status_code=204)
    async def revoke_invite(
        self, request: Request[CurrentUser, Any, Any], invite_id: FromPath[UUID]
    ) -> None:
        """Withdraw an invite: its link stops working."""
        await service.revoke_invite(request.user, invite_id)

    @post("/invites/{invite_id:uuid}/resend", status_code=200)
    async def resend_invite(
        self,
        request: Request[CurrentUser, Any, Any],
        invite_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
    ) -> InviteRead:
        """A new link (the old one stops working) and a new expiry, emailed again when this
        server sends email."""
        invite_id, token, url, expires_at = await service.renew_invite(
            request.user, invite_id, settings.invite_ttl_hours, settings.base_url
        )
        send = settings.email_configured
        if send:
            await jobs.enqueue(redis, jobs.email_invite(invite_id, token))
        return InviteRead(
            invite_id=invite_id, token=token, url=url, expires_at=expires_at, emailed=send
        )

    @post("/invites/import", status_code=200)
    async def import_invites(
        self,
        request: Request[CurrentUser, Any, Any],
        data: JSONBody[InviteImport],
        settings: NamedDependency[Settings],
    ) -> Response[InviteImportRead]:
        report = await imports.import_invites(
            request.user,
            data.csv,
            dry_run=data.dry_run,
            ttl_hours=settings.invite_ttl_hours,
            base_url=settings.base_url,
            language=request_language(request),
        )
        return Response(report, status_code=200 if data.dry_run else 201)

    @post("/teams", status_code=201)
    async def create_team(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[TeamCreate]
    ) -> TeamRead:
        return await service.create_team(request.user, data)

    @put("/teams/{team_id:uuid}")
    async def update_team(
        self,
        request: Request[CurrentUser, Any, Any],
        team_id: FromPath[UUID],
        data: JSONBody[TeamUpdate],
    ) -> TeamRead:
        """Rename a team and/or set its leads (`leadUserIds` replaces them all). A new lead
        sees the team's dashboard on their next request, still signed in."""
        return await service.update_team(request.user, team_id, data)

    @delete("/teams/{team_id:uuid}", status_code=204)
    async def delete_team(
        self,
        request: Request[CurrentUser, Any, Any],
        team_id: FromPath[UUID],
        redis: NamedDependency[Redis],
    ) -> None:
        """Its members become team-less; their points stay, and the boards are rebuilt
        without the team."""
        await service.delete_team(request.user, team_id)
        await jobs.enqueue(redis, jobs.rebuild_leaderboards(request.user.org_id))

    @get("/users")
    async def list_users(
        self,
        request: Request[CurrentUser, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        cursor: Cursor = None,
        search: Annotated[str, QueryParameter(name="query", max_length=200)] = "",
        role: Annotated[RoleName | None, QueryParameter()] = None,
        team_id: Annotated[UUID | None, QueryParameter(name="teamId")] = None,
        active: Annotated[bool | None, QueryParameter()] = None,
    ) -> Page[UserRead]:
        """People ordered by name: `query` finds a name or email containing it (any case);
        `role`, `teamId` and `active` filter; keyset pages (`cursor` from `nextCursor`)."""
        return await service.list_users(
            request.user.org_id,
            limit=limit,
            cursor=cursor,
            query=search,
            role=role,
            team_id=team_id,
            active=active,
        )

    @delete("/users/{user_id:uuid}", status_code=204)
    async def erase_user(
        self, request: Request[CurrentUser, Any, Any], user_id: FromPath[UUID]
    ) -> None:
        """Erase a person: personal data gone, their points kept anonymously."""
        await privacy.erase(request.user, user_id)

    @put("/users/{user_id:uuid}")
    async def update_user(
        self,
        request: Request[CurrentUser, Any, Any],
        user_id: FromPath[UUID],
        data: JSONBody[UserUpdate],
    ) -> UserRead:
        return await service.update_user(request.user, user_id, data)
