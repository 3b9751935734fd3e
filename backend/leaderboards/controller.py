"""HTTP for leaderboards."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, MediaType, Request, Response, get
from litestar.params import QueryParameter

from backend.core.identity import CurrentUser
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
