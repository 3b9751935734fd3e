"""HTTP for badges and their icons."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.static_files import create_static_files_router

from backend.badges import service, team_goals
from backend.badges.schemas import BadgeCreate, BadgeRead, BadgeUpdate
from backend.badges.team_goals import TeamGoalRead
from backend.core.errors import NotFound
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.http.auth import require_role
from backend.http.problems import request_language

ICONS_DIR = Path(__file__).parent / "icons"


class BadgesController(Controller):
    tags = ["badges"]

    @get("/api/v1/badges")
    async def list_badges(self, request: Request[CurrentUser, Any, Any]) -> list[BadgeRead]:
        return await service.list_for(request.user, request_language(request))

    @get("/api/v1/challenges/{challenge_id:uuid}/team-goal", tags=["challenges"])
    async def team_goal(
        self, request: Request[CurrentUser, Any, Any], challenge_id: FromPath[UUID]
    ) -> TeamGoalRead:
        """Each team's verified shares toward the challenge's collective target."""
        found = await team_goals.progress(request.user, challenge_id)
        if found is None:
            raise NotFound(msg("This challenge has no team goal."))
        return found

    @post("/api/v1/admin/badges", status_code=201, guards=[require_role("admin")])
    async def create(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[BadgeCreate]
    ) -> BadgeRead:
        return await service.create_badge(request.user, data)

    @patch("/api/v1/admin/badges/{badge_id:uuid}", guards=[require_role("admin")])
    async def update(
        self,
        request: Request[CurrentUser, Any, Any],
        badge_id: FromPath[UUID],
        data: JSONBody[BadgeUpdate],
    ) -> BadgeRead:
        return await service.update_badge(request.user, badge_id, data)

    @delete("/api/v1/admin/badges/{badge_id:uuid}", status_code=204, guards=[require_role("admin")])
    async def retire(
        self, request: Request[CurrentUser, Any, Any], badge_id: FromPath[UUID]
    ) -> None:
        await service.retire_badge(request.user, badge_id)


badge_icons = create_static_files_router(
    path="/badges/icons",
    directories=[ICONS_DIR],
    opt={"exclude_from_auth": True},
    include_in_schema=False,
    cache_control=None,
)
