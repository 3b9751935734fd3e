"""HTTP for the caller's own profile: read it, change it, list their shares, download everything
held about it."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch
from litestar.params import JSONBody, QueryParameter

from backend.core.identity import CurrentUser
from backend.core.wire import Page
from backend.orgs import privacy
from backend.orgs import service as orgs_service
from backend.orgs.schemas import MeUpdate
from backend.profile import service
from backend.profile.schemas import MeRead, MyPoints
from backend.submissions import claiming
from backend.submissions.schemas import SubmissionRead


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["accounts"]

    @get("")
    async def me(self, request: Request[CurrentUser, Any, Any]) -> MeRead:
        return await service.me(request.user)

    @get("/submissions")
    async def my_submissions(
        self,
        request: Request[CurrentUser, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        cursor: Annotated[str | None, QueryParameter(max_length=512)] = None,
    ) -> Page[SubmissionRead]:
        """The caller's own shares, every try of each, newest first (the app's "My shares")."""
        return await claiming.my_submissions(request.user, limit=limit, cursor=cursor)

    @get("/points")
    async def my_points(
        self,
        request: Request[CurrentUser, Any, Any],
        days: Annotated[int, QueryParameter(ge=1, le=366)] = 90,
    ) -> MyPoints:
        """The caller's points per day over the last `days` days, in their time zone."""
        return await service.my_points(request.user, days)

    @get("/export")
    async def export(self, request: Request[CurrentUser, Any, Any]) -> Response[dict[str, Any]]:
        """Everything Chorus holds about the caller, as one JSON document to download."""
        return Response(
            await privacy.export(request.user),
            headers={
                "Content-Disposition": 'attachment; filename="my-chorus-data.json"',
                "Cache-Control": "no-store",
            },
        )

    @patch("")
    async def update_me(
        self,
        request: Request[CurrentUser, Any, Any],
        data: JSONBody[MeUpdate],
    ) -> MeRead:
        await orgs_service.update_me(request.user, data)
        return await service.me(request.user)
