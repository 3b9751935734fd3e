"""HTTP for challenges and narrative pillars: guards, parsing, shaping; logic in service.py."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any
from uuid import UUID

from arq.connections import ArqRedis
from litestar import Controller, MediaType, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from backend import jobs
from backend.challenges import media, quiz, service
from backend.challenges.schemas import (
    ChallengeCreate,
    ChallengeEdit,
    ChallengeMedia,
    ChallengeRead,
    ChallengeUpdate,
    PillarCreate,
    PillarRead,
    PillarUpdate,
    QuizAttempt,
    QuizResult,
    Status,
)
from backend.core import clock
from backend.core.identity import CurrentUser
from backend.core.wire import Page
from backend.http.auth import require_role
from backend.http.problems import request_language
from backend.settings import Settings
from backend.storage import store_for

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
        # most read answer skips the framework's generic rendering. In the reader's language
        # where a challenge has it (their choice, else Accept-Language, else the org's).
        encoded = await service.list_open_json(
            request.user,
            limit=limit,
            memory=request.app.state.open_challenges,
            language=request_language(request),
        )
        return Response(encoded, media_type=MediaType.JSON)  # type: ignore[arg-type]

    @get("/{challenge_id:uuid}")
    async def get_one(
        self, request: Request[CurrentUser, Any, Any], challenge_id: FromPath[UUID]
    ) -> ChallengeRead:
        return await service.get_for_member(
            request.user, challenge_id, language=request_language(request)
        )

    @post("/{challenge_id:uuid}/quiz", status_code=200)
    async def take_quiz(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        data: JSONBody[QuizAttempt],
        redis: NamedDependency[ArqRedis],
    ) -> QuizResult:
        """Answer a lesson's quiz (one option index per question, in order): graded here, the
        lesson's points paid on the first pass; retries are allowed, ten an hour."""
        return await quiz.take_quiz(request.user, challenge_id, data.answers, redis)


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
    ) -> ChallengeEdit:
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
    ) -> ChallengeEdit:
        return await service.get_for_admin(request.user.org_id, challenge_id)

    @post("/{challenge_id:uuid}/preview", status_code=202)
    async def refetch_preview(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        redis: NamedDependency[ArqRedis],
    ) -> ChallengeEdit:
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
    ) -> ChallengeEdit:
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
    ) -> ChallengeEdit:
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
    ) -> ChallengeEdit:
        return await service.unpublish(request.user, challenge_id)

    @post("/{challenge_id:uuid}/archive", status_code=200)
    async def archive(
        self, request: Request[CurrentUser, Any, Any], challenge_id: FromPath[UUID]
    ) -> ChallengeEdit:
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


class AdminChallengeMediaController(Controller):
    """Media on challenges (backend/challenges/media.py): the file is the request body."""

    path = "/api/v1/admin/challenges/{challenge_id:uuid}/media"
    tags = ["admin"]
    guards = [require_role("admin")]

    @post(
        "",
        status_code=201,
        request_max_body_size=media.MAX_BYTES,
        description=(
            "The file as the request body: image/jpeg, image/png, image/webp or video/mp4, at "
            "most 25 MB (413 above, refused while it streams). The type is judged by the "
            "content: a file that is none of these is 415, a broken or truncated one 422. "
            "Images are re-encoded without metadata; videos are kept as uploaded. At most "
            f"{media.MAX_PER_CHALLENGE} a challenge (409)."
        ),
    )
    async def upload(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        settings: NamedDependency[Settings],
    ) -> ChallengeMedia:
        # before a byte of the body is read: whose challenge (404), room (409), declared type (415)
        await media.check_room(request.user.org_id, challenge_id)
        declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
        media.check_declared(declared)
        chunks = [chunk async for chunk in request.stream()]  # Litestar stops it past 25 MB
        return await media.upload(
            request.user, challenge_id, b"".join(chunks), declared, store_for(settings)
        )

    @delete("/{media_id:uuid}", status_code=204)
    async def remove(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        media_id: FromPath[UUID],
        settings: NamedDependency[Settings],
    ) -> None:
        await media.delete(request.user, challenge_id, media_id, store_for(settings))


class ChallengeMediaController(Controller):
    path = "/api/v1/challenges/{challenge_id:uuid}/media"
    tags = ["challenges"]

    @get(
        "/{media_id:uuid}",
        description=(
            "The medium's bytes, to whoever may see its challenge (else 404). One range of "
            "bytes on request (206 with Content-Range; 416 past the end). Its URL never serves "
            "other bytes: cached for a year."
        ),
    )
    async def file(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        media_id: FromPath[UUID],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        found = await media.file_for(request.user, challenge_id, media_id)
        etag = f'"{media_id.hex}"'
        headers = {
            # private: who may see it is asked by the server; immutable: an id names one file
            "Cache-Control": "private, max-age=31536000, immutable",
            "ETag": etag,
            "Accept-Ranges": "bytes",
            "X-Content-Type-Options": "nosniff",
        }
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers=headers)
        wanted = request.headers.get("range")
        if_range = request.headers.get("if-range")
        span = media.byte_range(wanted, found.size) if if_range in (None, etag) else None
        start, stop = span if span is not None else (0, found.size)
        headers["Content-Length"] = str(stop - start)
        if span is not None:
            headers["Content-Range"] = f"bytes {start}-{stop - 1}/{found.size}"
        return Stream(
            store_for(settings).read(found.key, start, stop),
            status_code=206 if span is not None else 200,
            media_type=found.content_type,
            headers=headers,
        )
