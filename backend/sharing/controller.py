"""HTTP for share links, click counts and the `/s/{code}` redirect."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.core.identity import CurrentUser
from backend.http.auth import TOKEN_COOKIE, require_role
from backend.http.client import client_address
from backend.http.problems import request_language
from backend.settings import Settings
from backend.sharing import service
from backend.sharing.redirect import NOT_FOUND_CSP, NOT_FOUND_PAGE, Redirector
from backend.sharing.schemas import ClickCounts, ShareLinkCreate, ShareLinkRead

_CODE = re.compile(r"^[0-9A-Za-z]{8,16}$")


class ShareLinksController(Controller):
    path = "/api/v1/challenges"
    tags = ["sharing"]

    @post("/{challenge_id:uuid}/share-links", status_code=200)
    async def share_link(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        data: JSONBody[ShareLinkCreate],
        settings: NamedDependency[Settings],
    ) -> ShareLinkRead:
        return await service.share_link(
            request.user,
            challenge_id,
            data.network,
            settings.base_url,
            language=request_language(request),
        )


class ClickStatsController(Controller):
    path = "/api/v1/admin/challenges"
    tags = ["admin"]
    guards = [require_role("admin")]

    @get("/{challenge_id:uuid}/clicks")
    async def click_counts(
        self, request: Request[CurrentUser, Any, Any], challenge_id: FromPath[UUID]
    ) -> ClickCounts:
        return await service.click_counts(request.user.org_id, challenge_id)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _cookie(cookie_header: str | None, name: str) -> str | None:
    if not cookie_header or name not in cookie_header:
        return None
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    start: Any = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    end: Any = {"type": "http.response.body", "body": body}
    await send(end)


_TRACKED = re.compile(r"^/s/([^/]*)/?$")


def tracked_links_middleware(app: ASGIApp) -> ASGIApp:
    """`/s/<code>` answered before the framework: the most requested URL of all needs nothing
    of it. (Not a Litestar mount: a mount at /s matches any path starting "/s", /scim too.)"""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        http: Any = scope
        match = _TRACKED.match(http["path"]) if http["type"] == "http" else None
        if match is None:
            await app(scope, receive, send)
            return
        await follow_link(scope, send, match.group(1))

    return middleware


async def follow_link(scope: Scope, send: Send, code: str) -> None:
    """302 to the challenge's content with UTM parameters; the click is recorded on the side."""
    http_scope: Any = scope  # an HTTP scope: it has a method
    if http_scope["method"] not in ("GET", "HEAD"):
        await _send(send, 405, [(b"allow", b"GET, HEAD"), (b"content-length", b"0")], b"")
        return
    redirector: Redirector = scope["app"].state.redirector
    target = await redirector.target(code) if _CODE.match(code) else None
    if target is None:
        await _send(
            send,
            404,
            [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"cache-control", b"no-store"),
                (b"content-security-policy", NOT_FOUND_CSP.encode()),
                (b"content-length", str(len(NOT_FOUND_PAGE)).encode()),
            ],
            NOT_FOUND_PAGE,
        )
        return
    settings: Settings = scope["app"].state.settings
    await redirector.record(
        target,
        address=client_address(scope, settings),
        user_agent=_header(scope, b"user-agent") or "",
        session_token=_cookie(_header(scope, b"cookie"), TOKEN_COOKIE),
        referrer=_header(scope, b"referer"),
    )
    await _send(
        send,
        302,
        [
            (b"location", target.location),
            (b"cache-control", b"no-store"),
            (b"content-length", b"0"),
        ],
        b"",
    )
