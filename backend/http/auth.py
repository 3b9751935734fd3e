"""Authentication (JWT in a Bearer header or an HttpOnly cookie), CSRF and role guards."""

from __future__ import annotations

import hmac
import time
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AuthenticationResult
from litestar.security.jwt import JWTCookieAuth, JWTCookieAuthenticationMiddleware, Token
from litestar.types import ASGIApp, Receive, Send

from backend.core.identity import ROLE_RANK, CurrentUser, Role
from backend.core.tokens import new_token
from backend.settings import Settings

TOKEN_COOKIE = "chorus_token"
CSRF_COOKIE = "chorus_csrf"
CSRF_HEADER = "x-csrf-token"


def bearer_of(authorization: str) -> str:
    """The token of an `Authorization: Bearer <token>` header; "" for anything else."""
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _first_header(scope: Any, name: bytes) -> str | None:
    """The first value of a header (what Litestar's `Headers.get` answers), None when absent."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


class VerifiedTokenCache(JWTCookieAuthenticationMiddleware):
    """Litestar's JWT middleware, remembering tokens whose signature it already checked.

    Verifying a signature costs more than everything else an authenticated read does; a token
    string seen before and not yet expired is the same token, so it is not verified again.
    Who the token names is still looked up per request (through the session cache).
    """

    _verified: dict[str, tuple[float, Token]] = {}
    MAX_ENTRIES = 100_000

    @classmethod
    def known(cls, encoded_token: str) -> Token | None:
        """The token a string was already verified as, while it has not expired (else None:
        the framework's middleware verifies it)."""
        hit = cls._verified.get(encoded_token)
        return hit[1] if hit is not None and hit[0] > time.time() else None

    @property
    def _header_name(self) -> bytes:
        # ASGI header names are lower-case bytes: read the one header straight from the scope
        # rather than building Litestar's Headers of every header for each request
        return self.auth_header.lower().encode("latin-1")

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """The credential is the `Authorization` header when there is one (a malformed one is
        refused, never silently replaced by the cookie), else the session cookie: the same
        rule the CSRF check uses to decide whether a request rides on the cookie."""
        header = _first_header(connection.scope, self._header_name)
        if header is not None:
            token = bearer_of(header)
            if not token:
                raise NotAuthorizedException("Authorization must be `Bearer <token>`")
        else:
            token = connection.cookies.get(self.auth_cookie_key, "")
            if not token:
                raise NotAuthorizedException("No token in the Authorization header or cookie")
        return await self.authenticate_token(encoded_token=token, connection=connection)

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
        token_secret=settings.key_for("tokens"),
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
        """A token naming the person and organization, with its own id (`jti`, what a logout
        ends) and its issue time in microseconds (`t`: what ending every session compares)."""
        return self._auth.create_token(
            identifier=str(user_id),
            token_issuer="chorus",
            token_unique_jwt_id=uuid4().hex,
            token_extras={"org": str(org_id), "t": time.time_ns() // 1000},
        )


def token_issued_us(token: Token) -> int:
    """When a token was issued, in microseconds since the epoch (`iat` for older tokens)."""
    issued = token.extras.get("t")
    if isinstance(issued, int):
        return issued
    return int(token.iat.timestamp()) * 1_000_000


def token_id(token: Token) -> str | None:
    """A token's own id (`jti`), None for tokens issued before tokens had one."""
    return token.jti if isinstance(token.jti, str) and token.jti else None


def token_issuer(settings: Settings) -> TokenIssuer:
    """An issuer for a process that only signs tokens (the load test, the benchmarks): the
    same keys, issuer and expiry as the app's, with no one to look up."""

    async def nobody(*_: Any) -> None:
        return None

    return TokenIssuer(build_auth(settings, nobody, exclude=[]))


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

    A request authenticated by a well-formed `Authorization: Bearer` header passes (the
    authentication uses that header, never the cookie, see VerifiedTokenCache); one that relies
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
        bearer = bearer_of(headers.get(b"authorization", b"").decode("latin-1"))
        if bearer or f"{TOKEN_COOKIE}=" not in cookie_header:
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


def session_cookies(token: str, settings: Settings) -> list[Cookie]:
    """The session (HttpOnly) and its CSRF companion (readable by the PWA) of a sign-in."""
    max_age = settings.access_token_ttl_seconds
    secure = settings.secure_cookies
    return [
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
    ]
