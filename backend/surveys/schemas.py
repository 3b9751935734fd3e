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
ANONYMITY_THRESHOLD = 5  # results appear only once this many people answered


class QuestionCreate(Wire):
    text: QuestionText
    kind: QuestionKind = "scale"  # scale: 1 (not at all) to 5 (absolutely); text: optional words


class Question(Wire):
    id: str
    text: str
    kind: QuestionKind


class SurveyCreate(Wire):
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
    closes_at: datetime
    status: Literal["scheduled", "open", "closed"]
    responses: int


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
    points_awarded: int


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
    responses: int
    threshold: int
    shown: bool  # False until `threshold` people answered: nobody can be singled out
    questions: list[QuestionResult]
