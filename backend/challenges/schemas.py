"""Wire types of narrative pillars and challenges."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.core.i18n import LANGUAGES
from backend.core.wire import Wire

Network = Literal["linkedin", "x", "facebook", "email", "whatsapp"]
NETWORKS: tuple[Network, ...] = ("linkedin", "x", "facebook", "email", "whatsapp")
Verification = Literal["auto", "clicks", "review", "trust"]
Status = Literal["draft", "scheduled", "active", "ended", "archived"]
MyStatus = Literal["todo", "pending", "verified", "rejected"]

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=140)]
Description = Annotated[str, msgspec.Meta(max_length=4000)]
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
Hashtag = Annotated[str, msgspec.Meta(min_length=1, max_length=51, pattern=r"^#?\w{1,50}$")]
Points = Annotated[int, msgspec.Meta(ge=0, le=10_000)]
ClickPoints = Annotated[int, msgspec.Meta(ge=0, le=1_000)]
ClickPointsCap = Annotated[int, msgspec.Meta(ge=0, le=100_000)]
OwnWordsPoints = Annotated[int, msgspec.Meta(ge=0, le=1_000)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]

# Per-network limits of the suggested text (X's is checked on the composed post, see service).
LinkedInText = Annotated[str, msgspec.Meta(max_length=3000)]
XText = Annotated[str, msgspec.Meta(max_length=280)]
FacebookText = Annotated[str, msgspec.Meta(max_length=5000)]
ShortText = Annotated[str, msgspec.Meta(max_length=2000)]


class ShareTexts(Wire):
    linkedin: LinkedInText | None = None
    x: XText | None = None
    facebook: FacebookText | None = None
    email: ShortText | None = None
    whatsapp: ShortText | None = None


class ChallengeTranslation(Wire):
    """A challenge's title, description and share texts in one language; what is left out (or
    a network's text left empty) reads as the base."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    share_text: ShareTexts | msgspec.UnsetType = msgspec.UNSET


# {"<language>": translation}: a key is one of backend.core.i18n.LANGUAGES (checked by the
# service, which names the key in its answer).
Translations = Annotated[dict[str, ChallengeTranslation], msgspec.Meta(max_length=len(LANGUAGES))]


class PillarCreate(Wire):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    message: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class PillarUpdate(Wire):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=120)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    message: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)] | msgspec.UnsetType = (
        msgspec.UNSET
    )


class PillarRead(Wire):
    id: UUID
    title: str
    message: str


class PillarRef(Wire):
    id: UUID
    title: str


class TeamGoal(Wire):
    """A collective target: this many verified shares by one team earns each contributor a bonus."""

    shares: Annotated[int, msgspec.Meta(ge=1, le=100_000)]
    bonus: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0


# -- lessons: what the employee reads, then a quiz; the answers never leave the server but to
# the admin's editor (ChallengeEdit) ---------------------------------------------------------

MAX_SECTIONS = 20
MAX_QUESTIONS = 20
MIN_OPTIONS, MAX_OPTIONS = 2, 6
Heading = Annotated[str, msgspec.Meta(min_length=1, max_length=140)]
SectionBody = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
Question = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Option = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Options = Annotated[list[Option], msgspec.Meta(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)]
AnswerIndex = Annotated[int, msgspec.Meta(ge=0, le=MAX_OPTIONS - 1)]
PassMark = Annotated[int, msgspec.Meta(ge=0, le=100)]


class LessonSection(Wire):
    heading: Heading
    body: SectionBody
    image_url: Url | None = None


class QuizQuestionWrite(Wire):
    """A question as the admin writes it: `answer` is the index of the right option."""

    question: Question
    options: Options
    answer: AnswerIndex


Sections = Annotated[list[LessonSection], msgspec.Meta(min_length=1, max_length=MAX_SECTIONS)]
Quiz = Annotated[list[QuizQuestionWrite], msgspec.Meta(min_length=1, max_length=MAX_QUESTIONS)]


class QuizQuestionRead(Wire):
    """A question as the employee sees it: the options, never which one is right."""

    question: str
    options: list[str]


class LessonRead(Wire):
    sections: list[LessonSection]
    quiz: list[QuizQuestionRead]
    pass_mark: int


class LessonEdit(Wire):
    """The lesson as its admin edits it, answers included (admin routes only)."""

    sections: list[LessonSection]
    quiz: list[QuizQuestionWrite]
    pass_mark: int


class MyLesson(Wire):
    """The caller's attempts at a lesson's quiz, on the lesson's page."""

    attempts: int
    passed: bool
    best_score: int | None
    points_awarded: int


class QuizAttempt(Wire):
    answers: Annotated[
        list[Annotated[int, msgspec.Meta(ge=0, le=MAX_OPTIONS - 1)]],
        msgspec.Meta(min_length=1, max_length=MAX_QUESTIONS),
    ]


class QuizResult(Wire):
    passed: bool
    score: int  # per cent of the questions answered right
    points_awarded: int  # paid on the first pass only
    pass_mark: int


class ChallengeCreate(Wire):
    title: Title
    points: Points
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    # share: what to share (contentUrl and networks needed); story: the description is the
    # prompt, the employee writes the story, and sharing it links to its public page; lesson:
    # sections to read and a quiz (sections, quiz and passMark needed), nothing to share.
    kind: Literal["share", "story", "lesson"] = "share"
    content_url: Url | None = None
    networks: Annotated[list[Network], msgspec.Meta(min_length=1, max_length=5)] | None = None
    description: Description = ""
    pillar_id: UUID | None = None
    share_text: ShareTexts = msgspec.field(default_factory=ShareTexts)
    hashtags: Annotated[list[Hashtag], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    click_points: ClickPoints = 0
    click_points_cap: ClickPointsCap | None = None  # default: ten clicks' worth
    own_words_points: OwnWordsPoints = 0  # for a verified share in the person's own words
    verification: Verification = "auto"
    team_ids: Annotated[list[UUID], msgspec.Meta(max_length=500)] = msgspec.field(
        default_factory=list
    )
    team_goal: TeamGoal | None = None
    sections: Sections | None = None
    quiz: Quiz | None = None
    pass_mark: PassMark = 80
    # the title, description and share texts in other languages: an employee reads their own
    # language's (or the organization's default), else the base
    translations: Translations = msgspec.field(default_factory=dict)


class ChallengeUpdate(Wire):
    """Every field optional; once published only title, description, share text, translations,
    a lesson's sections and the end date."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    share_text: ShareTexts | msgspec.UnsetType = msgspec.UNSET
    ends_at: AwareDatetime | msgspec.UnsetType = msgspec.UNSET
    content_url: Url | msgspec.UnsetType = msgspec.UNSET
    networks: Annotated[list[Network], msgspec.Meta(min_length=1, max_length=5)] | (
        msgspec.UnsetType
    ) = msgspec.UNSET
    points: Points | msgspec.UnsetType = msgspec.UNSET
    starts_at: AwareDatetime | msgspec.UnsetType = msgspec.UNSET
    pillar_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    hashtags: Annotated[list[Hashtag], msgspec.Meta(max_length=10)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    click_points: ClickPoints | msgspec.UnsetType = msgspec.UNSET
    click_points_cap: ClickPointsCap | msgspec.UnsetType = msgspec.UNSET
    own_words_points: OwnWordsPoints | msgspec.UnsetType = msgspec.UNSET
    verification: Verification | msgspec.UnsetType = msgspec.UNSET
    team_ids: Annotated[list[UUID], msgspec.Meta(max_length=500)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    team_goal: TeamGoal | msgspec.UnsetType | None = msgspec.UNSET
    sections: Sections | msgspec.UnsetType = msgspec.UNSET  # a lesson's; editable once published
    quiz: Quiz | msgspec.UnsetType = msgspec.UNSET
    pass_mark: PassMark | msgspec.UnsetType = msgspec.UNSET
    translations: Translations | msgspec.UnsetType = msgspec.UNSET  # replaces them all


class ContentPreview(Wire):
    status: Literal["pending", "ok", "failed"]
    title: str | None
    description: str | None
    image_url: str | None


class MySubmission(Wire):
    """The caller's own submission for a challenge, on the challenge's page."""

    id: UUID
    network: Network
    post_url: str | None
    status: str
    points_awarded: int
    reason: str | None
    review_note: str | None = None  # the admin's note when they decided it
    attempt: int = 1  # which try this is; a rejected share may be sent again
    tries_left: int = 0  # how many more times it may be sent (0 unless rejected)
    own_words: bool | None = None  # verified in their own words; null: not judged


PreviewStatus = Literal["ok", "pending", "failed", "none"]


class SubmissionCounts(Wire):
    """How a challenge's shares stand (every try counted), for the console's table."""

    total: int = 0
    pending: int = 0  # being checked automatically
    needs_review: int = 0
    verified: int = 0
    rejected: int = 0


class ChallengeMedia(Wire):
    """An image or short video to share with the post (backend/challenges/media.py): `url` is
    served to whoever may see the challenge; width and height when known (images always)."""

    id: UUID
    kind: Literal["image", "video"]
    url: str
    bytes: int
    content_type: str
    width: int | None = None
    height: int | None = None


class ChallengeRead(Wire):
    id: UUID
    slug: str
    kind: str
    title: str
    description: str
    pillar: PillarRef | None
    content_url: str
    share_text: ShareTexts
    hashtags: list[str]
    networks: list[Network]
    points: int
    click_points: int
    click_points_cap: int
    starts_at: datetime
    ends_at: datetime
    verification: Verification
    team_ids: list[UUID]
    team_goal: TeamGoal | None
    status: Status
    preview: ContentPreview
    # the article's preview: "none" when there is nothing to preview (a story challenge)
    preview_status: PreviewStatus
    published_at: datetime | None
    created_at: datetime
    my_status: MyStatus | None = None
    my_submission: MySubmission | None = None  # GET /challenges/{id} only
    submission_counts: SubmissionCounts | None = None  # the admin's list only
    lesson: LessonRead | None = None  # a lesson's sections and questions, without the answers
    my_lesson: MyLesson | None = None  # GET /challenges/{id} of a lesson only
    media: list[ChallengeMedia] = msgspec.field(default_factory=list)  # images, short videos
    own_words_points: int = 0  # earned by a verified share in the person's own words


class ChallengeEdit(ChallengeRead):
    """A challenge as the admin routes answer it: a lesson's quiz carries its answers."""

    lesson: LessonEdit | None = None  # type: ignore[assignment]
    # the translations as written (ChallengeRead shows the reader's language instead)
    translations: dict[str, ChallengeTranslation] = msgspec.field(default_factory=dict)
