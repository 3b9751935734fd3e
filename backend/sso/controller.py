"""HTTP for single sign-on: the admin's provider settings, and the browser's round trip
through the provider (start → the provider's sign-in → callback → Home, signed in)."""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, put
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.response import Redirect
from redis.asyncio import Redis

from backend.core.identity import CurrentUser
from backend.core.tokens import visitor_hash
from backend.http.auth import TokenIssuer, require_role, session_cookies
from backend.http.client import client_address
from backend.ratelimit import count_attempt
from backend.settings import Settings
from backend.sso import service
from backend.sso.provider import Outbound, SignInFailed
from backend.sso.schemas import SsoDiscovery, SsoSettingsRead, SsoSettingsUpdate

log = logging.getLogger("chorus.sso")

CALLBACK_PATH = "/api/v1/auth/sso/callback"
# Binds a sign-in attempt to the browser that began it; sent back only to the SSO endpoints.
ATTEMPT_COOKIE = "chorus_sso"
ATTEMPT_COOKIE_PATH = "/api/v1/auth/sso"
STARTS_PER_ADDRESS_PER_MINUTE = 30

Email = Annotated[str, QueryParameter(min_length=3, max_length=254)]
Code = Annotated[str, QueryParameter(max_length=4096)]
State = Annotated[str, QueryParameter(name="state", max_length=512)]


def redirect_uri(settings: Settings) -> str:
    """Where providers send people back: register exactly this at the provider."""
    return settings.base_url + CALLBACK_PATH


def outbound(settings: Settings) -> Outbound:
    return Outbound(
        allow_hosts=settings.fetch_allow_list,
        timeout_seconds=max(settings.fetch_timeout_seconds, 5.0),
    )


def _attempt_cookie(value: str, settings: Settings, max_age: int) -> Cookie:
    return Cookie(
        key=ATTEMPT_COOKIE,
        value=value,
        httponly=True,
        # Lax: sent on the provider's top-level GET back to the callback, not on cross-site POSTs
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=max_age,
        path=ATTEMPT_COOKIE_PATH,
    )


def _signed_in(token: str, settings: Settings) -> Redirect:
    """Home, with the session and CSRF cookies exactly as password sign-in sets them."""
    return Redirect(
        "/",
        status_code=302,
        cookies=[*session_cookies(token, settings), _attempt_cookie("", settings, 0)],
        headers={"Cache-Control": "no-store"},
    )


def _failed(reason: str, settings: Settings) -> Redirect:
    return Redirect(
        f"/signin?error={quote(reason)}",
        status_code=302,
        cookies=[_attempt_cookie("", settings, 0)],
        headers={"Cache-Control": "no-store"},
    )


class SsoAdminController(Controller):
    path = "/api/v1/admin/sso"
    tags = ["admin"]
    guards = [require_role("admin")]

    @get("")
    async def read_settings(
        self, request: Request[CurrentUser, Any, Any], settings: NamedDependency[Settings]
    ) -> SsoSettingsRead:
        """The organization's OpenID Connect provider; the client secret is never returned."""
        return await service.read_settings(request.user.org_id, redirect_uri(settings))

    @put("")
    async def save_settings(
        self,
        request: Request[CurrentUser, Any, Any],
        data: JSONBody[SsoSettingsUpdate],
        settings: NamedDependency[Settings],
    ) -> SsoSettingsRead:
        """Set the provider; leave `clientSecret` out to keep the stored one. 409 when another
        organization already signs in with one of the email domains."""
        box = service.secret_box(settings.key_for("sso-secrets"))
        return await service.save_settings(request.user, data, box, redirect_uri(settings))


class SsoSignInController(Controller):
    path = "/api/v1/auth/sso"
    tags = ["accounts"]

    @get("/discover", exclude_from_auth=True)
    async def discover(self, email: Email) -> Response[SsoDiscovery]:
        """Whether the sign-in screen should offer "Continue with SSO" for this email."""
        answer = await service.discover(email)
        return Response(answer, headers={"Cache-Control": "no-store"})

    @get("/start", exclude_from_auth=True, status_code=302)
    async def start(
        self,
        request: Request[Any, Any, Any],
        email: Email,
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
    ) -> Redirect:
        """To the organization's provider (authorization code + PKCE); 404 when no organization
        signs this email's domain in with single sign-on."""
        address = visitor_hash(
            settings.key_for("login-throttle"), "sso", client_address(request.scope, settings)
        )
        await count_attempt(
            redis,
            f"chorus:rl:sso-start:{address}",
            STARTS_PER_ADDRESS_PER_MINUTE,
            60,
            "single sign-on attempts",
        )
        try:
            url, browser = await service.begin_sign_in(
                redis, email, redirect_uri(settings), outbound(settings)
            )
        except SignInFailed as failure:
            log.warning("single sign-on could not start: %s", failure)
            return _failed(failure.reason, settings)
        return Redirect(
            url,
            status_code=302,
            cookies=[_attempt_cookie(browser, settings, service.ATTEMPT_SECONDS)],
            headers={"Cache-Control": "no-store"},
        )

    @get("/callback", exclude_from_auth=True, status_code=302)
    async def callback(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
        tokens: NamedDependency[TokenIssuer],
        code: Code = "",
        attempt: State = "",
        error: Annotated[str, QueryParameter(max_length=200)] = "",
        iss: Annotated[str, QueryParameter(max_length=500)] = "",
    ) -> Redirect:
        """Where the provider sends the browser back: Home signed in, or `/signin?error=`."""
        if error:
            # the provider refused (the person cancelled, or is not assigned to the app)
            await service.forget_attempt(redis, attempt)
            return _failed("provider", settings)
        try:
            user_id, org_id = await service.finish_sign_in(
                redis,
                code=code,
                state=attempt,
                browser=request.cookies.get(ATTEMPT_COOKIE, ""),
                iss=iss,
                box=service.secret_box(settings.key_for("sso-secrets")),
                outbound=outbound(settings),
            )
        except SignInFailed as failure:
            log.warning("single sign-on refused (%s): %s", failure.reason, failure)
            return _failed(failure.reason, settings)
        return _signed_in(tokens.issue(user_id, org_id), settings)
