"""Serving the built PWA (pwa/dist) from the API process, in front of the routes.

Hashed assets are cached for a year (immutable); the shell, the service worker and the manifest
are revalidated on every load (no-cache + ETag), so a deploy reaches every phone on its next
start. Client-side routes answer index.html, but server paths never do. Files are read once at
start-up, with a gzip copy of each compressible one: the app is small and this is its hot path.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

from backend.http.paths import SERVER_PATHS

DEFAULT_DIST = Path(__file__).resolve().parent.parent / "pwa" / "dist"

# Everything the app loads comes from its own origin, except challenge preview images, which
# are the content sites' own (https only). No inline script or style anywhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
SHORT = "public, max-age=86400"
COMPRESSIBLE = {".js", ".css", ".html", ".svg", ".json", ".webmanifest", ".txt"}
TYPES = {
    ".webmanifest": "application/manifest+json",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
}


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gzipped: bytes | None
    content_type: str
    cache_control: str
    etag: str


def _cache_control(relative: str) -> str:
    if relative.startswith("assets/"):
        return IMMUTABLE  # Vite puts a content hash in every name under assets/
    if relative in ("index.html", "sw.js", "manifest.webmanifest") or relative.endswith(".html"):
        return REVALIDATE
    return SHORT


def load_dist(dist: Path) -> dict[str, StaticFile]:
    """Every file of the build, keyed by its URL path; empty when the app is not built."""
    files: dict[str, StaticFile] = {}
    if not (dist / "index.html").is_file():
        return files
    for path in sorted(dist.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(dist).as_posix()
        body = path.read_bytes()
        suffix = path.suffix.lower()
        content_type = TYPES.get(suffix) or mimetypes.guess_type(path.name)[0]
        zipped = gzip.compress(body, 9, mtime=0) if suffix in COMPRESSIBLE else None
        files["/" + relative] = StaticFile(
            body=body,
            gzipped=zipped if zipped is not None and len(zipped) < len(body) else None,
            content_type=content_type or "application/octet-stream",
            cache_control=_cache_control(relative),
            etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        )
    return files


def pwa_middleware(app: ASGIApp, dist: Path) -> ASGIApp:
    """Answer GET/HEAD for the app's files and client routes; pass everything else on."""
    files = load_dist(dist)
    if not files:
        return app  # not built: `/` keeps its placeholder page
    shell = files["/index.html"]

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        http: Any = scope
        if http["type"] != "http":
            await app(scope, receive, send)
            return
        path: str = http["path"]
        if http["method"] not in ("GET", "HEAD") or SERVER_PATHS.match(path):
            await app(scope, receive, send)
            return
        found = files.get(path)
        if found is None:
            last = path.rsplit("/", 1)[-1]
            if "." in last or path.startswith("/assets/"):
                await app(scope, receive, send)  # a missing file is a 404, not the shell
                return
            found = shell  # a client-side route
        await _answer(http, send, found)

    return middleware


async def _answer(scope: Any, send: Send, found: StaticFile) -> None:
    headers: dict[bytes, bytes] = dict(scope["headers"])
    response_headers = [
        (b"content-type", found.content_type.encode()),
        (b"cache-control", found.cache_control.encode()),
        (b"etag", found.etag.encode()),
        (b"vary", b"accept-encoding"),
    ]
    if found.content_type.startswith("text/html"):
        response_headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
    if found.etag.encode() in headers.get(b"if-none-match", b"").replace(b"W/", b""):
        start: Any = {"type": "http.response.start", "status": 304, "headers": response_headers}
        await send(start)
        end: Any = {"type": "http.response.body", "body": b""}
        await send(end)
        return
    body = found.body
    if found.gzipped is not None and b"gzip" in headers.get(b"accept-encoding", b""):
        body = found.gzipped
        response_headers.append((b"content-encoding", b"gzip"))
    response_headers.append((b"content-length", str(len(body)).encode()))
    start = {"type": "http.response.start", "status": 200, "headers": response_headers}
    await send(start)
    end = {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
    await send(end)
