"""The sign-in endpoints (`/api/v1/auth/*`) answer the app itself, never another site's page.

A browser names the page that sent a request in `Origin` (and, in modern ones, says in
`Sec-Fetch-Site` whether it is another site). An unsafe request to a sign-in endpoint whose
`Origin` is present and is neither the app's public origin (CHORUS_PUBLIC_URL) nor the host
the request was sent to, or whose `Sec-Fetch-Site` is `cross-site`, is 403: no other site can
sign a visitor in or out, or create accounts, through their browser (login CSRF). A request
without `Origin` (curl, a mobile client, a server) passes: the attack needs a browser, and
browsers send it. Safe methods pass too: the single sign-on start and callback are top-level
navigations from other sites by design.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.core.i18n import msg
from backend.settings import Settings

SIGN_IN_PREFIX = "/api/v1/auth/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _netloc(scheme: str, netloc: str) -> str:
    """host[:port] in lower case, without the scheme's default port."""
    netloc = netloc.strip().lower()
    default = _DEFAULT_PORTS.get(scheme.lower())
    if default and netloc.endswith(f":{default}"):
        netloc = netloc[: -len(default) - 1]
    return netloc


def _origin(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), _netloc(parts.scheme, parts.netloc)


def is_own_origin(origin: str, host: str, settings: Settings) -> bool:
    """`origin` is the app's public origin or the origin the request itself was sent to."""
    given = _origin(origin)
    if given is None:  # "null" (a sandboxed frame, a file) or garbage
        return False
    if given == _origin(settings.base_url):
        return True
    # the host the request came to, whatever scheme a proxy in front of us terminated
    return bool(host) and given[1] == _netloc(given[0], host) and given[0] in ("http", "https")


def same_origin_sign_in_middleware(app: ASGIApp) -> ASGIApp:
    """Litestar middleware: 403 for a cross-site unsafe request to a sign-in endpoint."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        raw: Any = scope
        if (
            raw["type"] == "http"
            and raw["method"] not in SAFE_METHODS
            and raw["path"].startswith(SIGN_IN_PREFIX)
        ):
            headers = {bytes(k): bytes(v).decode("latin-1") for k, v in raw["headers"]}
            settings: Settings = raw["app"].state.settings
            origin = headers.get(b"origin")
            cross_site = headers.get(b"sec-fetch-site", "").strip().lower() == "cross-site"
            if cross_site or (
                origin is not None and not is_own_origin(origin, headers.get(b"host", ""), settings)
            ):
                raise PermissionDeniedException(
                    detail=msg(  # type: ignore[arg-type]
                        "Sign-in requests are accepted from Chorus's own pages only; "
                        "this one came from another site."
                    )
                )
        await app(scope, receive, send)

    return middleware
