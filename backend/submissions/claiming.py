"""Claiming a share: a pending submission on an active challenge the person can see, one per
social-network post, and one live claim per person and challenge: a rejected claim may be sent
again (a new try, up to `MAX_TRIES`), anything else is final. The caller queues verification.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from backend.challenges import cache as challenge_cache
from backend.challenges.service import MAX_SHARE_TRIES, effective_status, visible_challenge
from backend.community.stories import published_story
from backend.core import clock
from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.core.i18n import Message, msg, msg_n
from backend.core.identity import CurrentUser
from backend.core.tokens import erased_post_key
from backend.core.wire import Page, created_at_cursor, decode_cursor
from backend.db import DB
from backend.settings import get_settings
from backend.submissions.posts import NETWORK_NAMES, NETWORKS_WITH_POSTS, NotAPost, post_key
from backend.submissions.schemas import SubmissionRead
from backend.submissions.tables import Submission

MAX_TRIES = MAX_SHARE_TRIES
ALREADY_CLAIMED = msg("This post has already been claimed.")
# Why a challenge takes no claim, by its status (whole sentences: words agree in gender)
_NOT_ACTIVE: dict[str, Message] = {
    "draft": msg("This challenge is draft: it does not take submissions now."),
    "archived": msg("This challenge is archived: it does not take submissions now."),
    "scheduled": msg("This challenge is scheduled: it does not take submissions now."),
    "ended": msg("This challenge is ended: it does not take submissions now."),
}


def _read(row: dict[str, Any]) -> SubmissionRead:
    return SubmissionRead(
        id=row["id"],
        challenge_id=row["challenge"],
        network=row["network"],
        post_url=row["post_url"],
        status=row["status"],
        points_awarded=row["points_awarded"],
        reason=row["reason"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
        attempt=row["attempt"],
        review_note=row["review_note"],
        challenge_title=row.get("challenge_title"),
        own_words=row.get("own_words"),
    )


async def create_submission(
    user: CurrentUser, challenge_id: UUID, network: str, post_url: str | None
) -> SubmissionRead:
    """A pending claim; the caller enqueues its verification with the submission id as job id."""
    challenge = await visible_challenge(user, challenge_id)
    status = effective_status(
        challenge["state"], challenge["starts_at"], challenge["ends_at"], clock.now()
    )
    if status != "active":
        raise Forbidden(_NOT_ACTIVE[status])
    if network not in challenge["networks"]:
        raise Invalid(
            msg(
                "This challenge is not shared on {network}; choose one of {networks}.",
                network=network,
                networks=", ".join(challenge["networks"]),
            ),
            field="network",
        )
    if challenge["kind"] == "story" and not await published_story(user.id, challenge_id):
        raise Conflict(msg("Publish your story first: sharing it links to its public page."))
    key: str | None = None
    if network in NETWORKS_WITH_POSTS:
        if not post_url:
            raise Invalid(
                msg(
                    "Paste the public link to your post on {network}.",
                    network=NETWORK_NAMES.get(network, network),
                ),
                field="postUrl",
            )
        try:
            key = post_key(network, post_url)
        except NotAPost as exc:
            raise Invalid(exc.args[0] if exc.args else str(exc), field="postUrl") from exc
        erased = erased_post_key(get_settings().key_for("post-keys"), key)
        if await Submission.raw("SELECT 1 FROM submission WHERE post_key = {}", erased):
            raise Conflict(ALREADY_CLAIMED)
    submission_id = uuid4()
    async with DB.transaction():
        latest = await Submission.raw(
            'SELECT id, status, attempt FROM submission WHERE "user" = {} AND challenge = {} '
            "ORDER BY attempt DESC LIMIT 1 FOR UPDATE",
            user.id,
            challenge_id,
        )
        attempt = 1
        if latest:
            if latest[0]["status"] != "rejected":
                raise Conflict(msg("You have already submitted a share for this challenge."))
            if latest[0]["attempt"] >= MAX_TRIES:
                raise Conflict(
                    msg_n(
                        "You have tried {n} times for this challenge: that was the last try.",
                        "You have tried {n} times for this challenge: that was the last try.",
                        MAX_TRIES,
                        n=MAX_TRIES,
                    )
                )
            attempt = latest[0]["attempt"] + 1
            # a rejected claim holds no post: the same post may be sent again
            await Submission.raw(
                "UPDATE submission SET post_key = NULL WHERE id = {}", latest[0]["id"]
            )
        inserted = await Submission.raw(
            'INSERT INTO submission (id, org, challenge, "user", network, post_url, post_key, '
            "attempt) VALUES ({}, {}, {}, {}, {}, {}, {}, {}) ON CONFLICT DO NOTHING RETURNING *",
            submission_id,
            user.org_id,
            challenge_id,
            user.id,
            network,
            post_url.strip() if post_url else None,
            key,
            attempt,
        )
        if not inserted:
            mine = await Submission.exists().where(
                (Submission.user == user.id)
                & (Submission.challenge == challenge_id)
                & (Submission.attempt == attempt)
            )
            if mine:  # sent twice at once: the other one is the claim
                raise Conflict(msg("You have already submitted a share for this challenge."))
            raise Conflict(ALREADY_CLAIMED)
    # every API process's cached statuses of this person change now (backend/challenges/cache.py)
    await challenge_cache.announce_person(user.org_id, user.id)
    # answered from the committed row itself: no further query that could fail after the
    # claim is stored (a client told to try again would then find it already there)
    return _read(inserted[0])


async def get_submission(user: CurrentUser, submission_id: UUID) -> SubmissionRead:
    """The owner and the organization's admins see a submission; anyone else gets 404."""
    row = (
        await Submission.select()
        .where((Submission.id == submission_id) & (Submission.org == user.org_id))
        .first()
    )
    if row is None or (row["user"] != user.id and user.role != "admin"):
        raise NotFound(msg("No such submission."))
    return _read(row)


async def my_submissions(
    user: CurrentUser, *, limit: int = 20, cursor: str | None = None
) -> Page[SubmissionRead]:
    """The caller's own shares, every try of each, newest first, with the challenge's title."""
    after = ""
    args: list[Any] = [user.id, user.org_id]
    if cursor:
        created_at, last_id = decode_cursor(cursor, tuple[datetime, UUID])
        after = "AND (s.created_at, s.id) < ({}, {}) "
        args += [created_at, last_id]
    rows = await Submission.raw(
        "SELECT s.*, c.title AS challenge_title FROM submission s "  # noqa: S608 (constants)
        'JOIN challenge c ON c.id = s.challenge WHERE s."user" = {} AND s.org = {} '
        + after
        + "ORDER BY s.created_at DESC, s.id DESC LIMIT {}",
        *args,
        limit + 1,
    )
    return Page[SubmissionRead](
        items=[_read(row) for row in rows[:limit]], next_cursor=created_at_cursor(rows, limit)
    )
