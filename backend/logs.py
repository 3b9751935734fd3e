"""Structured logs (one JSON object a line) carrying the request id of the request being served."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
from contextvars import ContextVar
from typing import Any

from litestar.types import ASGIApp, Receive, Send

from backend.http.client import served_over_https
from backend.settings import Settings, get_settings

_request_id: ContextVar[str | None] = ContextVar("chorus_request_id", default=None)
_VALID_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

access_log = logging.getLogger("chorus.access")

# On every answer, errors included.
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]

# For an HTML answer that brings no Content-Security-Policy of its own (the pages Chorus writes
# itself bring theirs: the PWA shell, the story pages, the tracked-link 404): no script, no
# frame, no form, nothing loaded from anywhere. Inline styles stay allowed: with every other
# source closed a style can reach nothing. The API reference (/schema, backend/apidocs.py) gets
# DOCS_CSP instead: its own scripts and styles (Swagger UI sets inline styles), the OpenAPI
# document fetched from this origin, nothing from anywhere else.
FALLBACK_CSP = (
    b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    b"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
DOCS_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    b"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_DOCS = re.compile(r"^/schema(/|$)")
# Paths that carry a secret (an office wall's URL, backend/walls/) are logged without it.
_SECRET_IN_PATH = re.compile(r"^(/wall/|/api/v1/walls/)[^/]+")
HSTS_HEADER = b"strict-transport-security"


def hsts_value(seconds: int) -> bytes:
    return f"max-age={seconds}; includeSubDomains".encode()


def current_request_id() -> str | None:
    return _request_id.get()


class JsonFormatter(logging.Formatter):
    _skip = frozenset(vars(logging.makeLogRecord({})).keys()) | {
        "message",
        "asctime",
        "color_message",  # uvicorn's ANSI-coloured copy of the message
    }

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            entry["requestId"] = request_id
        for key, value in vars(record).items():
            if key not in self._skip and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    _skip = JsonFormatter._skip

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{k}={v}" for k, v in vars(record).items() if k not in self._skip]
        if extras:
            line = f"{line} {' '.join(extras)}"
        request_id = current_request_id()
        return f"{line} [{request_id}]" if request_id else line


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.formatter.converter = time.gmtime  # type: ignore[union-attr]
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "arq.worker"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _settings_of(scope: Any) -> Settings:
    """The serving app's settings (tests run apps with different ones side by side)."""
    settings = getattr(getattr(scope.get("app"), "state", None), "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


def _needs_fallback_csp(headers: list[tuple[bytes, bytes]]) -> bool:
    names = {name.lower(): value for name, value in headers}
    return (
        names.get(b"content-type", b"").lower().startswith(b"text/html")
        and b"content-security-policy" not in names
    )


def _needs_no_store(headers: list[tuple[bytes, bytes]]) -> bool:
    """JSON answers are about someone (a profile, a board, a problem): no cache keeps them,
    unless the handler chose a policy itself."""
    names = {name.lower(): value for name, value in headers}
    media = names.get(b"content-type", b"").split(b";")[0].strip().lower()
    return (media == b"application/json" or media.endswith(b"+json")) and (
        b"cache-control" not in names
    )


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    """Per request: an id (kept from a sane X-Request-ID), security headers (HSTS over HTTPS),
    `Cache-Control: no-store` on JSON that set no policy, an access log line."""

    async def middleware(scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        settings = _settings_of(scope)
        hsts = (
            hsts_value(settings.hsts_seconds)
            if settings.hsts_seconds > 0 and served_over_https(scope, settings)
            else None
        )
        incoming = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = incoming if _VALID_INCOMING_ID.match(incoming) else secrets.token_hex(8)
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                present = {name.lower() for name, _ in headers}
                # a page may set a stricter Referrer-Policy of its own (the office wall does)
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if hsts is not None:
                    headers.append((HSTS_HEADER, hsts))
                if _needs_no_store(headers):
                    headers.append((b"cache-control", b"no-store"))
                if _needs_fallback_csp(headers):
                    csp = DOCS_CSP if _DOCS.match(scope["path"]) else FALLBACK_CSP
                    headers.append((b"content-security-policy", csp))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": _SECRET_IN_PATH.sub(r"\1…", scope["path"]),
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
            _request_id.reset(token)

    return middleware
