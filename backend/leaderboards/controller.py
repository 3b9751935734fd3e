"""HTTP for leaderboards."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl
from uuid import UUID

import msgspec
from litestar import Controller, MediaType, Request, Response, get
from litestar.params import QueryParameter
from litestar.security.jwt import Token
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.core.identity import CurrentUser
from backend.http.auth import TOKEN_COOKIE, bearer_of
from backend.leaderboards.schemas import TeamsBoard, UsersBoard
from backend.leaderboards.service import Boards

PeriodParam = Annotated[Literal["week", "month", "all", "lastWeek", "lastMonth"], QueryParameter()]


class LeaderboardsController(Controller):
    path = "/api/v1/leaderboards"
    tags = ["leaderboards"]

    @get("/users")
    async def users(
        self,
        request: Request[CurrentUser, Any, Any],
        period: PeriodParam = "week",
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 10,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
        team_id: Annotated[UUID | None, QueryParameter(name="teamId")] = None,
    ) -> Response[UsersBoard]:
        boards: Boards = request.app.state.boards
        board = await boards.users(
            request.user, period, limit=limit, offset=offset, team_id=team_id
        )
        # Encoded here: the most read answer of all skips the framework's generic rendering.
        return Response(msgspec.json.encode(board), media_type=MediaType.JSON)  # type: ignore[arg-type]

    @get("/teams")
    async def teams(
        self,
        request: Request[CurrentUser, Any, Any],
        period: PeriodParam = "week",
        metric: Annotated[Literal["total", "perCapita"], QueryParameter()] = "total",
    ) -> Response[TeamsBoard]:
        boards: Boards = request.app.state.boards
        board = await boards.teams(request.user, period, metric)
        # Encoded here, as the people's board is: the same bytes, without the generic rendering.
        return Response(msgspec.json.encode(board), media_type=MediaType.JSON)  # type: ignore[arg-type]


# -- the fast lane ------------------------------------------------------------------------------
# The boards are the most read answers of all, and served from memory: the framework's routing,
# dependency and response machinery cost more than the read itself. A plain, valid, signed-in
# read of `/api/v1/leaderboards/users` or `/teams` is answered here; anything else (another
# parameter, a value to refuse, a token not seen and verified before, no person behind it, an
# error) goes to the framework, which answers it as it always did.

_PERIODS = frozenset(("week", "month", "all", "lastWeek", "lastMonth"))
_METRICS = frozenset(("total", "perCapita"))
_DIGITS = re.compile(r"^[0-9]{1,7}$")
_JSON_HEADERS = [(b"content-type", b"application/json")]


class _Connection:
    """What `retrieve_user` reads of a connection: the app and the scope."""

    __slots__ = ("app", "scope")

    def __init__(self, scope: Any) -> None:
        self.scope = scope
        self.app = scope["app"]


def _token(scope: Any) -> str | None:
    """The request's credential, by the framework's rule: the Authorization header when there
    is one (a Bearer token, else None: the framework refuses it), else the session cookie."""
    cookie = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            return bearer_of(value.decode("latin-1")) or None
        if name == b"cookie" and cookie is None:
            cookie = value.decode("latin-1")
    if not cookie or TOKEN_COOKIE not in cookie:
        return None
    for part in cookie.split(";"):
        key, _, value = part.strip().partition("=")
        if key == TOKEN_COOKIE:
            return value or None
    return None


def _users_query(raw: bytes) -> dict[str, Any] | None:
    """period, limit, offset as the framework would read them, or None to let it decide."""
    found: dict[str, Any] = {"period": "week", "limit": 10, "offset": 0}
    seen: set[str] = set()
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if name in seen:
            return None
        seen.add(name)
        if name == "period" and value in _PERIODS:
            found["period"] = value
        elif name in ("limit", "offset") and _DIGITS.match(value):
            number = int(value)
            if (name == "limit" and not 1 <= number <= 100) or number > 1_000_000:
                return None
            found[name] = number
        else:
            return None  # teamId, an unknown parameter or a value to refuse: the framework
    return found


def _teams_query(raw: bytes) -> dict[str, Any] | None:
    found: dict[str, Any] = {"period": "week", "metric": "total"}
    seen: set[str] = set()
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if name in seen:
            return None
        seen.add(name)
        if name == "period" and value in _PERIODS:
            found["period"] = value
        elif name == "metric" and value in _METRICS:
            found["metric"] = value
        else:
            return None
    return found


async def _answer(
    http: Any,
    path: str,
    query: dict[str, Any],
    retrieve_user: Callable[[Token, Any], Awaitable[CurrentUser | None]],
    verified: Callable[[str], Token | None],
) -> bytes | None:
    """The board's bytes, or None when the framework should answer (see above)."""
    raw = _token(http)
    token = verified(raw) if raw else None
    if token is None:
        return None
    user = await retrieve_user(token, _Connection(http))
    if user is None:
        return None
    boards: Boards = http["app"].state.boards
    if path.endswith("/users"):
        board: Any = await boards.users(
            user, query["period"], limit=query["limit"], offset=query["offset"]
        )
    else:
        board = await boards.teams(user, query["period"], query["metric"])
    return msgspec.json.encode(board)


def board_reads_middleware(
    app: ASGIApp,
    retrieve_user: Callable[[Token, Any], Awaitable[CurrentUser | None]],
    verified: Callable[[str], Token | None],
) -> ASGIApp:
    """Answer plain board reads before the framework (see above); `verified` gives the token a
    string was already verified as (None: not seen, or expired), `retrieve_user` the person."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        http: Any = scope
        if http["type"] != "http" or http["method"] != "GET":
            await app(scope, receive, send)
            return
        path = http["path"]
        if path == "/api/v1/leaderboards/users":
            query = _users_query(http["query_string"])
        elif path == "/api/v1/leaderboards/teams":
            query = _teams_query(http["query_string"])
        else:
            query = None
        encoded = None
        if query is not None:
            # Any failure (PostgreSQL or Redis away while the session or the board is read):
            # the framework answers the request again, with its 503 and Retry-After.
            try:
                encoded = await _answer(http, path, query, retrieve_user, verified)
            except Exception:
                encoded = None
        if encoded is None:
            await app(scope, receive, send)
            return
        start: Any = {
            "type": "http.response.start",
            "status": 200,
            "headers": [*_JSON_HEADERS, (b"content-length", str(len(encoded)).encode())],
        }
        await send(start)
        body: Any = {"type": "http.response.body", "body": encoded}
        await send(body)

    return middleware
