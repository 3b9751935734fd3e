"""HTTP for the team-lead dashboard, nudges, impact analytics and official links."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from redis.asyncio import Redis

from backend.analytics import (
    dashboard,
    engagement,
    impact,
    impact_csv,
    integrity,
    lessons,
    official_links,
    overview,
)
from backend.analytics.schemas import (
    AnalyticsRead,
    DashboardRead,
    EngagementRead,
    IntegrityRead,
    LessonAnalytics,
    NudgeCreate,
    NudgeRead,
    OfficialLinkCreate,
    OfficialLinkRead,
    Overview,
)
from backend.core.identity import CurrentUser
from backend.http.auth import require_role
from backend.notifications.push import enqueue_push
from backend.settings import Settings

FromDate = Annotated[
    date | None, QueryParameter(name="from", description="first day, org timezone")
]
ToDate = Annotated[date | None, QueryParameter(name="to", description="last day, included")]


class TeamDashboardController(Controller):
    path = "/api/v1/teams/{team_id:uuid}"
    tags = ["teams"]
    guards = [require_role("lead")]

    @get("/dashboard")
    async def dashboard(
        self,
        request: Request[CurrentUser, Any, Any],
        team_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        from_date: FromDate = None,
        to_date: ToDate = None,
    ) -> DashboardRead:
        return await dashboard.dashboard(
            request.user, team_id, from_date, to_date, settings.leaderboard_min_team_size
        )

    @post("/nudges", status_code=200)
    async def nudge(
        self,
        request: Request[CurrentUser, Any, Any],
        team_id: FromPath[UUID],
        data: JSONBody[NudgeCreate],
        redis: NamedDependency[Redis],
    ) -> NudgeRead:
        answer, to_push = await dashboard.nudge(request.user, team_id, data.user_ids)
        for notification_id in to_push:
            await enqueue_push(redis, notification_id)
        return answer


@get("/api/v1/admin/overview", tags=["admin"], guards=[require_role("admin")])
async def admin_overview(request: Request[CurrentUser, Any, Any]) -> Overview:
    """The console home: to review, open reports, pending invites, redemptions, active
    challenges, and this week's participation."""
    return await overview.admin_overview(request.user.org_id)


@get("/api/v1/lead/overview", tags=["teams"], guards=[require_role("lead")])
async def lead_overview(request: Request[CurrentUser, Any, Any]) -> Overview:
    """The same counts for the teams the caller leads."""
    return await overview.lead_overview(request.user)


class AnalyticsController(Controller):
    path = "/api/v1/admin"
    tags = ["analytics"]
    guards = [require_role("admin")]

    @get("/analytics")
    async def analytics(
        self,
        request: Request[CurrentUser, Any, Any],
        from_date: FromDate = None,
        to_date: ToDate = None,
    ) -> AnalyticsRead:
        return await impact.analytics(request.user.org_id, from_date, to_date)

    @get("/analytics/engagement")
    async def engagement_analytics(
        self,
        request: Request[CurrentUser, Any, Any],
        from_date: FromDate = None,
        to_date: ToDate = None,
    ) -> EngagementRead:
        """Public reactions and comments of verified shares per challenge, pillar and team, and
        the employee-vs-official engagement ratio (posts re-read after 24 h and 7 days)."""
        return await engagement.engagement(request.user.org_id, from_date, to_date)

    @get("/analytics/lessons")
    async def lesson_analytics(
        self,
        request: Request[CurrentUser, Any, Any],
        from_date: FromDate = None,
        to_date: ToDate = None,
    ) -> LessonAnalytics:
        """Lessons: per lesson the people who tried and passed its quiz out of those it is for,
        per team the lessons passed out of those open to its members."""
        return await lessons.lesson_analytics(request.user.org_id, from_date, to_date)

    @get("/integrity")
    async def integrity(
        self,
        request: Request[CurrentUser, Any, Any],
        from_date: FromDate = None,
        to_date: ToDate = None,
    ) -> IntegrityRead:
        """What the game set aside and who to look at: per challenge the clicks that did not
        count and why, people whose links drew many refused clicks, pairs trading kudos."""
        return await integrity.integrity(request.user.org_id, from_date, to_date)

    @get("/analytics/export.csv")
    async def export(
        self,
        request: Request[CurrentUser, Any, Any],
        from_date: FromDate = None,
        to_date: ToDate = None,
    ) -> Response[str]:
        report = await impact.analytics(request.user.org_id, from_date, to_date)
        engaged = await engagement.engagement(request.user.org_id, from_date, to_date)
        name = f"chorus-analytics-{report.from_date}-{report.to_date}.csv"
        return Response(
            impact_csv.analytics_csv(report, engaged),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    @post("/official-links", status_code=201)
    async def create_official_link(
        self,
        request: Request[CurrentUser, Any, Any],
        data: JSONBody[OfficialLinkCreate],
        settings: NamedDependency[Settings],
    ) -> OfficialLinkRead:
        return await official_links.create_official_link(request.user, data, settings.base_url)

    @get("/official-links")
    async def list_official_links(
        self, request: Request[CurrentUser, Any, Any], settings: NamedDependency[Settings]
    ) -> list[OfficialLinkRead]:
        return await official_links.list_official_links(request.user.org_id, settings.base_url)
