"""Story challenges: an employee writes their own story, the organization's policy publishes it
(after an admin's approval, or on trust), it gets a public page to share, admins feature the
best. The story's points are a ledger row, so taking the page down later keeps them. Who may
see a story and its photo, in the app and on the public page, is one rule: `shown_to`."""

from __future__ import annotations

import re
import secrets
from typing import Any
from uuid import UUID, uuid4

import msgspec
from redis.asyncio import Redis

from backend import events
from backend.challenges.service import effective_status, slugify, visible_challenge
from backend.community.imaging import photo_pool
from backend.community.moderation import check_words
from backend.community.schemas import ReviewStory, StoryDraft, StoryRead
from backend.community.tables import Story
from backend.core import clock
from backend.core.errors import Conflict, Forbidden, NotFound
from backend.core.i18n import Message, Text, msg, msg_n
from backend.core.identity import CurrentUser
from backend.core.text import clean_text
from backend.db import DB
from backend.notifications import service as notifications
from backend.notifications.push import enqueue_push
from backend.points.service import LedgerEntry, append
from backend.ratelimit import count_attempt
from backend.settings import get_settings
from backend.storage import MediaStore, store_for

PHOTOS_PER_WINDOW = 20  # photos one person may send per window, whatever became of them
PHOTO_WINDOW_SECONDS = 600


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await Story.raw(sql, *args)  # type: ignore[no-any-return]


async def guidelines(org_id: UUID) -> list[str]:
    rows = await _rows("SELECT story_guidelines FROM organization WHERE id = {}", org_id)
    raw = rows[0]["story_guidelines"] if rows else "[]"
    return list(msgspec.json.decode(raw) if isinstance(raw, str) else raw)


def public_url(base_url: str, slug: str) -> str:
    return f"{base_url}/stories/{slug}"


def _photo_url(row: dict[str, Any]) -> str | None:
    """Where the app finds the photo (served to whom `shown_to` says)."""
    return f"/api/v1/stories/{row['id']}/photo" if row.get("photo") else None


# -- who may see a story and its photo ---------------------------------------------------------
# One rule for every route that serves a story's photo, in the app and on the public page (whose
# text follows it too, so that its og:image never points at a 404). Over `story s` and its
# author `app_user u`; fixed fragments, the values always arguments (hence the S608 noqas).

# Everyone it reaches: published, its page up (not taken down), not hidden by an admin, and its
# author still active.
_SHOWN = (
    "(s.status = 'published' AND s.public AND u.active AND NOT EXISTS "
    "(SELECT 1 FROM feed_item f WHERE f.story = s.id AND f.hidden_at IS NOT NULL))"
)
_IN_REVIEW = "s.status IN ('submitted', 'published')"  # what the admins' review queue lists


def shown_to(viewer: CurrentUser | None) -> tuple[str, list[Any]]:
    """(SQL condition, its arguments): may `viewer` (None: anyone, on the public page) see the
    story? In the app also its author, in every state, and the organization's admins, what
    their review queue lists."""
    if viewer is None:
        return _SHOWN, []
    return (
        f"(s.org = {{}} AND (s.author = {{}} OR ({{}} AND {_IN_REVIEW}) OR {_SHOWN}))",
        [viewer.org_id, viewer.id, viewer.role == "admin"],
    )


async def published_story(user_id: UUID, challenge_id: UUID) -> str | None:
    """The slug of the caller's published, public story for this challenge, if any."""
    rows = await _rows(
        "SELECT slug FROM story s WHERE author = {} AND challenge = {} "
        "AND status = 'published' AND public "
        # a story an admin hid from the feed is not shared either
        "AND NOT EXISTS (SELECT 1 FROM feed_item f "
        "WHERE f.story = s.id AND f.hidden_at IS NOT NULL)",
        user_id,
        challenge_id,
    )
    return rows[0]["slug"] if rows else None


# A status is a word of the database ("submitted"); people read a whole sentence for each, as
# the words around a status agree with it differently in every language.


def _closed(status: str) -> Message:
    """Why a challenge that is not active takes no story."""
    if status == "draft":
        return msg("This challenge is draft: it does not take stories now.")
    if status == "scheduled":
        return msg("This challenge is scheduled: it does not take stories now.")
    if status == "ended":
        return msg("This challenge is ended: it does not take stories now.")
    if status == "archived":
        return msg("This challenge is archived: it does not take stories now.")
    return msg("This challenge is {status}: it does not take stories now.", status=status)


def _not_editable(status: str) -> Message:
    if status == "submitted":
        return msg("This story is submitted: it can no longer be edited.")
    if status == "published":
        return msg("This story is published: it can no longer be edited.")
    return msg("This story is {status}: it can no longer be edited.", status=status)


def _already(status: str) -> Message:
    if status == "submitted":
        return msg("This story is already submitted.")
    if status == "published":
        return msg("This story is already published.")
    return msg("This story is already {status}.", status=status)


def _not_approvable(status: str) -> Message:
    if status == "draft":
        return msg("This story is draft: only a submitted story is approved.")
    if status == "published":
        return msg("This story is published: only a submitted story is approved.")
    if status == "rejected":
        return msg("This story is rejected: only a submitted story is approved.")
    return msg("This story is {status}: only a submitted story is approved.", status=status)


def _not_rejectable(status: str) -> Message:
    if status == "draft":
        return msg("This story is draft: only a submitted story is rejected.")
    if status == "published":
        return msg("This story is published: only a submitted story is rejected.")
    if status == "rejected":
        return msg("This story is rejected: only a submitted story is rejected.")
    return msg("This story is {status}: only a submitted story is rejected.", status=status)


async def _story_challenge(user: CurrentUser, challenge_id: UUID) -> dict[str, Any]:
    challenge = await visible_challenge(user, challenge_id)
    if challenge["kind"] != "story":
        raise NotFound(msg("This challenge has no story to write."))
    return challenge


async def _mine(user: CurrentUser, challenge_id: UUID) -> dict[str, Any] | None:
    rows = await _rows(
        "SELECT * FROM story WHERE author = {} AND challenge = {}", user.id, challenge_id
    )
    return rows[0] if rows else None


def _read(row: dict[str, Any], base_url: str, rules: list[str]) -> StoryRead:
    live = row["status"] == "published" and row["public"]
    return StoryRead(
        id=row["id"],
        challenge_id=row["challenge"],
        title=row["title"],
        body=row["body"],
        status=row["status"],
        public=row["public"],
        slug=row["slug"],
        public_url=public_url(base_url, row["slug"]) if live else None,
        photo_url=_photo_url(row),
        review_note=row["review_note"],
        featured=row["featured_at"] is not None,
        guidelines=rules,
    )


async def my_story(user: CurrentUser, challenge_id: UUID, base_url: str) -> StoryRead:
    await _story_challenge(user, challenge_id)
    row = await _mine(user, challenge_id)
    if row is None:
        raise NotFound(msg("You have not started this story yet."))
    return _read(row, base_url, await guidelines(user.org_id))


async def save_draft(
    user: CurrentUser, challenge_id: UUID, data: StoryDraft, base_url: str
) -> StoryRead:
    """Create or update the caller's draft (also after a rejection, to try again)."""
    challenge = await _story_challenge(user, challenge_id)
    status = effective_status(
        challenge["state"], challenge["starts_at"], challenge["ends_at"], clock.now()
    )
    if status != "active":
        raise Forbidden(_closed(status))
    title = clean_text(data.title, "title")
    body = clean_text(data.body, "body", multiline=True)
    await check_words(user.org_id, title, body)
    current = await _mine(user, challenge_id)
    if current is None:
        slug = f"{slugify(title)[:60]}-{secrets.token_hex(4)}"
        await _rows(
            "INSERT INTO story (id, org, challenge, author, title, body, slug) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}) ON CONFLICT (author, challenge) DO NOTHING",
            uuid4(),
            user.org_id,
            challenge_id,
            user.id,
            title,
            body,
            slug,
        )
    elif current["status"] in ("draft", "rejected"):
        await _rows(
            "UPDATE story SET title = {}, body = {}, status = 'draft', updated_at = now() "
            "WHERE id = {} AND status IN ('draft', 'rejected')",
            title,
            body,
            current["id"],
        )
    else:
        raise Conflict(_not_editable(current["status"]))
    return await my_story(user, challenge_id, base_url)


async def attach_photo(
    user: CurrentUser, challenge_id: UUID, raw: bytes, base_url: str, redis: Redis
) -> StoryRead:
    """The caller's draft gets this photo, cleaned in a photo process (backend/community/
    imaging.py); at most PHOTOS_PER_WINDOW a person per PHOTO_WINDOW_SECONDS (429 beyond)."""
    await count_attempt(
        redis, f"chorus:rl:photos:{user.id}", PHOTOS_PER_WINDOW, PHOTO_WINDOW_SECONDS, "photos"
    )
    current = await _mine(user, challenge_id)
    if current is None:
        raise NotFound(msg("Save your story as a draft before adding a photo."))
    if current["status"] not in ("draft", "rejected"):
        raise Conflict(_not_editable(current["status"]))
    photo = await photo_pool.clean(raw)
    photo_id = uuid4()
    # the bytes first, then the row that names them (a row never names a missing object)
    key = f"photos/{user.org_id}/{photo_id}.jpg"
    store = _store()
    await store.put(key, photo.jpeg, "image/jpeg")
    replaced: list[dict[str, Any]] = []
    try:
        async with DB.transaction():
            # the story may have been submitted, or its photo replaced, while this one was in work
            rows = await _rows(
                "SELECT status, photo FROM story WHERE id = {} FOR UPDATE", current["id"]
            )
            if not rows:
                raise NotFound(msg("This story was deleted while its photo was being processed."))
            if rows[0]["status"] not in ("draft", "rejected"):
                raise Conflict(_not_editable(rows[0]["status"]))
            await _rows(
                "INSERT INTO story_photo (id, org, owner, storage_key, width, height) "
                "VALUES ({}, {}, {}, {}, {}, {})",
                photo_id,
                user.org_id,
                user.id,
                key,
                photo.width,
                photo.height,
            )
            await _rows("UPDATE story SET photo = {} WHERE id = {}", photo_id, current["id"])
            if rows[0]["photo"]:
                replaced = await _rows(
                    "DELETE FROM story_photo WHERE id = {} RETURNING storage_key", rows[0]["photo"]
                )
    except BaseException:
        await store.delete(key)
        raise
    await _forget_objects(replaced)
    return await my_story(user, challenge_id, base_url)


def _store() -> MediaStore:
    return store_for(get_settings())


async def _forget_objects(rows: list[dict[str, Any]]) -> None:
    """After the commit: the stored bytes of photo rows just deleted."""
    for row in rows:
        if row.get("storage_key"):
            await _store().delete(row["storage_key"])


async def _photo_bytes(row: dict[str, Any]) -> bytes:
    if row["data"] is not None:  # stored before the media store
        return bytes(row["data"])
    return b"".join([chunk async for chunk in _store().read(row["storage_key"])])


async def submit(user: CurrentUser, challenge_id: UUID, base_url: str, redis: Redis) -> StoryRead:
    """Hand the story in: published now (trust) or after an admin's approval (review)."""
    challenge = await _story_challenge(user, challenge_id)
    current = await _mine(user, challenge_id)
    if current is None:
        raise NotFound(msg("Write your story first."))
    if current["status"] not in ("draft", "rejected"):
        raise Conflict(_already(current["status"]))
    await check_words(user.org_id, current["title"], current["body"])
    if challenge["verification"] == "trust":
        await _publish(current["id"], None, redis)
    else:
        await _rows(
            "UPDATE story SET status = 'submitted', submitted_at = now(), review_note = NULL "
            "WHERE id = {}",
            current["id"],
        )
    return await my_story(user, challenge_id, base_url)


async def _publish(story_id: UUID, note: str | None, redis: Redis) -> None:
    """Published: its public page goes up, the points land once, the feed shows it."""
    awarded: list[events.PointsAwarded] = []
    async with DB.transaction():
        rows = await _rows(
            "UPDATE story s SET status = 'published', public = true, published_at = now(), "
            "review_note = {} FROM challenge c, app_user u "
            "WHERE s.id = {} AND s.status IN ('draft', 'submitted', 'rejected') "
            "AND c.id = s.challenge AND u.id = s.author "
            "RETURNING s.id, s.org, s.author, s.challenge, s.title, c.points, u.team",
            note,
            story_id,
        )
        if not rows:
            raise Conflict(msg("This story is already published."))
        story = rows[0]
        awarded = await append(
            [
                LedgerEntry(
                    org_id=story["org"],
                    user_id=story["author"],
                    team_id=story["team"],
                    delta=story["points"],
                    reason="story",
                    # once per person and challenge, whatever happens to the story: taking
                    # it down, deleting it and writing it again never pays twice
                    idempotency_key=f"story:{story['challenge']}:{story['author']}",
                    challenge_id=story["challenge"],
                )
            ]
        )
        await _rows(
            "INSERT INTO feed_item (id, org, kind, actor, story, dedupe_key) "
            "VALUES ({}, {}, 'story', {}, {}, {}) ON CONFLICT (dedupe_key) DO NOTHING",
            uuid4(),
            story["org"],
            story["author"],
            story_id,
            f"story:{story_id}",
        )
    await events.points_awarded(awarded)
    await _tell(
        redis,
        story["org"],
        story["author"],
        msg("Your story is live"),
        msg(
            "“{title}” is in the community space — share it to reach further.",
            title=story["title"][:60],
        ),
        f"/challenges/{story['challenge']}",
        f"story-published:{story_id}",
    )


async def _tell(
    redis: Redis, org: UUID, user: UUID, title: Text, body: Text, url: str, key: str
) -> None:
    made = await notifications.notify(org, user, "community", title, body, url, dedupe_key=key)
    if made is not None and made[1] == "queued":
        await enqueue_push(redis, made[0])


async def review_queue(org_id: UUID) -> list[ReviewStory]:
    rows = await _rows(
        "SELECT s.*, c.title AS challenge_title, u.display_name FROM story s "  # noqa: S608
        "JOIN challenge c ON c.id = s.challenge JOIN app_user u ON u.id = s.author "
        f"WHERE s.org = {{}} AND {_IN_REVIEW} "
        "ORDER BY s.status = 'published', s.submitted_at NULLS LAST, s.created_at LIMIT 100",
        org_id,
    )
    return [
        ReviewStory(
            id=r["id"],
            challenge_id=r["challenge"],
            challenge_title=r["challenge_title"],
            author_id=r["author"],
            author_name=r["display_name"],
            title=r["title"],
            body=r["body"],
            photo_url=_photo_url(r),
            status=r["status"],
            public=r["public"],
            featured=r["featured_at"] is not None,
            submitted_at=r["submitted_at"],
        )
        for r in rows
    ]


async def _in_org(org_id: UUID, story_id: UUID) -> dict[str, Any]:
    rows = await _rows("SELECT * FROM story WHERE id = {} AND org = {}", story_id, org_id)
    if not rows:
        raise NotFound(msg("No such story in your organization."))
    return rows[0]


async def approve(actor: CurrentUser, story_id: UUID, note: str | None, redis: Redis) -> None:
    story = await _in_org(actor.org_id, story_id)
    if story["status"] != "submitted":
        raise Conflict(_not_approvable(story["status"]))
    await _publish(story_id, note, redis)


async def reject(actor: CurrentUser, story_id: UUID, note: str | None, redis: Redis) -> None:
    story = await _in_org(actor.org_id, story_id)
    if story["status"] != "submitted":
        raise Conflict(_not_rejectable(story["status"]))
    await _rows(
        "UPDATE story SET status = 'rejected', review_note = {} WHERE id = {}", note, story_id
    )
    await _tell(
        redis,
        story["org"],
        story["author"],
        msg("About your story"),
        note or msg("It needs a few changes before it can be published."),
        f"/challenges/{story['challenge']}",
        f"story-rejected:{story_id}:{secrets.token_hex(4)}",
    )


async def feature(actor: CurrentUser, story_id: UUID, bonus: int, redis: Redis) -> None:
    """Story of the week: pinned in the feed, the author told, bonus points once."""
    story = await _in_org(actor.org_id, story_id)
    if story["status"] != "published":
        raise Conflict(msg("Only a published story can be featured."))
    awarded: list[events.PointsAwarded] = []
    async with DB.transaction():
        await _rows(
            "UPDATE story SET featured_at = now() WHERE id = {} AND featured_at IS NULL", story_id
        )
        team = await _rows("SELECT team FROM app_user WHERE id = {}", story["author"])
        awarded = await append(
            [
                LedgerEntry(
                    org_id=story["org"],
                    user_id=story["author"],
                    team_id=team[0]["team"] if team else None,
                    delta=bonus,
                    reason="featured",
                    idempotency_key=f"featured:{story['challenge']}:{story['author']}",
                    challenge_id=story["challenge"],
                )
            ]
        )
    await events.points_awarded(awarded)
    if awarded:
        await _tell(
            redis,
            story["org"],
            story["author"],
            msg("Your story is the story of the week"),
            msg_n(
                "+{n} points — thank you for telling it.",
                "+{n} points — thank you for telling it.",
                bonus,
                n=bonus,
            ),
            "/community",
            f"story-featured:{story_id}",
        )


async def unpublish(user: CurrentUser, story_id: UUID) -> None:
    """The author takes the public page down (and the story out of the feed); points stay."""
    story = await _in_org(user.org_id, story_id)
    if story["author"] != user.id:
        raise Forbidden(msg("Only the author can take a story down."))
    async with DB.transaction():
        await _rows("UPDATE story SET public = false WHERE id = {}", story_id)
        await _rows(
            "UPDATE feed_item SET hidden_at = coalesce(hidden_at, now()) WHERE story = {}",
            story_id,
        )


async def delete(user: CurrentUser, story_id: UUID) -> None:
    story = await _in_org(user.org_id, story_id)
    if story["author"] != user.id:
        raise Forbidden(msg("Only the author can delete a story."))
    await _rows("DELETE FROM story WHERE id = {}", story_id)
    if story["photo"]:
        await _forget_objects(
            await _rows(
                "DELETE FROM story_photo WHERE id = {} RETURNING storage_key", story["photo"]
            )
        )


_SLUG = re.compile(r"^[a-z0-9-]{1,80}$")


async def public_story(slug: str) -> dict[str, Any] | None:
    """What the public page shows: only a story anyone may see (`shown_to(None)`)."""
    if not _SLUG.match(slug):
        return None
    shown, args = shown_to(None)
    rows = await _rows(
        "SELECT s.title, s.body, s.slug, s.photo, s.published_at, u.display_name, "  # noqa: S608
        "o.name AS org_name FROM story s JOIN app_user u ON u.id = s.author "
        f"JOIN organization o ON o.id = s.org WHERE s.slug = {{}} AND {shown}",
        slug,
        *args,
    )
    return rows[0] if rows else None


async def public_photo(slug: str) -> bytes | None:
    """The public page's photo, under the same rule as the page."""
    if not _SLUG.match(slug):
        return None
    shown, args = shown_to(None)
    rows = await _rows(
        "SELECT p.data, p.storage_key FROM story s JOIN story_photo p ON p.id = s.photo "  # noqa: S608
        f"JOIN app_user u ON u.id = s.author WHERE s.slug = {{}} AND {shown}",
        slug,
        *args,
    )
    return await _photo_bytes(rows[0]) if rows else None


async def photo_for(viewer: CurrentUser, story_id: UUID) -> tuple[UUID, bytes] | None:
    """(photo id, JPEG) of a story's photo, if `viewer` may see the story in the app."""
    shown, args = shown_to(viewer)
    rows = await _rows(
        "SELECT p.id, p.data, p.storage_key FROM story s "  # noqa: S608
        "JOIN story_photo p ON p.id = s.photo "
        f"JOIN app_user u ON u.id = s.author WHERE s.id = {{}} AND {shown}",
        story_id,
        *args,
    )
    return (rows[0]["id"], await _photo_bytes(rows[0])) if rows else None
