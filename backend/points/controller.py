"""HTTP for levels: the curve everyone sees, and the admin's way to change it."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, put
from litestar.params import JSONBody

from backend.core.identity import CurrentUser
from backend.core.wire import Wire
from backend.http.auth import require_role
from backend.points import service

Threshold = Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]


class LevelsRead(Wire):
    thresholds: list[int]  # total points at which level 1, 2, 3, ... starts


class LevelsUpdate(Wire):
    # null goes back to the default curve
    thresholds: Annotated[list[Threshold], msgspec.Meta(min_length=2, max_length=50)] | None


class LevelsController(Controller):
    tags = ["levels"]

    @get("/api/v1/levels")
    async def levels(self, request: Request[CurrentUser, Any, Any]) -> LevelsRead:
        return LevelsRead(thresholds=await service.org_levels(request.user.org_id))

    @put("/api/v1/admin/levels", guards=[require_role("admin")])
    async def set_levels(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[LevelsUpdate]
    ) -> LevelsRead:
        thresholds = await service.set_org_levels(request.user.org_id, data.thresholds)
        return LevelsRead(thresholds=thresholds)
