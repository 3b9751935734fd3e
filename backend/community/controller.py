"""HTTP for stories, the community feed, kudos, moderation and the public story pages."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from redis.asyncio import Redis

from backend.community import feed, kudos, moderation, pages, reports, responses, stories
from backend.community.photos import ACCEPTED, MAX_INPUT_BYTES
from backend.community.schemas import (
    Colleague,
    CommentCreate,
    CommentRead,
    CommunitySettings,
    FeedPage,
    KudosCreate,
    KudosRead,
    ReactionCreate,
    ReportCreate,
    ReportRead,
    ReportResolve,
    ReviewStory,
    StoryDecision,
    StoryDraft,
    StoryRead,
)
from backend.core.errors import Invalid, NotFound
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.core.text import clean_text
from backend.http.auth import require_role
from backend.http.problems import request_language
from backend.settings import Settings

Cursor = Annotated[str | None, QueryParameter(max_length=200)]


class StoriesController(Controller):
    path = "/api/v1"
    tags = ["stories"]

    @get("/challenges/{challenge_id:uuid}/story")
    async def mine(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        settings: NamedDependency[Settings],
    ) -> StoryRead:
        return await stories.my_story(request.user, challenge_id, settings.base_url)

    @put("/challenges/{challenge_id:uuid}/story")
    async def save(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        data: JSONBody[StoryDraft],
        settings: NamedDependency[Settings],
    ) -> StoryRead:
        return await stories.save_draft(request.user, challenge_id, data, settings.base_url)

    @put(
        "/challenges/{challenge_id:uuid}/story/photo",
        request_max_body_size=MAX_INPUT_BYTES,
        description="The photo as the request body (image/jpeg, image/png or image/webp).",
    )
    async def photo(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
    ) -> StoryRead:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in ACCEPTED:
            raise Invalid(msg("Send the photo as image/jpeg, image/png or image/webp."))
        raw = await request.body()
        return await stories.attach_photo(request.user, challenge_id, raw, settings.base_url, redis)

    @post("/challenges/{challenge_id:uuid}/story/submit", status_code=200)
    async def submit(
        self,
        request: Request[CurrentUser, Any, Any],
        challenge_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        redis: NamedDependency[Redis],
    ) -> StoryRead:
        return await stories.submit(request.user, challenge_id, settings.base_url, redis)

    @get("/stories/{story_id:uuid}/photo", media_type="image/jpeg")
    async def story_photo(
        self, request: Request[CurrentUser, Any, Any], story_id: FromPath[UUID]
    ) -> Response[bytes]:
        found = await stories.photo_for(request.user, story_id)
        if found is None:
            raise NotFound(msg("No such photo."))
        photo_id, data = found
        # asked again each time (a story taken down is gone at once); a photo id never changes
        etag = f'"{photo_id.hex}"'
        headers = {"Cache-Control": "private, no-cache", "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers=headers)
        return Response(data, media_type="image/jpeg", headers=headers)

    @post("/stories/{story_id:uuid}/unpublish", status_code=204)
    async def unpublish(
        self, request: Request[CurrentUser, Any, Any], story_id: FromPath[UUID]
    ) -> None:
        await stories.unpublish(request.user, story_id)

    @delete("/stories/{story_id:uuid}", status_code=204)
    async def delete_story(
        self, request: Request[CurrentUser, Any, Any], story_id: FromPath[UUID]
    ) -> None:
        await stories.delete(request.user, story_id)


class CommunityController(Controller):
    path = "/api/v1"
    tags = ["community"]

    @get("/feed")
    async def read_feed(
        self,
        request: Request[CurrentUser, Any, Any],
        settings: NamedDependency[Settings],
        cursor: Cursor = None,
    ) -> FeedPage:
        return await feed.feed(
            request.user, cursor, settings.base_url, language=request_language(request)
        )

    @put("/feed/{item_id:uuid}/reaction", status_code=204)
    async def react(
        self,
        request: Request[CurrentUser, Any, Any],
        item_id: FromPath[UUID],
        data: JSONBody[ReactionCreate],
    ) -> None:
        await responses.react(request.user, item_id, data.kind)

    @delete("/feed/{item_id:uuid}/reaction", status_code=204)
    async def unreact(
        self, request: Request[CurrentUser, Any, Any], item_id: FromPath[UUID]
    ) -> None:
        await responses.unreact(request.user, item_id)

    @get("/feed/{item_id:uuid}/comments")
    async def comments(
        self, request: Request[CurrentUser, Any, Any], item_id: FromPath[UUID]
    ) -> list[CommentRead]:
        return await responses.comments(request.user, item_id)

    @post("/feed/{item_id:uuid}/comments", status_code=201)
    async def comment(
        self,
        request: Request[CurrentUser, Any, Any],
        item_id: FromPath[UUID],
        data: JSONBody[CommentCreate],
        redis: NamedDependency[Redis],
        settings: NamedDependency[Settings],
    ) -> CommentRead:
        return await responses.add_comment(
            request.user, item_id, data.body, redis, settings.comments_per_minute
        )

    @delete("/feed/{item_id:uuid}", status_code=204)
    async def delete_item(
        self, request: Request[CurrentUser, Any, Any], item_id: FromPath[UUID]
    ) -> None:
        await feed.delete_item(request.user, item_id)

    @delete("/comments/{comment_id:uuid}", status_code=204)
    async def delete_comment(
        self, request: Request[CurrentUser, Any, Any], comment_id: FromPath[UUID]
    ) -> None:
        await responses.delete_comment(request.user, comment_id)

    @post("/feed/{item_id:uuid}/report", status_code=204)
    async def report_item(
        self,
        request: Request[CurrentUser, Any, Any],
        item_id: FromPath[UUID],
        data: JSONBody[ReportCreate],
    ) -> None:
        await reports.report(request.user, item_id, None, data.reason)

    @post("/comments/{comment_id:uuid}/report", status_code=204)
    async def report_comment(
        self,
        request: Request[CurrentUser, Any, Any],
        comment_id: FromPath[UUID],
        data: JSONBody[ReportCreate],
    ) -> None:
        await reports.report(request.user, None, comment_id, data.reason)

    @post("/kudos", status_code=201)
    async def give_kudos(
        self,
        request: Request[CurrentUser, Any, Any],
        data: JSONBody[KudosCreate],
        redis: NamedDependency[Redis],
        settings: NamedDependency[Settings],
    ) -> KudosRead:
        return await kudos.give_kudos(
            request.user,
            data.to,
            data.message,
            redis,
            per_day=settings.kudos_per_day,
            points=settings.kudos_points,
            received_points_per_day=settings.kudos_received_points_per_day,
            per_colleague_per_day=settings.kudos_per_colleague_per_day,
        )

    @get("/users/{user_id:uuid}/kudos")
    async def kudos_received(
        self, request: Request[CurrentUser, Any, Any], user_id: FromPath[UUID]
    ) -> list[KudosRead]:
        return await kudos.kudos_for(request.user, user_id)

    @get("/colleagues")
    async def colleagues(
        self,
        request: Request[CurrentUser, Any, Any],
        q: Annotated[str, QueryParameter(max_length=80)] = "",
    ) -> list[Colleague]:
        return await kudos.colleagues(request.user, q.strip())

    @get("/community/guidelines")
    async def guidelines(self, request: Request[CurrentUser, Any, Any]) -> list[str]:
        return await stories.guidelines(request.user.org_id)


class CommunityAdminController(Controller):
    path = "/api/v1/admin"
    tags = ["community"]
    guards = [require_role("admin")]

    @get("/stories")
    async def queue(self, request: Request[CurrentUser, Any, Any]) -> list[ReviewStory]:
        return await stories.review_queue(request.user.org_id)

    @post("/stories/{story_id:uuid}/approve", status_code=204)
    async def approve(
        self,
        request: Request[CurrentUser, Any, Any],
        story_id: FromPath[UUID],
        data: JSONBody[StoryDecision],
        redis: NamedDependency[Redis],
    ) -> None:
        await stories.approve(request.user, story_id, _note(data), redis)

    @post("/stories/{story_id:uuid}/reject", status_code=204)
    async def reject(
        self,
        request: Request[CurrentUser, Any, Any],
        story_id: FromPath[UUID],
        data: JSONBody[StoryDecision],
        redis: NamedDependency[Redis],
    ) -> None:
        await stories.reject(request.user, story_id, _note(data), redis)

    @post("/stories/{story_id:uuid}/feature", status_code=204)
    async def feature(
        self,
        request: Request[CurrentUser, Any, Any],
        story_id: FromPath[UUID],
        redis: NamedDependency[Redis],
        settings: NamedDependency[Settings],
    ) -> None:
        await stories.feature(request.user, story_id, settings.feature_bonus_points, redis)

    @post("/feed/{item_id:uuid}/hide", status_code=204)
    async def hide_item(
        self, request: Request[CurrentUser, Any, Any], item_id: FromPath[UUID]
    ) -> None:
        await reports.hide(request.user, item_id, None)

    @post("/comments/{comment_id:uuid}/hide", status_code=204)
    async def hide_comment(
        self, request: Request[CurrentUser, Any, Any], comment_id: FromPath[UUID]
    ) -> None:
        await reports.hide(request.user, None, comment_id)

    @get("/reports")
    async def reports(self, request: Request[CurrentUser, Any, Any]) -> list[ReportRead]:
        return await reports.open_reports(request.user.org_id)

    @post("/reports/{report_id:uuid}/resolve", status_code=204)
    async def resolve(
        self,
        request: Request[CurrentUser, Any, Any],
        report_id: FromPath[UUID],
        data: JSONBody[ReportResolve],
    ) -> None:
        await reports.resolve_report(request.user, report_id, data.action)

    @get("/community")
    async def read_settings(self, request: Request[CurrentUser, Any, Any]) -> CommunitySettings:
        return await moderation.read_settings(request.user.org_id)

    @put("/community")
    async def write_settings(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[CommunitySettings]
    ) -> CommunitySettings:
        return await moderation.write_settings(request.user.org_id, data)


def _note(data: StoryDecision) -> str | None:
    return clean_text(data.note, "note") if data.note and data.note.strip() else None


@get(
    "/stories/{slug:str}",
    exclude_from_auth=True,
    include_in_schema=False,
    media_type=MediaType.HTML,
)
async def story_page(
    request: Request[Any, Any, Any], slug: FromPath[str], settings: NamedDependency[Settings]
) -> Response[str]:
    story = await stories.public_story(slug)
    language = pages.page_language(request.scope)
    headers = {
        "Cache-Control": "no-cache",
        "Content-Security-Policy": pages.CONTENT_SECURITY_POLICY,
        "Vary": "Accept-Language",
    }
    if story is None:
        return Response(
            pages.not_found_page(language),
            status_code=404,
            media_type=MediaType.HTML,
            headers=headers,
        )
    return Response(
        pages.story_page(story, settings.base_url, language),
        media_type=MediaType.HTML,
        headers=headers,
    )
