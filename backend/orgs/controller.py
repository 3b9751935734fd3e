"""HTTP for accounts, teams, users and invites: guards, parsing, shaping. Logic is in service.py."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from redis.asyncio import Redis

from backend.core.errors import Forbidden
from backend.core.identity import CurrentUser
from backend.core.tokens import new_token, visitor_hash
from backend.core.wire import Page
from backend.http.auth import CSRF_COOKIE, TOKEN_COOKIE, TokenIssuer, require_role
from backend.http.client import client_address
from backend.orgs import imports, privacy, service
from backend.orgs.schemas import (
    AcceptInviteCreate,
    AcceptInviteRead,
    InviteCreate,
    InviteImport,
    InviteImportRead,
    InviteRead,
    LoginCreate,
    LoginRead,
    SignupCreate,
    SignupRead,
    TeamCreate,
    TeamRead,
    UserRead,
    UserUpdate,
)
from backend.ratelimit import count_attempt
from backend.settings import Settings

Cursor = Annotated[str | None, QueryParameter(max_length=512)]


def client_ip(request: Request[Any, Any, Any], settings: Settings) -> str:
    return client_address(request.scope, settings)


def session_response(
    body: Any, token: str, settings: Settings, status_code: int = 200
) -> Response[Any]:
    """The answer to a sign-in: the token in the body (Bearer) and in an HttpOnly cookie (PWA)."""
    max_age = settings.access_token_ttl_seconds
    secure = settings.secure_cookies
    return Response(
        content=body,
        status_code=status_code,
        cookies=[
            Cookie(
                key=TOKEN_COOKIE,
                value=token,
                httponly=True,
                samesite="lax",
                secure=secure,
                max_age=max_age,
                path="/",
            ),
            Cookie(
                key=CSRF_COOKIE,
                value=new_token(),
                httponly=False,
                samesite="lax",
                secure=secure,
                max_age=max_age,
                path="/",
            ),
        ],
        headers={"Cache-Control": "no-store"},
    )


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["accounts"]

    @post("/signup", exclude_from_auth=True, status_code=201)
    async def signup(
        self,
        data: JSONBody[SignupCreate],
        settings: NamedDependency[Settings],
        tokens: NamedDependency[TokenIssuer],
    ) -> Response[SignupRead]:
        if not settings.signup_open:
            raise Forbidden("Open sign-up is off on this server; ask an admin for an invite.")
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
        window = settings.login_window_seconds
        ip_key = visitor_hash(settings.secret_key, "ip", client_ip(request, settings))
        email_key = visitor_hash(settings.secret_key, "email", service.normalize_email(data.email))
        await count_attempt(
            redis,
            f"chorus:rl:login:ip:{ip_key}",
            settings.login_max_attempts_per_ip,
            window,
            "sign-in attempts",
        )
        await count_attempt(
            redis,
            f"chorus:rl:login:email:{email_key}",
            settings.login_max_attempts_per_email,
            window,
            "sign-in attempts for this email",
        )
        user_id, org_id = await service.authenticate(data.email, data.password, data.org_id)
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
    async def logout(self) -> None:
        return None

    @post("/accept-invite", exclude_from_auth=True, status_code=201)
    async def accept_invite(
        self,
        data: JSONBody[AcceptInviteCreate],
        settings: NamedDependency[Settings],
        tokens: NamedDependency[TokenIssuer],
    ) -> Response[AcceptInviteRead]:
        user_id, org_id = await service.accept_invite(data)
        token = tokens.issue(user_id, org_id)
        return session_response(
            AcceptInviteRead(user_id=user_id, access_token=token), token, settings, 201
        )


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

    @post("/invites", status_code=201)
    async def create_invite(
        self,
        request: Request[CurrentUser, Any, Any],
        data: JSONBody[InviteCreate],
        settings: NamedDependency[Settings],
    ) -> InviteRead:
        invite_id, token, url, expires_at = await service.create_invite(
            request.user, data, settings.invite_ttl_hours, settings.base_url
        )
        return InviteRead(invite_id=invite_id, token=token, url=url, expires_at=expires_at)

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
        )
        return Response(report, status_code=200 if data.dry_run else 201)

    @post("/teams", status_code=201)
    async def create_team(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[TeamCreate]
    ) -> TeamRead:
        return await service.create_team(request.user, data)

    @get("/users")
    async def list_users(
        self,
        request: Request[CurrentUser, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        cursor: Cursor = None,
    ) -> Page[UserRead]:
        return await service.list_users(request.user.org_id, limit=limit, cursor=cursor)

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
