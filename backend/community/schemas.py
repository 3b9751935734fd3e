"""Wire types of stories, the community feed, kudos and moderation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.core.wire import Wire

StoryStatus = Literal["draft", "submitted", "published", "rejected"]
ReactionKind = Literal["clap", "heart", "party", "insight"]


class StoryDraft(Wire):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class StoryRead(Wire):
    id: UUID
    challenge_id: UUID
    title: str
    body: str
    status: StoryStatus
    public: bool
    slug: str
    public_url: str | None  # while the public page is up
    photo_url: str | None
    review_note: str | None
    featured: bool
    guidelines: list[str]


class ReviewStory(Wire):
    id: UUID
    challenge_id: UUID
    challenge_title: str
    author_id: UUID
    author_name: str
    title: str
    body: str
    photo_url: str | None
    status: StoryStatus
    public: bool
    featured: bool
    submitted_at: datetime | None


class StoryDecision(Wire):
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class Person(Wire):
    id: UUID | None  # None once the person left the organization
    display_name: str


class FeedStory(Wire):
    id: UUID
    title: str
    body: str
    photo_url: str | None
    public_url: str | None
    featured: bool


class FeedEntry(Wire):
    id: UUID
    kind: Literal["story", "badge", "team_goal", "kudos"]
    created_at: datetime
    actor: Person | None
    text: str  # the item in one sentence ("Priya earned First voice")
    story: FeedStory | None = None
    to: Person | None = None  # kudos: who received them
    message: str | None = None  # kudos: what was said
    reactions: dict[str, int] = msgspec.field(default_factory=dict)
    my_reaction: str | None = None
    comments: int = 0
    hidden: bool = False  # admins see hidden items, marked
    mine: bool = False


class FeedPage(Wire):
    items: list[FeedEntry]
    next_cursor: str | None
    featured: FeedEntry | None  # the story of the week, pinned above the feed


class ReactionCreate(Wire):
    kind: ReactionKind


class CommentCreate(Wire):
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class CommentRead(Wire):
    id: UUID
    author: Person
    body: str
    created_at: datetime
    mine: bool
    hidden: bool


class KudosCreate(Wire):
    to: UUID
    message: Annotated[str, msgspec.Meta(min_length=1, max_length=280)]


class KudosRead(Wire):
    id: UUID
    giver: Person
    receiver: Person
    message: str
    created_at: datetime
    left_today: int | None = None  # for the giver: kudos still to give today


class ReportCreate(Wire):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class ReportRead(Wire):
    id: UUID
    item_id: UUID | None
    comment_id: UUID | None
    reporter: Person
    reason: str
    excerpt: str
    created_at: datetime


class ReportResolve(Wire):
    action: Literal["hide", "dismiss"]


class CommunitySettings(Wire):
    guidelines: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=200)]],
        msgspec.Meta(max_length=12),
    ]
    blocked_words: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=60)]],
        msgspec.Meta(max_length=500),
    ]


class Colleague(Wire):
    id: UUID
    display_name: str
    team: str | None
