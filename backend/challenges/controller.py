"""HTTP for challenges and narrative pillars: guards, parsing, shaping; logic in service.py."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any
from uuid import UUID

from arq.connections import ArqRedis
from litestar import Controller, MediaType, Request, Response, delete, get, patch, post
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
    Status,
)
from backend.core import clock
from backend.core.identity import CurrentUser
from backend.core.wire import Page
from backend.http.auth import require_role

Cursor = Annotated[str | None, QueryParameter(max_length=512)]


async def enqueue_preview(
    redis: ArqRedis, challenge: ChallengeRead, *, retry: bool = False
) -> None:
    """One preview fetch per challenge and content URL, however often this is asked (an
    admin's retry is one more: its job id carries the moment it was asked)."""
    if not challenge.content_url:
        return  # a story challenge: there is no page of ours to preview
    key = challenge.content_url + (f"#retry:{clock.now().isoformat()}" if retry else "")
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    await jobs.enqueue(redis, jobs.fetch_content_preview(challenge.id, digest))


class ChallengesController(Controller):
    path = "/api/v1/challenges"
    tags = ["challenges"]

    @get("")
    async def list_open(
        self,
        request: Request[CurrentUser, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    ) -> Response[Page[ChallengeRead]]:
        # Encoded by the service, from memory while pub/sub keeps it fresh: the employee's
        # most read answer skips the framework's generic rendering.
        encoded = await service.list_open_json(
            request.user, limit=limit, memory=request.app.state.open_challenges
        )
        return Response(encoded, media_type=MediaType.JSON)  # type: ignore[arg-type]

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
        search: Annotated[str, QueryParameter(name="query", max_length=200)] = "",
        status: Annotated[Status | None, QueryParameter()] = None,
    ) -> Page[ChallengeRead]:
        """Newest first: `query` finds a title containing it (any case), `status` filters;
        each row carries its `submissionCounts` and `previewStatus`."""
        return await service.list_for_admin(
            request.user.org_id, limit=limit, cursor=cursor, query=search, status=status
        )

    @get("/{challenge_id:uuid}")
    async def get_one(
        self, request: Request[CurrentUser, Any, Any], challenge_id: FromPath[UUID]
    ) -> ChallengeRead:
        return await service.get_for_admin(request.user.org_id, challenge_id)

    @post("/{challenge_id:uuid}/preview", status_code=202)
    async def refetch_preview(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        redis: NamedDependency[ArqRedis],
    ) -> ChallengeRead:
        """Fetch the article's preview again (after a failure, or a changed page): the
        challenge answers with `previewStatus: "pending"` until the job stores the result."""
        challenge = await service.retry_preview(request.user.org_id, challenge_id)
        await enqueue_preview(redis, challenge, retry=True)
        return challenge

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
