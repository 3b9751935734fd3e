"""Authentication (JWT in a Bearer header or an HttpOnly cookie), CSRF, role guards, passwords."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from datetime import timedelta
from typing import Any, Literal
from uuid import UUID

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AuthenticationResult
from litestar.security.jwt import JWTCookieAuth, JWTCookieAuthenticationMiddleware, Token
from litestar.types import ASGIApp, Receive, Send

from backend.settings import Settings

Role = Literal["employee", "lead", "admin"]
ROLE_RANK: dict[str, int] = {"employee": 0, "lead": 1, "admin": 2}

TOKEN_COOKIE = "chorus_token"
CSRF_COOKIE = "chorus_csrf"
CSRF_HEADER = "x-csrf-token"

# argon2id (the library's default type) with its RFC 9106 low-memory profile.
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class CurrentUser(msgspec.Struct, frozen=True):
    id: UUID
    org_id: UUID
    role: Role
    email: str
    display_name: str
    team_id: UUID | None


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (a dummy hash stands in)."""

    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def token_digest(token: str) -> str:
    """How single-use tokens (invites) are stored: never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def visitor_hash(secret_key: str, *parts: str) -> str:
    """A keyed hash of visitor data (an IP address, an email): the raw value is never stored."""
    return hmac.new(secret_key.encode(), "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()[
        :32
    ]


class VerifiedTokenCache(JWTCookieAuthenticationMiddleware):
    """Litestar's JWT middleware, remembering tokens whose signature it already checked.

    Verifying a signature costs more than everything else an authenticated read does; a token
    string seen before and not yet expired is the same token, so it is not verified again.
    Who the token names is still looked up per request (through the session cache).
    """

    _verified: dict[str, tuple[float, Token]] = {}
    MAX_ENTRIES = 100_000

    async def authenticate_token(
        self, encoded_token: str, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        now = time.time()
        hit = self._verified.get(encoded_token)
        if hit is not None and hit[0] > now:
            token = hit[1]
        else:
            token = self.token_cls.decode(
                encoded_token=encoded_token,
                secret=self.token_secret,
                algorithm=self.algorithm,
                audience=self.token_audience,
                issuer=self.token_issuer,
                require_claims=self.require_claims,
                verify_exp=self.verify_expiry,
                verify_nbf=self.verify_not_before,
                strict_audience=self.strict_audience,
            )
            if len(self._verified) >= self.MAX_ENTRIES:
                self._verified.clear()
            self._verified[encoded_token] = (token.exp.timestamp(), token)
        user = await self.retrieve_user_handler(token, connection)
        if not user:
            raise NotAuthorizedException()
        return AuthenticationResult(user=user, auth=token)


def build_auth(
    settings: Settings, retrieve_user: Any, exclude: list[str]
) -> JWTCookieAuth[CurrentUser, Token]:
    return JWTCookieAuth[CurrentUser, Token](
        retrieve_user_handler=retrieve_user,
        token_secret=settings.secret_key,
        key=TOKEN_COOKIE,
        secure=settings.secure_cookies,
        samesite="lax",
        default_token_expiration=timedelta(seconds=settings.access_token_ttl_seconds),
        exclude=exclude,
        accepted_issuers=["chorus"],
        require_claims=["exp", "sub", "iat"],
        authentication_middleware_class=VerifiedTokenCache,
    )


class TokenIssuer:
    """Signs access tokens for a user of an organization (what sign-in hands out)."""

    def __init__(self, auth: JWTCookieAuth[CurrentUser, Token]) -> None:
        self._auth = auth

    def issue(self, user_id: UUID, org_id: UUID) -> str:
        return self._auth.create_token(
            identifier=str(user_id),
            token_issuer="chorus",
            token_extras={"org": str(org_id)},
        )


def require_role(minimum: Role) -> Any:
    """A guard: the signed-in user's role is at least `minimum` (employee < lead < admin)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.user
        if not isinstance(user, CurrentUser) or ROLE_RANK[user.role] < ROLE_RANK[minimum]:
            raise PermissionDeniedException(f"This needs the {minimum} role.")

    guard.__name__ = f"require_{minimum}"
    return guard


def csrf_middleware(app: ASGIApp) -> ASGIApp:
    """Double-submit CSRF check for cookie-authenticated unsafe requests.

    A request carrying `Authorization` is not cookie-authenticated and passes; one that relies
    on the session cookie must echo the `chorus_csrf` cookie in `X-CSRF-Token`.
    """

    async def middleware(scope: Any, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD", "OPTIONS")
            # signing in, up and out act on no existing session's authority
            or scope["path"].startswith("/api/v1/auth/")
        ):
            await app(scope, receive, send)
            return
        headers = {name: value for name, value in scope["headers"]}
        cookie_header = headers.get(b"cookie", b"").decode("latin-1")
        if b"authorization" in headers or f"{TOKEN_COOKIE}=" not in cookie_header:
            await app(scope, receive, send)
            return
        cookies = dict(
            part.strip().split("=", 1) for part in cookie_header.split(";") if "=" in part
        )
        expected = cookies.get(CSRF_COOKIE, "")
        given = headers.get(CSRF_HEADER.encode(), b"").decode("latin-1")
        if expected and given and hmac.compare_digest(expected, given):
            await app(scope, receive, send)
            return
        body = msgspec.json.encode(
            {
                "type": "about:blank",
                "title": "Not allowed",
                "status": 403,
                "detail": "Missing or wrong X-CSRF-Token: send the chorus_csrf cookie's value "
                "in the X-CSRF-Token header, or authenticate with a Bearer token.",
                "instance": scope["path"],
            }
        )
        start: Any = {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
        await send(start)
        end: Any = {"type": "http.response.body", "body": body}
        await send(end)

    return middleware
