"""HTTP for challenges and narrative pillars: guards, parsing, shaping; logic in service.py."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any
from uuid import UUID

from arq.connections import ArqRedis
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend import jobs
from backend.challenges import service
from backend.challenges.schemas import (
    ChallengeCreate,
    ChallengeRead,
    ChallengeUpdate,
    PillarCreate,
    PillarRead,
    PillarUpdate,
)
from backend.core import clock
from backend.core.identity import CurrentUser
from backend.core.wire import Page
from backend.http.auth import require_role

Cursor = Annotated[str | None, QueryParameter(max_length=512)]


async def enqueue_preview(redis: ArqRedis, challenge: ChallengeRead) -> None:
    """One preview fetch per challenge and content URL, however often this is asked."""
    if not challenge.content_url:
        return  # a story challenge: there is no page of ours to preview
    digest = hashlib.sha256(challenge.content_url.encode()).hexdigest()[:16]
    await jobs.enqueue(redis, jobs.fetch_content_preview(challenge.id, digest))


class ChallengesController(Controller):
    path = "/api/v1/challenges"
    tags = ["challenges"]

    @get("")
    async def list_open(
        self,
        request: Request[CurrentUser, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    ) -> Page[ChallengeRead]:
        items = await service.list_open(request.user, limit=limit)
        return Page[ChallengeRead](items=items, next_cursor=None)

    @get("/{challenge_id:uuid}")
    async def get_one(
        self, request: Request[CurrentUser, Any, Any], challenge_id: FromPath[UUID]
    ) -> ChallengeRead:
        return await service.get_for_member(request.user, challenge_id)


@get("/api/v1/pillars", tags=["challenges"])
async def list_pillars(request: Request[CurrentUser, Any, Any]) -> list[PillarRead]:
    """The organization's narrative: its key messages, for everyone in it."""
    return await service.list_pillars(request.user.org_id)


class AdminChallengesController(Controller):
    path = "/api/v1/admin/challenges"
    tags = ["admin"]
    guards = [require_role("admin")]

    @post("", status_code=201)
    async def create(
        self,
        request: Request[CurrentUser, Any, Any],
        data: JSONBody[ChallengeCreate],
        redis: NamedDependency[ArqRedis],
    ) -> ChallengeRead:
        challenge = await service.create_challenge(request.user, data)
        await enqueue_preview(redis, challenge)
        return challenge

    @get("")
    async def list_all(
        self,
        request: Request[CurrentUser, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        cursor: Cursor = None,
    ) -> Page[ChallengeRead]:
        return await service.list_for_admin(request.user.org_id, limit=limit, cursor=cursor)

    @get("/{challenge_id:uuid}")
    async def get_one(
        self, request: Request[CurrentUser, Any, Any], challenge_id: FromPath[UUID]
    ) -> ChallengeRead:
        return await service.get_for_admin(request.user.org_id, challenge_id)

    @patch("/{challenge_id:uuid}")
    async def update(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        data: JSONBody[ChallengeUpdate],
        redis: NamedDependency[ArqRedis],
    ) -> ChallengeRead:
        challenge, content_changed = await service.update_challenge(
            request.user, challenge_id, data
        )
        if content_changed:
            await enqueue_preview(redis, challenge)
        return challenge

    @post("/{challenge_id:uuid}/publish", status_code=200)
    async def publish(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        redis: NamedDependency[ArqRedis],
    ) -> ChallengeRead:
        challenge = await service.publish(request.user, challenge_id)
        # Told when it opens: now, or at its start if scheduled. Once per challenge.
        await jobs.enqueue(
            redis,
            jobs.announce_challenge(challenge.id),
            defer_until=challenge.starts_at if challenge.starts_at > clock.now() else None,
        )
        return challenge

    @post("/{challenge_id:uuid}/unpublish", status_code=200)
    async def unpublish(
        self, request: Request[CurrentUser, Any, Any], challenge_id: FromPath[UUID]
    ) -> ChallengeRead:
        return await service.unpublish(request.user, challenge_id)

    @post("/{challenge_id:uuid}/archive", status_code=200)
    async def archive(
        self, request: Request[CurrentUser, Any, Any], challenge_id: FromPath[UUID]
    ) -> ChallengeRead:
        return await service.archive(request.user, challenge_id)


class AdminPillarsController(Controller):
    path = "/api/v1/admin/pillars"
    tags = ["admin"]
    guards = [require_role("admin")]

    @post("", status_code=201)
    async def create(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[PillarCreate]
    ) -> PillarRead:
        return await service.create_pillar(request.user, data)

    @patch("/{pillar_id:uuid}")
    async def update(
        self,
        request: Request[CurrentUser, Any, Any],
        pillar_id: FromPath[UUID],
        data: JSONBody[PillarUpdate],
    ) -> PillarRead:
        return await service.update_pillar(request.user, pillar_id, data)

    @delete("/{pillar_id:uuid}", status_code=204)
    async def remove(
        self, request: Request[CurrentUser, Any, Any], pillar_id: FromPath[UUID]
    ) -> None:
        await service.delete_pillar(request.user, pillar_id)
