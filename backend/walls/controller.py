"""HTTP for office walls: the admin's walls at /api/v1/admin/walls, and what a wall's screen
reads without signing in, at /api/v1/walls/<secret> (its data) and …/events (live nudges).

The secret in the path is the only credential: an unknown, malformed or revoked one is the same
404, and every address is rate limited, like the other public endpoints.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, PathParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from redis.asyncio import Redis

from backend.core.errors import NotFound
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.core.tokens import visitor_hash
from backend.http.auth import require_role
from backend.http.client import client_address
from backend.leaderboards.service import Boards
from backend.ratelimit import count_attempt
from backend.settings import Settings
from backend.walls import service
from backend.walls.schemas import WallCreate, WallData, WallIssued, WallRead
from backend.walls.stream import RECHECK, WallHub

# A wall reads its data at most about once a second (on live nudges); a few walls may share an
# office's address.
REQUESTS_PER_ADDRESS_PER_MINUTE = 300
LIVE_CHECK_SECONDS = 5.0  # an open stream asks this often whether its wall was revoked
HEARTBEAT_SECONDS = 15.0

Secret = Annotated[str, PathParameter(max_length=64)]


async def limit_address(request: Request[Any, Any, Any], settings: Settings, redis: Redis) -> None:
    """429 past REQUESTS_PER_ADDRESS_PER_MINUTE wall requests from one address."""
    await count_wall_request(request.scope, settings, redis)


async def count_wall_request(scope: Any, settings: Settings, redis: Redis) -> None:
    address = visitor_hash(settings.key_for("walls"), "wall", client_address(scope, settings))
    await count_attempt(
        redis,
        f"chorus:rl:wall:{address}",
        REQUESTS_PER_ADDRESS_PER_MINUTE,
        60,
        "wall requests from this address",
    )


async def live_wall(secret: str, settings: Settings) -> service.LiveWall:
    wall = await service.wall_of_secret(secret, settings.key_for("walls"))
    if wall is None:
        raise NotFound(msg("No such wall: it may have been revoked."))
    return wall


class WallsAdminController(Controller):
    path = "/api/v1/admin/walls"
    tags = ["walls"]
    guards = [require_role("admin")]

    @post("", status_code=201)
    async def create_wall(
        self,
        request: Request[CurrentUser, Any, Any],
        data: JSONBody[WallCreate],
        settings: NamedDependency[Settings],
    ) -> Response[WallIssued]:
        """A secret URL for an office screen; it is in this answer only."""
        issued = await service.create_wall(
            request.user, data, base_url=settings.base_url, key=settings.key_for("walls")
        )
        return Response(issued, status_code=201, headers={"Cache-Control": "no-store"})

    @get("")
    async def list_walls(self, request: Request[CurrentUser, Any, Any]) -> list[WallRead]:
        """The organization's walls, revoked ones too, without their URLs."""
        return await service.list_walls(request.user.org_id)

    @delete("/{wall_id:uuid}", status_code=204)
    async def revoke_wall(
        self, request: Request[CurrentUser, Any, Any], wall_id: FromPath[UUID]
    ) -> None:
        """The wall stops within seconds: its data is 404 and its live stream ends."""
        await service.revoke_wall(request.user.org_id, wall_id)
        hub: WallHub = request.app.state.walls
        hub.revoked(wall_id)


class WallsController(Controller):
    path = "/api/v1/walls"
    tags = ["walls"]

    @get("/{secret:str}", exclude_from_auth=True)
    async def wall(
        self,
        request: Request[Any, Any, Any],
        secret: Secret,
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
    ) -> Response[WallData]:
        """What the wall shows (no sign-in: the secret is the credential)."""
        await limit_address(request, settings, redis)
        wall = await live_wall(secret, settings)
        boards: Boards = request.app.state.boards
        data = await service.wall_data(wall, boards, settings.key_for("walls"))
        return Response(data, headers={"Cache-Control": "no-store"})

    @get("/{secret:str}/events", exclude_from_auth=True)
    async def events(
        self,
        request: Request[Any, Any, Any],
        secret: Secret,
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
    ) -> ServerSentEvent:
        """Server-sent nudges: `leaderboard` (a board moved) and `share` (a submission was
        decided): read the wall's data again. `revoked` and the end of the stream: stop."""
        await limit_address(request, settings, redis)
        wall = await live_wall(secret, settings)
        hub: WallHub = request.app.state.walls

        async def stream() -> AsyncGenerator[ServerSentEventMessage, None]:
            client = hub.connect(wall.org_id, wall.id)
            loop = asyncio.get_running_loop()
            last_sent = next_check = loop.time()
            try:
                yield ServerSentEventMessage(event="ready", data="{}", retry=2000)
                while True:
                    next_check = min(next_check, loop.time() + LIVE_CHECK_SECONDS)
                    try:
                        event = await asyncio.wait_for(
                            client.queue.get(), max(next_check - loop.time(), 0.0)
                        )
                    except TimeoutError:
                        event = RECHECK
                    if event == RECHECK or loop.time() >= next_check:
                        next_check = loop.time() + LIVE_CHECK_SECONDS
                        if not await service.is_live(wall.id):
                            yield ServerSentEventMessage(event="revoked", data="{}")
                            return
                    if event == RECHECK:
                        if loop.time() - last_sent >= HEARTBEAT_SECONDS:
                            last_sent = loop.time()
                            yield ServerSentEventMessage(comment="keep-alive")
                        continue
                    last_sent = loop.time()
                    yield ServerSentEventMessage(event=event, data=json.dumps({}))
            finally:
                hub.disconnect(client)

        return ServerSentEvent(
            stream(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )


__all__ = ["WallsAdminController", "WallsController", "count_wall_request"]
