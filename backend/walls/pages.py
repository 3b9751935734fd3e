"""The office wall's page, `/wall/<secret>`: the built wall entry of the PWA (pwa/wall.html),
answered before routing, without a session, only for a live wall's secret.

Anything else under /wall — a mistyped, unknown or revoked secret — gets the same HTML "this
link doesn't lead anywhere" page as any other dead link. The secret must not travel further
than the screen: no cache keeps the page (`no-store`), no request from it names the page in a
Referer (`no-referrer`), and search engines are told to forget it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

from backend.core.errors import TooManyRequests
from backend.pwa import CONTENT_SECURITY_POLICY
from backend.settings import Settings
from backend.sharing.redirect import NOT_FOUND_CSP, NOT_FOUND_PAGE
from backend.walls import service
from backend.walls.controller import count_wall_request

_PAGE = re.compile(r"^/wall(/.*)?$")
_SECRET = re.compile(r"^/wall/([^/]+)/?$")

NOT_BUILT = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Chorus wall</title>'
    b"</head><body><p>The wall page is not built: run <code>npm run build</code> in pwa/."
    b"</p></body></html>"
)
_PRIVATE = [
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-robots-tag", b"noindex, nofollow"),
]


def wall_pages_middleware(app: ASGIApp, dist: Path) -> ASGIApp:
    """GET/HEAD under /wall: the wall page for a live wall's secret, else the dead-link page."""
    built = dist / "wall.html"
    page = built.read_bytes() if built.is_file() else NOT_BUILT

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        http: Any = scope
        if (
            http["type"] != "http"
            or http["method"] not in ("GET", "HEAD")
            or not _PAGE.match(http["path"])
        ):
            await app(scope, receive, send)
            return
        settings: Settings = http["app"].state.settings
        found = _SECRET.match(http["path"])
        try:
            await count_wall_request(scope, settings, http["app"].state.redis)
        except TooManyRequests as exc:
            body = exc.detail.encode()
            headers = [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"retry-after", exc.headers.get("Retry-After", "60").encode()),
            ]
            await _answer(http, send, 429, headers + _PRIVATE, body)
            return
        wall = (
            await service.wall_of_secret(found.group(1), settings.key_for("walls"))
            if found
            else None
        )
        if wall is None:
            headers = [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-security-policy", NOT_FOUND_CSP.encode()),
            ]
            await _answer(http, send, 404, headers + _PRIVATE, NOT_FOUND_PAGE)
            return
        headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        ]
        await _answer(http, send, 200, headers + _PRIVATE, page)

    return middleware


async def _answer(
    scope: Any, send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    start: Any = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    end: Any = {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
    await send(end)
