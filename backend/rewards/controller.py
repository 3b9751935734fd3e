"""HTTP for rewards: the catalogue and redemptions for everyone; the catalogue's editing, the
redemption queue, the budget and raffles for admins."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from redis.asyncio import Redis

from backend.core.identity import CurrentUser
from backend.core.wire import Page
from backend.http.auth import require_role
from backend.rewards import raffles, service
from backend.rewards.schemas import (
    AdminRedemptionRead,
    AdminRewardRead,
    Budget,
    RaffleCreate,
    RaffleRead,
    RedemptionCreate,
    RedemptionDecision,
    RedemptionRead,
    RedemptionStatus,
    RewardCreate,
    RewardRead,
    RewardUpdate,
)

Cursor = Annotated[str | None, QueryParameter(max_length=200)]
Limit = Annotated[int, QueryParameter(ge=1, le=100)]


class RewardsController(Controller):
    path = "/api/v1"
    tags = ["rewards"]

    @get("/rewards")
    async def catalogue(
        self, request: Request[CurrentUser, Any, Any], limit: Limit = 50, cursor: Cursor = None
    ) -> Page[RewardRead]:
        """What the caller can redeem now: active, in its window, open to their team."""
        return await service.catalogue(request.user, limit=limit, cursor=cursor)

    @post("/rewards/{reward_id:uuid}/redemptions", status_code=201)
    async def redeem(
        self,
        request: Request[CurrentUser, Any, Any],
        reward_id: FromPath[UUID],
        data: JSONBody[RedemptionCreate],
    ) -> RedemptionRead:
        """Hold the points and one unit at once (body `{}`, or `{expectedCost}`); 409 when the
        balance or the stock is short, the per-person limit is reached, or the price changed."""
        return await service.redeem(request.user, reward_id, expected_cost=data.expected_cost)

    @get("/me/redemptions")
    async def mine(
        self, request: Request[CurrentUser, Any, Any], limit: Limit = 50, cursor: Cursor = None
    ) -> Page[RedemptionRead]:
        return await service.my_redemptions(request.user, limit=limit, cursor=cursor)

    @get("/raffles/{raffle_id:uuid}")
    async def raffle(
        self, request: Request[CurrentUser, Any, Any], raffle_id: FromPath[UUID]
    ) -> RaffleRead:
        """A raffle as anyone in the organization may audit it: the committed seed's hash, and
        once drawn the seed, the ticket list and the winners."""
        return await raffles.get_raffle(request.user.org_id, raffle_id, admin=False)


class AdminRewardsController(Controller):
    path = "/api/v1/admin"
    tags = ["rewards"]
    guards = [require_role("admin")]

    @get("/rewards")
    async def list_rewards(
        self, request: Request[CurrentUser, Any, Any], limit: Limit = 50, cursor: Cursor = None
    ) -> Page[AdminRewardRead]:
        return await service.list_for_admin(request.user.org_id, limit=limit, cursor=cursor)

    @post("/rewards", status_code=201)
    async def create_reward(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[RewardCreate]
    ) -> AdminRewardRead:
        return await service.create_reward(request.user, data)

    @patch("/rewards/{reward_id:uuid}")
    async def update_reward(
        self,
        request: Request[CurrentUser, Any, Any],
        reward_id: FromPath[UUID],
        data: JSONBody[RewardUpdate],
    ) -> AdminRewardRead:
        """Any field; `active: false` retires it; the stock never below what is promised."""
        return await service.update_reward(request.user, reward_id, data)

    @get("/rewards/budget")
    async def budget(self, request: Request[CurrentUser, Any, Any]) -> Budget:
        return await service.budget(request.user.org_id)

    @get("/rewards/budget.csv")
    async def budget_csv(self, request: Request[CurrentUser, Any, Any]) -> Response[str]:
        report = await service.budget(request.user.org_id)
        return Response(
            service.budget_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="chorus-rewards-budget.csv"',
                "Cache-Control": "no-store",
            },
        )

    @get("/redemptions")
    async def queue(
        self,
        request: Request[CurrentUser, Any, Any],
        status: Annotated[RedemptionStatus | None, QueryParameter()] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[AdminRedemptionRead]:
        """`status=requested`: the queue, oldest first; decided ones or all: newest first."""
        return await service.queue(request.user.org_id, status=status, limit=limit, cursor=cursor)

    @post("/redemptions/{redemption_id:uuid}/fulfil", status_code=200)
    async def fulfil(
        self,
        request: Request[CurrentUser, Any, Any],
        redemption_id: FromPath[UUID],
        redis: NamedDependency[Redis],
        data: JSONBody[RedemptionDecision],
    ) -> AdminRedemptionRead:
        """Hand it out (the note: a voucher code, where to pick it up); the person is told."""
        return await service.decide(request.user, redemption_id, "fulfilled", data, redis)

    @post("/redemptions/{redemption_id:uuid}/reject", status_code=200)
    async def reject(
        self,
        request: Request[CurrentUser, Any, Any],
        redemption_id: FromPath[UUID],
        redis: NamedDependency[Redis],
        data: JSONBody[RedemptionDecision],
    ) -> AdminRedemptionRead:
        """The points and the unit come back; the person is told."""
        return await service.decide(request.user, redemption_id, "rejected", data, redis)

    @get("/raffles")
    async def list_raffles(
        self, request: Request[CurrentUser, Any, Any], limit: Limit = 50, cursor: Cursor = None
    ) -> Page[RaffleRead]:
        return await raffles.list_raffles(request.user.org_id, limit=limit, cursor=cursor)

    @post("/raffles", status_code=201)
    async def create_raffle(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[RaffleCreate]
    ) -> RaffleRead:
        """Commits the seed now: `seedSha256` is published, the seed stays secret till drawn."""
        return await raffles.create_raffle(request.user, data)

    @get("/raffles/{raffle_id:uuid}")
    async def raffle(
        self, request: Request[CurrentUser, Any, Any], raffle_id: FromPath[UUID]
    ) -> RaffleRead:
        return await raffles.get_raffle(request.user.org_id, raffle_id, admin=True)

    @post("/raffles/{raffle_id:uuid}/draw", status_code=200)
    async def draw(
        self, request: Request[CurrentUser, Any, Any], raffle_id: FromPath[UUID]
    ) -> RaffleRead:
        """Only after the period ended (409 before); drawing again answers the same result."""
        return await raffles.draw(request.user, raffle_id)
