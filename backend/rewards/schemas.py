"""Wire types of the rewards catalogue, redemptions, the budget and raffles.

`stock` means two things on purpose: in the employee's catalogue (`RewardRead`) it is what is
left to redeem (null: unlimited); in the console (`AdminRewardRead`, `RewardCreate`,
`RewardUpdate`) it is how many units the reward has in all, and `remaining` is what is left.

Routes (lists are `Page` = `{items, nextCursor}` like GET /api/v1/challenges; `?limit=1..100`
(default 50) and `?cursor=` page on):
  GET  /api/v1/rewards                          Page[RewardRead]
  POST /api/v1/rewards/{id}/redemptions  {expectedCost?}  201 RedemptionRead; 409: short
       balance, stock or per-person limit, or the price is no longer expectedCost
  GET  /api/v1/me/redemptions                   Page[RedemptionRead], newest first
  GET  /api/v1/admin/rewards                    Page[AdminRewardRead], retired ones too
  POST /api/v1/admin/rewards  RewardCreate      201 AdminRewardRead
  PATCH /api/v1/admin/rewards/{id} RewardUpdate AdminRewardRead
  GET  /api/v1/admin/redemptions?status=        Page[AdminRedemptionRead]; requested: oldest first
  POST /api/v1/admin/redemptions/{id}/fulfil|reject  RedemptionDecision ({} or {note})
       → AdminRedemptionRead
  GET  /api/v1/admin/rewards/budget             Budget;  …/budget.csv the months as text/csv
  POST /api/v1/admin/raffles  RaffleCreate      201 RaffleRead;  GET /api/v1/admin/raffles Page
  POST /api/v1/admin/raffles/{id}/draw          RaffleRead (409 before periodEnd; again: same)
  GET  /api/v1/raffles/{id}                     RaffleRead (names of hidden people are null)
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.core.wire import Wire

RedemptionStatus = Literal["requested", "fulfilled", "rejected"]
RaffleStatus = Literal["open", "drawn"]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
Description = Annotated[str, msgspec.Meta(max_length=2000)]
ImageUrl = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
Cost = Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]
Stock = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
PerPersonLimit = Annotated[int, msgspec.Meta(ge=1, le=1_000)]
ValueCents = Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
TeamIds = Annotated[list[UUID], msgspec.Meta(max_length=500)]
Note = Annotated[str, msgspec.Meta(max_length=1000)]


# ---- the catalogue ------------------------------------------------------------------------


class RewardRead(Wire):
    """A reward as an employee sees it in the catalogue."""

    id: UUID
    name: str
    description: str
    image_url: str | None
    cost: int  # points
    stock: int | None  # units left to redeem; null: unlimited
    active: bool
    per_person_limit: int | None  # null: no limit
    starts_at: datetime | None
    ends_at: datetime | None
    my_redemptions: int  # the caller's redemptions of it that were not rejected


class AdminRewardRead(Wire):
    id: UUID
    name: str
    description: str
    image_url: str | None
    cost: int
    stock: int | None  # units in all; null: unlimited
    remaining: int | None  # stock - held - fulfilled; null: unlimited
    held: int  # requested, waiting for the admin
    fulfilled: int
    active: bool  # false: retired, hidden from the catalogue, not redeemable
    per_person_limit: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    team_ids: list[UUID]  # empty: open to everyone
    value_cents: int | None  # what one unit costs the company, for the budget
    created_at: datetime


class RewardCreate(Wire):
    name: Name
    cost: Cost
    description: Description = ""
    image_url: ImageUrl | None = None  # https only
    stock: Stock | None = None
    per_person_limit: PerPersonLimit | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    team_ids: TeamIds = msgspec.field(default_factory=list)
    value_cents: ValueCents | None = None


class RewardUpdate(Wire):
    """Any field; a field left out keeps its value, null clears the nullable ones.
    `active: false` retires the reward (requested redemptions stay for the admin to decide)."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    image_url: ImageUrl | msgspec.UnsetType | None = msgspec.UNSET
    cost: Cost | msgspec.UnsetType = msgspec.UNSET
    stock: Stock | msgspec.UnsetType | None = msgspec.UNSET
    per_person_limit: PerPersonLimit | msgspec.UnsetType | None = msgspec.UNSET
    starts_at: AwareDatetime | msgspec.UnsetType | None = msgspec.UNSET
    ends_at: AwareDatetime | msgspec.UnsetType | None = msgspec.UNSET
    team_ids: TeamIds | msgspec.UnsetType = msgspec.UNSET
    value_cents: ValueCents | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


# ---- redemptions --------------------------------------------------------------------------


class RedemptionCreate(Wire):
    """The body of a redemption: `{}`, or the price the person saw, so that a price changed
    in the meantime is a 409 instead of a surprise."""

    expected_cost: Cost | None = None


class RedemptionRead(Wire):
    id: UUID
    reward_id: UUID
    reward_name: str
    cost: int  # the points it held, at the price of the moment it was made
    status: RedemptionStatus
    note: str | None  # the admin's note (a voucher code, where to pick it up) once decided
    created_at: datetime
    decided_at: datetime | None


class AdminRedemptionRead(RedemptionRead):
    user_id: UUID
    user_name: str
    email: str
    team_id: UUID | None
    team_name: str | None


class RedemptionDecision(Wire):
    note: Note | None = None


# ---- budget -------------------------------------------------------------------------------


class BudgetMonth(Wire):
    month: str  # "2026-11", by when the redemption was made (UTC)
    points_spent: int  # fulfilled and held
    fulfilled: int  # redemptions fulfilled
    value_cents: int  # the money value of the fulfilled ones


class Budget(Wire):
    points_outstanding: int  # everyone's balance together: what could still be spent
    points_spent: int  # fulfilled + held
    points_held: int  # requested, not decided yet
    fulfilled: int
    months: list[BudgetMonth]  # newest first


# ---- raffles ------------------------------------------------------------------------------


class RaffleCreate(Wire):
    name: Name
    period_start: AwareDatetime
    period_end: AwareDatetime
    winners: Annotated[int, msgspec.Meta(ge=1, le=100)]
    points_per_ticket: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
    max_tickets_per_person: Annotated[int, msgspec.Meta(ge=1, le=10_000)]
    reward_id: UUID | None = None


class RaffleEntry(Wire):
    user_id: UUID
    name: str | None  # null for someone hidden from boards (they still hold their tickets)
    tickets: int


class RaffleWinner(Wire):
    position: int  # 1 = drawn first
    user_id: UUID
    name: str | None  # null for someone hidden from boards (the admin's list shows it)


class RaffleRead(Wire):
    id: UUID
    name: str
    period_start: datetime
    period_end: datetime
    winner_count: int  # how many winners the draw picks (fewer if fewer people hold tickets)
    points_per_ticket: int
    max_tickets_per_person: int
    reward_id: UUID | None
    reward_name: str | None
    status: RaffleStatus
    algorithm: str  # names the procedure in backend/rewards/raffles.py, e.g. "chorus-raffle-v1"
    seed_sha256: str  # published at creation: hex sha256 of the seed's bytes
    seed: str | None  # hex, revealed by the draw
    drawn_at: datetime | None
    entries: list[RaffleEntry]  # the frozen ticket list, userId ascending; empty before the draw
    winners: list[RaffleWinner]  # in draw order; empty before the draw
    created_at: datetime
