"""HTTP for share submissions and the admin review queue."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal
from uuid import UUID

from arq.connections import ArqRedis
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from redis.exceptions import RedisError

from backend import jobs
from backend.core.identity import CurrentUser
from backend.core.wire import Page
from backend.http.auth import require_role
from backend.http.problems import request_language
from backend.submissions import claiming, review
from backend.submissions.schemas import (
    BulkReview,
    BulkReviewRead,
    ReviewDecision,
    ReviewItem,
    SubmissionCreate,
    SubmissionRead,
)

log = logging.getLogger("chorus.submissions")

Cursor = Annotated[str | None, QueryParameter(max_length=512)]


async def enqueue_verification(redis: ArqRedis, submission_id: UUID) -> None:
    """The submission id is the job id: asking twice queues one job."""
    await jobs.enqueue(redis, jobs.verify_submission(submission_id))


class SubmissionsController(Controller):
    tags = ["submissions"]

    @post("/api/v1/challenges/{challenge_id:uuid}/submissions", status_code=202)
    async def submit(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        data: JSONBody[SubmissionCreate],
        redis: NamedDependency[ArqRedis],
    ) -> Response[SubmissionRead]:
        submission = await claiming.create_submission(
            request.user, challenge_id, data.network, data.post_url
        )
        try:
            await enqueue_verification(redis, submission.id)
        except (RedisError, OSError) as exc:
            # The claim is committed: answering an error would make the person's retry a 409.
            # The sweep re-queues every claim left pending without a job (workers/tasks.py).
            log.warning(
                "verification not queued (%s); the sweep will queue it",
                exc,
                extra={"submission": str(submission.id)},
            )
        return Response(
            submission,
            status_code=202,
            headers={"Location": f"/api/v1/submissions/{submission.id}"},
        )

    @get("/api/v1/submissions/{submission_id:uuid}")
    async def get_one(
        self, request: Request[CurrentUser, Any, Any], submission_id: FromPath[UUID]
    ) -> SubmissionRead:
        return await claiming.get_submission(request.user, submission_id)


class AdminSubmissionsController(Controller):
    path = "/api/v1/admin/submissions"
    tags = ["admin"]
    guards = [require_role("admin")]

    @get("")
    async def queue(
        self,
        request: Request[CurrentUser, Any, Any],
        status: FromQuery[
            Literal["needs_review", "pending", "verified", "rejected", "revoked"]
        ] = "needs_review",
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        cursor: Cursor = None,
    ) -> Page[ReviewItem]:
        return await review.review_queue(request.user.org_id, status, limit=limit, cursor=cursor)

    @post("/bulk", status_code=200)
    async def bulk(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[BulkReview]
    ) -> BulkReviewRead:
        """Approve or reject up to 100 submissions; each one's outcome in `results`, in order
        (a repeated id once). Already decided that way: "skipped", nothing paid twice."""
        results = await review.decide_many(
            request.user, data.ids, data.action, data.note, request_language(request)
        )
        return BulkReviewRead(results=results)

    @post("/{submission_id:uuid}/approve", status_code=200)
    async def approve(
        self,
        request: Request[CurrentUser, Any, Any],
        submission_id: FromPath[UUID],
        data: JSONBody[ReviewDecision],
    ) -> SubmissionRead:
        return await review.approve(request.user, submission_id, data.note)

    @post("/{submission_id:uuid}/reject", status_code=200)
    async def reject(
        self,
        request: Request[CurrentUser, Any, Any],
        submission_id: FromPath[UUID],
        data: JSONBody[ReviewDecision],
    ) -> SubmissionRead:
        return await review.reject(request.user, submission_id, data.note)

    @post("/{submission_id:uuid}/revoke", status_code=200)
    async def revoke(
        self,
        request: Request[CurrentUser, Any, Any],
        submission_id: FromPath[UUID],
        data: JSONBody[ReviewDecision],
    ) -> SubmissionRead:
        return await review.revoke(request.user, submission_id, data.note)
