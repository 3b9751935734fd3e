"""Wire types of share submissions and the review queue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from backend.challenges.schemas import Network
from backend.core.wire import Wire

SubmissionStatus = Literal["pending", "verified", "rejected", "needs_review", "revoked"]
Note = Annotated[str, msgspec.Meta(max_length=500)]


class SubmissionCreate(Wire):
    network: Network
    post_url: Annotated[str, msgspec.Meta(min_length=1, max_length=2048)] | None = None


class SubmissionRead(Wire):
    id: UUID
    challenge_id: UUID
    network: Network
    post_url: str | None
    status: SubmissionStatus
    points_awarded: int
    reason: str | None
    created_at: datetime
    decided_at: datetime | None
    attempt: int = 1  # the try this is (a rejected share may be sent again, 3 tries in all)
    review_note: str | None = None  # what the admin who decided it said
    challenge_title: str | None = None  # in the caller's list of their own shares
    # verified in the person's own words (not a near-copy of the suggestion or a colleague's
    # post); null: not judged (the post's text was not read)
    own_words: bool | None = None


class ReviewItem(Wire):
    id: UUID
    challenge_id: UUID
    challenge_title: str
    user_id: UUID
    display_name: str
    network: Network
    post_url: str | None
    status: SubmissionStatus
    points_awarded: int
    reason: str | None
    evidence: list[dict[str, Any]]
    created_at: datetime
    decided_at: datetime | None
    review_note: str | None


class ReviewDecision(Wire):
    note: Note | None = None


class BulkReview(Wire):
    """Approve or reject up to 100 submissions at once, each exactly as one by one."""

    ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=100)]
    action: Literal["approve", "reject"]
    note: Note | None = None


class BulkReviewResult(Wire):
    id: UUID
    # skipped: already decided that way, or in a state this action cannot change (see detail)
    status: Literal["approved", "rejected", "skipped", "not_found"]
    detail: str | None = None


class BulkReviewRead(Wire):
    results: list[BulkReviewResult]
