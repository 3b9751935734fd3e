"""Idempotency-Key (IETF httpapi draft) on the API's unsafe requests: a retry never acts twice.

The invariant: for one caller and one key, a request runs at most once in 24 hours; a repeat
with the same method, path, query and body answers what the first one answered (status,
headers, body) and changes nothing, even when both arrive at once; the same key with another
request is 422. The caller is the signed-in person (whatever carried the session: a bearer
token or the cookie), or, for a request without one, a keyed hash of its address and
User-Agent, so no one's key ever replays someone else's answer.

How: the first request takes a Redis lock (`SET NX` with an expiry, so a process that dies
holding it frees it), runs, stores its answer (`chorus:idem:<caller>:<key hash>`, 24 h), then
drops the lock; a concurrent twin polls until the answer is there (or the lock is gone without
one, and then runs itself). Answers of 5xx (a retry may well succeed) and answers larger than
`MAX_STORED_BYTES` are not stored.

Applies to POST, PUT, PATCH and DELETE under /api/v1/ that carry the header. Of the sign-in
endpoints (`/api/v1/auth/*`) only the two that create something take part: sign-up (an
organization) and accepting an invite (an account); their replay carries the same token and
cookies as the first answer, which its own body already held. The others ignore the header:
signing in mints a fresh token each time and is counted by the sign-in throttle (a replay
would hand out a stored token past both), and signing out, password resets and single sign-on
create nothing. It runs inside Litestar, after the authentication middleware, so that the
caller is known and every refusal here is a problem detail.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from typing import Any

import msgspec
from litestar.exceptions import HTTPException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.i18n import msg
from backend.http.client import client_address
from backend.settings import Settings

HEADER = b"idempotency-key"
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PREFIX = "/api/v1/"
SIGN_IN_PREFIX = "/api/v1/auth/"
SIGN_IN_CREATES = frozenset({"/api/v1/auth/signup", "/api/v1/auth/accept-invite"})
MAX_KEY_LENGTH = 255
TTL_SECONDS = 24 * 3600
MAX_STORED_BYTES = 1_048_576
# The lock outlives any request this API serves (outbound fetches time out after seconds);
# a twin waits a little longer than that, then answers 409 "still in progress".
LOCK_SECONDS = 60
WAIT_SECONDS = LOCK_SECONDS + 5
REPLAYED_HEADER = b"idempotent-replayed"
# Recomputed (or set anew by the server) on replay.
_NOT_STORED = frozenset({b"content-length", b"date", b"server"})

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class StoredAnswer(msgspec.Struct, array_like=True, frozen=True):
    fingerprint: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def parse_key(raw: bytes) -> str | None:
    """The key a header value names (bare or as a structured-field string), or None when it is
    not 1-255 printable ASCII characters."""
    text = raw.decode("latin-1").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if 1 <= len(text) <= MAX_KEY_LENGTH and all(" " <= char <= "~" for char in text):
        return text
    return None


def _header(scope: Any, name: bytes) -> list[bytes]:
    return [bytes(value) for key, value in scope["headers"] if key == name]


def _settings(scope: Any) -> Settings:
    settings: Settings = scope["app"].state.settings
    return settings


def caller_of(scope: Any) -> str:
    """Whose keys these are: the signed-in person, else a keyed hash of the request's origin."""
    user_id = getattr(scope.get("user"), "id", None)
    if user_id is not None:
        return f"user:{user_id}"
    settings = _settings(scope)
    agent = b"".join(_header(scope, b"user-agent")).decode("latin-1")
    identity = f"{client_address(scope, settings)}\0{agent}".encode()
    digest = hmac.new(
        settings.key_for("idempotency").encode(), identity, hashlib.sha256
    ).hexdigest()
    return f"anon:{digest[:32]}"


def fingerprint(scope: Any, body: bytes) -> str:
    """What makes two requests "the same request": method, path, query, media type and body."""
    media = b"".join(_header(scope, b"content-type")).split(b";")[0].strip().lower()
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope["query_string"], media):
        digest.update(part + b"\0")
    digest.update(body)
    return digest.hexdigest()


def _body_limit(scope: Any) -> int:
    handler = scope.get("route_handler")
    limit = handler.resolve_request_max_body_size() if handler is not None else None
    return int(limit) if limit else _settings(scope).max_body_bytes


async def _read_body(scope: Any, receive: Receive) -> bytes | None:
    """The whole request body (None when the client went away), at most the route's limit."""
    limit = _body_limit(scope)
    announced = _header(scope, b"content-length")
    if announced and announced[0].isdigit() and int(announced[0]) > limit:
        raise RequestEntityTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Any = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise RequestEntityTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then the connection's own events."""
    delivered = False

    async def replay() -> Any:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class _Recorder:
    """Passes the answer on to the client and keeps a copy of it while it stays small."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.size = 0
        self.complete = False

    async def send(self, message: Message) -> None:
        event: Any = message
        if event["type"] == "http.response.start":
            self.status = int(event["status"])
            self.headers = [
                (bytes(name).lower(), bytes(value))
                for name, value in event.get("headers", [])
                if bytes(name).lower() not in _NOT_STORED
            ]
        elif event["type"] == "http.response.body":
            chunk = event.get("body", b"")
            self.size += len(chunk)
            if self.size <= MAX_STORED_BYTES:
                self.chunks.append(chunk)
            if not event.get("more_body", False):
                self.complete = True
        await self._send(message)

    def answer(self, fingerprint: str) -> StoredAnswer | None:
        """The answer to store, or None: unfinished, a server error, or too large."""
        if not self.complete or not 200 <= self.status < 500 or self.size > MAX_STORED_BYTES:
            return None
        return StoredAnswer(fingerprint, self.status, self.headers, b"".join(self.chunks))


async def _replay(answer: StoredAnswer, send: Send) -> None:
    headers = [*answer.headers, (REPLAYED_HEADER, b"true")]
    if answer.status not in (204, 304):  # answers that may carry no Content-Length
        headers.append((b"content-length", str(len(answer.body)).encode()))
    start: Any = {"type": "http.response.start", "status": answer.status, "headers": headers}
    await send(start)
    body: Any = {"type": "http.response.body", "body": answer.body, "more_body": False}
    await send(body)


def _mismatch() -> HTTPException:
    return HTTPException(
        status_code=422,
        detail=msg(  # type: ignore[arg-type]
            "This Idempotency-Key was already used for a different request; "
            "send a new key for a new request."
        ),
    )


def idempotency_middleware(app: ASGIApp) -> ASGIApp:
    """Litestar middleware honouring `Idempotency-Key` on unsafe /api/v1/ requests."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        raw: Any = scope
        if (
            raw["type"] != "http"
            or raw["method"] not in METHODS
            or not raw["path"].startswith(PREFIX)
            or (raw["path"].startswith(SIGN_IN_PREFIX) and raw["path"] not in SIGN_IN_CREATES)
        ):
            await app(scope, receive, send)
            return
        values = _header(raw, HEADER)
        if not values:
            await app(scope, receive, send)
            return
        key = parse_key(values[0]) if len(values) == 1 else None
        if key is None:
            raise HTTPException(
                status_code=400,
                detail=msg(  # type: ignore[arg-type]
                    "The Idempotency-Key header must be one value of 1 to 255 printable "
                    "ASCII characters (a UUID is a good key)."
                ),
            )
        body = await _read_body(raw, receive)
        if body is None:
            return  # the client left before it finished sending: nothing to do, no one to tell
        redis = raw["app"].state.redis
        fp = fingerprint(raw, body)
        name = f"chorus:idem:{caller_of(raw)}:{hashlib.sha256(key.encode()).hexdigest()[:40]}"
        lock = f"{name}:lock"
        mine = f"{secrets.token_hex(8)}:{fp}".encode()
        deadline = time.monotonic() + WAIT_SECONDS
        pause = 0.02
        while True:
            stored = await redis.get(name)
            if stored is not None:
                answer = msgspec.msgpack.decode(stored, type=StoredAnswer)
                if answer.fingerprint != fp:
                    raise _mismatch()
                await _replay(answer, send)
                return
            if await redis.set(lock, mine, nx=True, ex=LOCK_SECONDS):
                break
            holder = await redis.get(lock)
            if holder is not None and not bytes(holder).endswith(f":{fp}".encode()):
                raise _mismatch()
            if time.monotonic() > deadline:
                raise HTTPException(
                    status_code=409,
                    detail=msg(  # type: ignore[arg-type]
                        "A request with this Idempotency-Key is still being processed; "
                        "try again in a moment."
                    ),
                    headers={"Retry-After": "2"},
                )
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, 0.25)
        recorder = _Recorder(send)
        try:
            await app(scope, _replaying(body, receive), recorder.send)
            answer_to_keep = recorder.answer(fp)
            if answer_to_keep is not None:
                await redis.set(name, msgspec.msgpack.encode(answer_to_keep), ex=TTL_SECONDS)
        finally:
            # shielded: a client that hangs up mid-request must not leave its twin waiting
            await asyncio.shield(redis.eval(_RELEASE, 1, lock, mine))

    return middleware
