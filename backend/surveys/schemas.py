"""Wire types of pulse surveys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.core.wire import Wire

QuestionKind = Literal["scale", "text"]
QuestionText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
QuestionId = Annotated[str, msgspec.Meta(max_length=8)]
AnswerText = Annotated[str, msgspec.Meta(max_length=1000)]
# Results appear only after the survey closed, and only when at least this many people whose
# account existed when it was made answered; it is also the least audience a survey may ask.
ANONYMITY_THRESHOLD = 5
SurveyStatus = Literal["scheduled", "open", "closed"]


class QuestionCreate(Wire):
    text: QuestionText
    kind: QuestionKind = "scale"  # scale: 1 (not at all) to 5 (absolutely); text: optional words


class Question(Wire):
    id: str
    text: str
    kind: QuestionKind


class SurveyCreate(Wire):
    """A new survey (POST), or the whole survey again when editing it (PUT), where `opensAt`
    left out keeps the opening time it has."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    questions: Annotated[list[QuestionCreate], msgspec.Meta(min_length=1, max_length=10)]
    closes_at: datetime
    intro: Annotated[str, msgspec.Meta(max_length=500)] = ""
    opens_at: datetime | None = None  # default: now
    team_ids: Annotated[list[UUID], msgspec.Meta(max_length=500)] = msgspec.field(
        default_factory=list
    )
    points: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 0


class SurveyRead(Wire):
    id: UUID
    title: str
    intro: str
    questions: list[Question]
    team_ids: list[UUID]
    points: int
    opens_at: datetime
    closes_at: datetime  # the planned end
    closed_at: datetime | None  # when it closed (its end, or earlier by an admin); null till then
    status: SurveyStatus
    # how many people it is sent to now; never how many answered (no running count)
    invited: int


class SurveyDetail(SurveyRead):
    # whether anyone answered yet, never how many: the one fact that decides what may still be
    # edited or deleted (deleting and editing answer a 409 on it anyway)
    has_answers: bool


class MySurvey(Wire):
    id: UUID
    title: str
    intro: str
    questions: list[Question]
    points: int
    closes_at: datetime
    answered: bool


class ResponseCreate(Wire):
    # question id → 1..5 for a scale question, a few words for a text question
    answers: Annotated[
        dict[
            Annotated[str, msgspec.Meta(max_length=8)],
            int | Annotated[str, msgspec.Meta(max_length=1000)],
        ],
        msgspec.Meta(max_length=10),
    ]


class ResponseRead(Wire):
    points_awarded: int  # paid now: always 0, answering points are paid when the survey closes
    points_when_closed: int  # what this answer earns, paid with everyone's when it closes


class QuestionResult(Wire):
    id: str
    text: str
    kind: QuestionKind
    answered: int | None = None
    average: float | None = None
    distribution: list[int] | None = None  # how many chose 1, 2, 3, 4, 5
    comments: list[str] | None = None  # text answers, in random order


class SurveyResults(Wire):
    survey_id: UUID
    title: str
    status: SurveyStatus
    closes_at: datetime
    closed_at: datetime | None
    invited: int
    threshold: int
    # True only once the survey closed with at least `threshold` answers that count: before
    # that nothing below is filled in, not even how many answered, so no one can be singled out
    shown: bool
    responses: int | None  # the answers the results are made of; null until shown
    questions: list[QuestionResult]
